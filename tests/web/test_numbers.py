"""Numbers from a URL, a query string or a form: one parser (ips_coord.validation.whole_number),
range-checked to the column, and an answer a person can act on; never a 500. The fuzz test
(test_fuzz_no_5xx.py) sends these values to every query parameter of every page; these tests
say what each kind of place answers."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from ips_coord.validation import INT4_MAX, decimal_number, record_id, whole_number
from tests.conftest import IsolatedClient, make_app
from tests.factories import login

UNICODE_DIGITS = ["²", "٣", "５", "߃", "१२"]  # str.isdigit() is True for each of them
OUT_OF_RANGE = ["99999999999999999999", str(INT4_MAX + 1), str(-INT4_MAX - 2)]


def test_one_parser_takes_ascii_digits_within_the_column_only():
    assert whole_number("42") == 42 and whole_number(" 7 ") == 7 and whole_number("-3") == -3
    assert whole_number(str(INT4_MAX)) == INT4_MAX and record_id("1") == 1
    for bad in [*UNICODE_DIGITS, *OUT_OF_RANGE, "", " ", "1.5", "1e3", "0x10", "+-1", "١٢٣", None, [], True]:
        assert whole_number(bad) is None, bad
        assert record_id(bad) is None, bad
    assert record_id("0") is None and record_id("-1") is None  # no id is 0 or negative
    assert whole_number("5", minimum=1, maximum=4) is None
    assert str(decimal_number("7,5")) == "7.5" and str(decimal_number("20")) == "20"
    for bad in ["NaN", "sNaN", "Infinity", "-inf", "1e999", "٣", "²", "7,5,0", ""]:
        assert decimal_number(bad) is None, bad


@pytest.fixture
def clients(app, world):
    app.test_client_class = IsolatedClient
    made = {who: app.test_client() for who in ("consultant", "coordinator")}
    for who, client in made.items():
        assert login(client, getattr(world, who)).status_code == 302
    return made


def test_an_id_in_a_query_string_is_a_400_naming_it(app, world, clients):
    """The places the attack found (each was a 500): a coordinator's filters, the consultant's
    employer-contact form, the reports and their CSV."""
    coordinator, consultant = clients["coordinator"], clients["consultant"]
    for value in UNICODE_DIGITS + OUT_OF_RANGE + ["abc", "-1", "0"]:
        for client, url in (
            (coordinator, f"/cases?consultant={value}"),
            (coordinator, f"/coordinator/reports?consultant={value}"),
            (coordinator, f"/coordinator/reports/outcomes.csv?consultant={value}"),
            (consultant, f"/employer-contacts/new?employer_id={value}"),
        ):
            resp = client.get(url)
            assert resp.status_code == 400, (url, resp.status_code)
    # A real id still narrows the list; an id of no one in the team is 404 as before.
    assert coordinator.get(f"/cases?consultant={world.consultant.id}").status_code == 200
    assert coordinator.get(f"/cases?consultant={world.admin.id}").status_code == 404
    # A page number that cannot be read is the first page.
    for value in UNICODE_DIGITS + OUT_OF_RANGE:
        assert consultant.get(f"/cases?page={value}").status_code == 200


def test_the_search_box_takes_any_digits(world, clients):
    case = world.case_in("engagement")
    for value in UNICODE_DIGITS + OUT_OF_RANGE + ["IPS-²", "ips ٣", "+45 ５５ ５５", "0" * 30 + "1"]:
        for client in clients.values():
            assert client.post("/search", data={"q": value}).status_code == 200, value
    found = clients["consultant"].post("/search", data={"q": str(case.id)})  # one hit opens the case
    assert found.status_code == 303 and found.headers["Location"].endswith(f"/cases/{case.id}")


def test_an_id_in_a_path_is_a_404(world, clients):
    consultant = clients["consultant"]
    for value in UNICODE_DIGITS + OUT_OF_RANGE + ["0", "-1"]:
        assert consultant.get(f"/cases/{value}").status_code == 404, value
        assert consultant.get(f"/api/v1/cases/{value}").status_code == 404, value


def test_a_number_in_a_form_is_the_form_error(world, clients):
    """The hidden version and every integer or decimal field: the message next to the field."""
    case = world.case_in("engagement")
    consultant = clients["consultant"]
    for value in UNICODE_DIGITS[:2] + OUT_OF_RANGE[:2] + ["NaN", "sNaN", "1e999"]:
        resp = consultant.post(
            f"/cases/{case.id}/transition", data={"event": "start_search", "version": value, "hours_per_week": value}
        )
        body = resp.get_data(as_text=True)
        assert resp.status_code == 400 and case.reference in body, (value, resp.status_code)  # the case page again
        assert 'role="alert"' in body or 'class="error"' in body, value


def test_the_500_page_survives_an_aborted_transaction(app, world):
    """A failed statement leaves a PostgreSQL transaction aborted; the error page then loads the
    user's inbox count and writes logs. It starts from a clean transaction, so the person gets
    the page, not a bare server error."""
    fresh = make_app(app.config["SQLALCHEMY_DATABASE_URI"], PROPAGATE_EXCEPTIONS=False)

    @fresh.get("/fails-in-the-database")
    def _fails():
        from ips_coord.extensions import db

        db.session.execute(text("SELECT * FROM no_such_table"))
        return "unreachable"

    fresh.test_client_class = IsolatedClient
    client = fresh.test_client()
    assert login(client, world.consultant).status_code == 302
    resp = client.get("/fails-in-the-database")
    assert resp.status_code == 500
    assert "Der gik noget galt hos os" in resp.get_data(as_text=True)  # our page, in Danish, with the menu
    assert "Indbakke" in resp.get_data(as_text=True)
