"""Coordinator reports people can read: charts with gridlines, the 31/41/50 % benchmarks, the
running quarter marked, full quarter labels; a filter by consultant; CSV that Danish Excel opens
and XLSX of the same tables (outcomes, caseload, fidelity); item 17's figure and score agree."""

from __future__ import annotations

import csv
import html as htmllib
import io
import re
from datetime import datetime, timedelta
from itertools import pairwise

from openpyxl import load_workbook

from ips_coord.reports.fidelity import fidelity
from ips_coord.services import activities as act
from tests.factories import login as _login


def login(client, user):
    client.post("/logout")
    assert _login(client, user).status_code == 302


def test_charts_show_gridlines_benchmarks_full_quarters_and_the_running_quarter(client, world, clock):
    world.case_in("employed")
    login(client, world.coordinator)
    page = htmllib.unescape(client.get("/coordinator/reports").get_data(as_text=True))
    chart = page[page.index("<svg") : page.index("</svg>")]
    sizes = {int(s) for s in re.findall(r'font-size="(\d+)"', chart)}
    assert sizes == {16} and 'viewBox="0 0 400 ' in chart  # 16 of 400 units: >= 12 px down to a 300 px chart
    for benchmark in ("31\u00a0%", "41\u00a0%", "50\u00a0%"):  # "60 %": a space that never wraps
        assert f">{benchmark}</text>" in chart
    assert chart.count('stroke="#dde2e7"') >= 4  # gridlines at 25, 50, 75, 100
    year = clock.now().year
    q = (clock.now().month - 1) // 3 + 1
    assert f">K{q}</tspan>" in chart and f">{year}</tspan>" in chart and ">(i gang)</tspan>" in chart
    assert 'r="4" fill="#fff"' in chart  # the running quarter's point is hollow...
    starts = page[page.index("<svg", page.index("</svg>")) :]
    assert 'stroke-dasharray="4 4"' in starts[: starts.index("</svg>")]  # ...on a dashed segment
    assert f"{q}. kvt. {year} (i gang)</th>" in page  # and in the table
    # Every scrollable table can be reached by keyboard.
    assert page.count('class="scroll"') == page.count('class="scroll" tabindex="0" role="region"')


def test_filter_by_consultant(client, world, clock):
    world.case_in("employed")  # the consultant's
    login(client, world.coordinator)
    whole = client.get("/coordinator/reports/outcomes.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(whole.lstrip("\ufeff")), delimiter=";"))
    mine = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/coordinator/reports/outcomes.csv?consultant={world.consultant.id}")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            ),
            delimiter=";",
        )
    )
    theirs = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/coordinator/reports/outcomes.csv?consultant={world.colleague.id}")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            ),
            delimiter=";",
        )
    )
    assert rows[-1]["Borgere i forløb"] == mine[-1]["Borgere i forløb"] == "1"
    assert theirs[-1]["Borgere i forløb"] == "0"
    page = client.get(f"/coordinator/reports?consultant={world.colleague.id}").get_data(as_text=True)
    assert f'<option value="{world.colleague.id}" selected>' in page
    assert client.get(f"/coordinator/reports?consultant={world.outsider.id}").status_code == 404


def test_csv_for_danish_excel_and_xlsx_of_the_same_tables(client, world, clock):
    world.case_in("employed")
    login(client, world.coordinator)
    for table in ("reports/outcomes", "caseload", "reports/fidelity"):
        raw = client.get(f"/coordinator/{table}.csv").get_data()
        assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark
        text = raw.decode("utf-8-sig")
        csv_rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert len(csv_rows[0]) > 2 and all(len(r) == len(csv_rows[0]) for r in csv_rows)
        r = client.get(f"/coordinator/{table}.xlsx")
        assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
        sheet = load_workbook(io.BytesIO(r.get_data())).active
        xlsx_rows = [[("" if v is None else v) for v in row] for row in sheet.iter_rows(values_only=True)]
        assert xlsx_rows[0] == csv_rows[0]  # the same Danish headings
        assert len(xlsx_rows) == len(csv_rows)
        # The same cells: numbers are numbers in XLSX and have a decimal comma in the CSV.
        for x_row, c_row in zip(xlsx_rows, csv_rows, strict=True):
            assert [
                str(v).replace(".", ",")
                if isinstance(v, float)
                else v.strftime("%d.%m.%Y")
                if isinstance(v, datetime)
                else str(v)
                for v in x_row
            ] == c_row
    outcomes = list(
        csv.reader(
            io.StringIO(client.get("/coordinator/reports/outcomes.csv").get_data(as_text=True).lstrip("\ufeff")),
            delimiter=";",
        )
    )
    assert outcomes[0][:3] == ["Kvartal", "Definition", "Borgere i forløb"]
    assert outcomes[-1][4] == "100"  # the employment rate of the running quarter, a number
    fid = list(
        csv.reader(
            io.StringIO(client.get("/coordinator/reports/fidelity.csv").get_data(as_text=True).lstrip("\ufeff")),
            delimiter=";",
        )
    )
    assert fid[0] == ["Punkt", "Score", "Tal", "Scoringsgrundlag"] and fid[-1][0] == "Subtotal for data-scorede punkter"


