"""Search from every page: a citizen by name, case number or phone, among the user's own cases.

The query is sent by POST (a name or a phone number is personal data: never in a URL, so never in
an access log line of the server or a proxy, nor in the browser's history); the results page is
the answer to the POST. Every case shown is a read of its identity, logged in one INSERT."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import SearchField
from wtforms.validators import DataRequired, Length

from ..access.audit import audit_many, shows_no_citizen_data
from ..access.search import MAX_RESULTS, search_cases
from ..workflows.phases import Part, Role
from .forms import SafeForm

bp = Blueprint("search", __name__)
# The roles related to cases (the privacy officer looks a case up on its own page; admin sees none).
SEARCHING_ROLES = (Role.IPS_CONSULTANT, Role.COORDINATOR, Role.PSYCHIATRY, Role.JOBCENTER)


class SearchForm(SafeForm):
    q = SearchField(_l("Find a citizen"), validators=[DataRequired(), Length(max=100)])


def _allowed() -> None:
    if current_user.role not in SEARCHING_ROLES:
        abort(404)


@bp.get("/search")
@login_required
@shows_no_citizen_data  # the empty form
def form():
    _allowed()
    return render_template("search.html", form=SearchForm(formdata=None), results=None)


@bp.post("/search")
@login_required
def results():
    _allowed()
    form = SearchForm()
    if not form.validate():
        return render_template("search.html", form=form, results=None), 400
    found = search_cases(current_user, form.q.data)
    audit_many(current_user, [f.case_id for f in found], Part.IDENTITY)
    if len(found) == 1:  # one hit: open the case (the read above is logged; the case page logs its own)
        return redirect(url_for("case_page.detail", case_id=found[0].case_id), 303)
    return render_template("search.html", form=form, results=found, limit=MAX_RESULTS)
