"""Coordinator reports people can read: charts with gridlines, the 31/41/50 % benchmarks, the
running quarter marked, full quarter labels; a filter by consultant; CSV that Danish Excel opens
and XLSX of the same tables (outcomes, caseload, fidelity); item 17's figure and score agree."""
from __future__ import annotations

import csv
import html as htmllib
import io
import re
from datetime import timedelta

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
    chart = page[page.index("<svg"):page.index("</svg>")]
    sizes = {int(s) for s in re.findall(r'font-size="(\d+)"', chart)}
    assert sizes == {16} and 'viewBox="0 0 400 ' in chart  # 16 of 400 units: >= 12 px down to a 300 px chart
    for benchmark in ("31 %", "41 %", "50 %"):
        assert f">{benchmark}</text>" in chart
    assert chart.count('stroke="#dde2e7"') >= 4  # gridlines at 25, 50, 75, 100
    year = clock.now().year
    q = (clock.now().month - 1) // 3 + 1
    assert f">K{q}</tspan>" in chart and f">{year}</tspan>" in chart and ">(i gang)</tspan>" in chart
    assert 'r="4" fill="#fff"' in chart  # the running quarter's point is hollow...
    starts = page[page.index("<svg", page.index("</svg>")):]
    assert 'stroke-dasharray="4 4"' in starts[:starts.index("</svg>")]  # ...on a dashed segment
    assert f"{q}. kvt. {year} (i gang)</th>" in page  # and in the table
    # Every scrollable table can be reached by keyboard.
    assert page.count('class="scroll"') == page.count('class="scroll" tabindex="0" role="region"')


def test_filter_by_consultant(client, world, clock):
    world.case_in("employed")  # the consultant's
    login(client, world.coordinator)
    whole = client.get("/coordinator/reports/outcomes.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(whole.lstrip("\ufeff")), delimiter=";"))
    mine = list(csv.DictReader(io.StringIO(client.get(
        f"/coordinator/reports/outcomes.csv?consultant={world.consultant.id}").get_data(as_text=True).lstrip("\ufeff")),
        delimiter=";"))
    theirs = list(csv.DictReader(io.StringIO(client.get(
        f"/coordinator/reports/outcomes.csv?consultant={world.colleague.id}").get_data(as_text=True).lstrip("\ufeff")),
        delimiter=";"))
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
            assert [str(v).replace(".", ",") if isinstance(v, float) else str(v) for v in x_row] == c_row
    outcomes = list(csv.reader(io.StringIO(client.get("/coordinator/reports/outcomes.csv").get_data(as_text=True)
                                           .lstrip("\ufeff")), delimiter=";"))
    assert outcomes[0][:3] == ["Kvartal", "Definition", "Borgere i forløb"]
    assert outcomes[-1][4] == "100"  # the employment rate of the running quarter, a number
    fid = list(csv.reader(io.StringIO(client.get("/coordinator/reports/fidelity.csv").get_data(as_text=True)
                                      .lstrip("\ufeff")), delimiter=";"))
    assert fid[0] == ["Punkt", "Score", "Tal", "Scoringsgrundlag"] and fid[-1][0] == "Subtotal for data-scorede punkter"


def test_a_decimal_comma_in_the_csv_and_a_number_in_the_xlsx(app):
    from ips_coord.web.spreadsheet import csv_text, xlsx_bytes

    with app.test_request_context():  # Danish, the default
        assert csv_text(["Kvartal", "Rate"], [["4. kvt. 2026", 45.25], ["3. kvt. 2026", None]]) == \
            "\ufeffKvartal;Rate\r\n4. kvt. 2026;45,2\r\n3. kvt. 2026;\r\n"
        book = xlsx_bytes("Resultater", ["Kvartal", "Rate"], [["4. kvt. 2026", 45.25]])
        sheet = load_workbook(io.BytesIO(book)).active
        assert sheet.title == "Resultater" and sheet["B2"].value == 45.25 and sheet["A1"].font.bold


def test_item_17_scores_the_figure_it_shows(app, world, clock):
    # Two consultants in the team; 16 face-to-face contacts in 4 weeks: 2.0 a week each, which scores 3.
    for i in range(16):
        act.log_employer_contact(world.consultant if i % 2 else world.colleague, employer_name=f"Firma {i % 3}",
                                 occurred_at=clock.now() - timedelta(days=1 + i), location="community",
                                 face_to_face=True)
    item = next(i for i in fidelity(world.team.id, clock.now())["items"] if i["item"] == 17)
    assert str(item["figure"]).startswith("2.0 ") and item["score"] == 3
    act.log_employer_contact(world.consultant, employer_name="Firma 9", occurred_at=clock.now() - timedelta(days=2),
                             location="community", face_to_face=False)  # not face to face: no change
    item = next(i for i in fidelity(world.team.id, clock.now())["items"] if i["item"] == 17)
    assert item["score"] == 3