def test_a_decimal_comma_in_the_csv_and_a_number_in_the_xlsx(app):
    from ips_coord.web.spreadsheet import csv_text, xlsx_bytes

    with app.test_request_context():  # Danish, the default
        assert (
            csv_text(["Kvartal", "Rate"], [["4. kvt. 2026", 45.25], ["3. kvt. 2026", None]])
            == "\ufeffKvartal;Rate\r\n4. kvt. 2026;45,2\r\n3. kvt. 2026;\r\n"
        )
        book = xlsx_bytes("Resultater", ["Kvartal", "Rate"], [["4. kvt. 2026", 45.25]])
        sheet = load_workbook(io.BytesIO(book)).active
        assert sheet.title == "Resultater" and sheet["B2"].value == 45.25 and sheet["A1"].font.bold


def test_item_17_scores_the_figure_it_shows(app, world, clock):
    # Two consultants in the team; 16 face-to-face contacts in 4 weeks: 2.0 a week each, which scores 3.
    for i in range(16):
        act.log_employer_contact(
            world.consultant if i % 2 else world.colleague,
            employer_name=f"Firma {i % 3}",
            occurred_at=clock.now() - timedelta(days=1 + i),
            location="community",
            face_to_face=True,
        )
    item = next(i for i in fidelity(world.team.id, clock.now())["items"] if i["item"] == 17)
    assert str(item["figure"]).startswith("2.0 ") and item["score"] == 3
    act.log_employer_contact(
        world.consultant,
        employer_name="Firma 9",
        occurred_at=clock.now() - timedelta(days=2),
        location="community",
        face_to_face=False,
    )  # not face to face: no change
    item = next(i for i in fidelity(world.team.id, clock.now())["items"] if i["item"] == 17)
    assert item["score"] == 3


def test_charts_read_in_danish_and_no_labels_collide(app, client, world, clock):
    """Axis values with a decimal comma and "60 %", the running quarter marked on every chart of the
    page, and x labels thinned so that no two overlap however many quarters there are."""
    from ips_coord.reports.progress import FONT, svg_lines

    world.case_in("employed")
    login(client, world.coordinator)
    page = htmllib.unescape(client.get("/coordinator/reports").get_data(as_text=True))
    charts = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(charts) == 4 and all(">(i gang)</tspan>" in c for c in charts)
    assert ">100\u00a0%</text>" in charts[0] and ">Mål 60\u00a0%</text>" in page
    with app.test_request_context():
        labels = [f"K{q}\n{y}" for y in range(2024, 2027) for q in range(1, 5)]
        svg = svg_lines(
            [("A", "#000", [0.5 + i / 10 for i in range(12)])],
            labels,
            "T",
            low=0,
            partial_last=True,
            partial_label="(i gang)",
        )
    assert ">0,5</text>" in svg and ">1,5</text>" in svg
    xs = [
        (float(x), len(max(t.split("</tspan>"), key=len)))
        for x, t in re.findall(r'<text x="([\d.]+)" y="[\d.]+" font-size="16" text-anchor="[a-z]+">(.*?)</text>', svg)
    ]
    assert 3 <= len(xs) < 12 and xs[-1][0] > 380  # thinned, the last quarter kept
    gaps = [b[0] - a[0] for a, b in pairwise(xs)]
    assert min(gaps) >= len("(i gang)") * FONT * 0.6, gaps


def test_downloads_have_dated_danish_names_and_date_cells(client, world, clock):
    world.case_in("employed")
    login(client, world.coordinator)
    today = clock.now().date().isoformat()
    for path, name in (
        ("reports/outcomes", "resultater"),
        ("reports/fidelity", "fidelitet"),
        ("caseload", "sagsliste"),
    ):
        for ext in ("csv", "xlsx"):
            r = client.get(f"/coordinator/{path}.{ext}")
            assert r.headers["Content-Disposition"] == f"attachment; filename={name}-{today}.{ext}"
    sheet = load_workbook(io.BytesIO(client.get("/coordinator/caseload.xlsx").get_data())).active
    referred = sheet["D2"]
    assert referred.is_date and referred.number_format == "dd.mm.yyyy"
    assert isinstance(sheet["A2"].value, str) and sheet["A2"].value.startswith("IPS-")


def test_the_outcomes_workbook_holds_every_table_of_the_page(client, world, clock):
    world.step(world.case_in("employed", clock), "end_job", end_reason="dismissed")
    login(client, world.coordinator)
    book = load_workbook(io.BytesIO(client.get("/coordinator/reports/outcomes.xlsx").get_data()))
    assert book.sheetnames == ["Resultater", "Ophør efter årsag", "Jobudvikling pr. kvartal"]
    causes = list(book["Ophør efter årsag"].iter_rows(values_only=True))
    assert causes[0][0] == "Kvartal" and "Afskediget" in causes[0]
    column = causes[0].index("Afskediget")
    assert sum(r[column] for r in causes[1:]) == 1 and all(isinstance(r[column], int) for r in causes[1:])
    development = list(book["Jobudvikling pr. kvartal"].iter_rows(values_only=True))
    assert len(development) == 9 and all(isinstance(v, int) for r in development[1:] for v in r[1:])
