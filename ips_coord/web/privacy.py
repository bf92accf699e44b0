"""The privacy officer's page (databeskyttelsesrådgiver): find a case by its number, see who
has read or changed the citizen's record and who was refused, and run the full export with a
stated reason. Nothing else: no case pages, no lists of citizens."""
from __future__ import annotations

import json
import re

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..access.audit import audit_export, audit_many
from ..access.export import export_citizen
from ..extensions import db
from ..models import AccessLog, IpsCase, User
from ..validation import record_id
from ..workflows.phases import Part, Role
from .coordinator import recent_refusals
from .guards import roles_only

bp = Blueprint("privacy", __name__, url_prefix="/privacy")


class FindCaseForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search

    q = StringField(_l("Case number"), validators=[DataRequired(), Length(max=20)])


class ExportForm(FlaskForm):
    case_id = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason for the export (recorded in the access log)"),
                           validators=[DataRequired(), Length(min=5, max=500)])


bp.before_request(roles_only({Role.PRIVACY_OFFICER}))


def _case_from(text: str | None) -> IpsCase | None:
    """IPS-000123, ips-123 or 123."""
    found = re.fullmatch(r"\s*(?:IPS-?)?0*([0-9]{1,10})\s*", text or "", re.IGNORECASE)
    case_id = record_id(found.group(1)) if found else None
    return db.session.get(IpsCase, case_id) if case_id is not None else None


def _render(case: IpsCase | None, find: FindCaseForm, export: ExportForm, status: int = 200):
    ctx = {"find": find, "export": export, "case": None, "refusals": recent_refusals(None)}
    if case is not None:
        case_ids = db.session.scalars(select(IpsCase.id).where(IpsCase.citizen_id == case.citizen_id)
                                      .order_by(IpsCase.id)).all()
        ctx["case"] = case
        ctx["case_ids"] = case_ids
        ctx["rows"] = db.session.execute(
            select(AccessLog, User).outerjoin(User, User.id == AccessLog.user_id)
            .where(AccessLog.case_id.in_(case_ids))
            .order_by(AccessLog.created_at.desc(), AccessLog.id.desc()).limit(500)).all()
        audit_many(current_user, case_ids, Part.ACCESS_LOG)  # reading the log is itself logged
    return render_template("privacy.html", **ctx), status


@bp.get("")
def index():
    find = FindCaseForm(request.args)
    case = None
    if request.args.get("q") is not None:
        if find.validate():
            case = _case_from(find.q.data)
            if case is None:
                find.q.errors.append(_l("No case with that number."))
        if case is None:
            return _render(None, find, ExportForm(formdata=None), 404 if find.q.data else 400)
    return _render(case, find, ExportForm(formdata=None, case_id=case.id if case else None))


@bp.post("/export")
def export():
    """The citizen's full record as JSON (GDPR art. 15), the reason kept with each row it logs."""
    form = ExportForm()
    case = _case_from(form.case_id.data)
    if case is None:
        abort(404)
    if not form.validate_on_submit():
        return _render(case, FindCaseForm(formdata=None, q=case.reference), form, 400)
    data = export_citizen(case.citizen_id)
    if data is None:  # the citizen was merged away meanwhile
        abort(404)
    audit_export(current_user, case.citizen_id, data, form.reason.data.strip())
    return Response(json.dumps(data, ensure_ascii=False, indent=1), mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename=export-{case.reference}.json"})
