"""The privacy officer's page (databeskyttelsesrådgiver): find a case by its number, see who
has read or changed the citizen's record and who was refused, and run the full export with a
stated reason; and the second pair of eyes on organisations' service tokens: approve or reject
them, and see who made, approved and used each. Nothing else: no case pages, no lists of
citizens."""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from .. import labels
from ..access.audit import audit_export, audit_many
from ..access.export import export_citizen
from ..extensions import db
from ..i18n import translate
from ..models import AccessLog, ApiToken, IpsCase, User
from ..services import ServiceError, integrations
from ..validation import record_id
from ..workflows.phases import AuditPart, Part, Role
from .coordinator import recent_refusals
from .forms import EmptyForm
from .guards import roles_only

TOKEN_EVENTS = 100  # the newest rows about service tokens shown

bp = Blueprint("privacy", __name__, url_prefix="/privacy")


class FindCaseForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search

    q = StringField(_l("Case number"), validators=[DataRequired(), Length(max=20)])


class ExportForm(FlaskForm):
    case_id = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(
        _l("Reason for the export (recorded in the access log)"), validators=[DataRequired(), Length(min=5, max=500)]
    )


bp.before_request(roles_only({Role.PRIVACY_OFFICER}))


def _case_from(text: str | None) -> IpsCase | None:
    """IPS-000123, ips-123 or 123."""
    found = re.fullmatch(r"\s*(?:IPS-?)?0*([0-9]{1,10})\s*", text or "", re.IGNORECASE)
    case_id = record_id(found.group(1)) if found else None
    return db.session.get(IpsCase, case_id) if case_id is not None else None


def people_behind(user_ids) -> dict[int, ApiToken]:
    """An integration account's one service token, which names the people behind its reads."""
    ids = {uid for uid in user_ids if uid is not None}
    if not ids:
        return {}
    return {
        t.user_id: t
        for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id.in_(ids), ApiToken.scopes.is_not(None)))
    }


def _token_context() -> dict:
    tokens = integrations.service_tokens()
    events = db.session.execute(
        select(AccessLog, User)
        .outerjoin(User, User.id == AccessLog.user_id)
        .where(AccessLog.part == AuditPart.SERVICE_TOKEN)
        .order_by(AccessLog.created_at.desc(), AccessLog.id.desc())
        .limit(TOKEN_EVENTS)
    ).all()
    return {
        "tokens": tokens,
        "token_events": events,
        "token_state": integrations.token_state,
        "TOKEN_EVENTS": labels.TOKEN_EVENTS,
        "SCOPES": labels.SERVICE_SCOPES,
        "may_approve": lambda t: integrations.may_approve(current_user, t),
        "form": EmptyForm(),
    }


def _render(case: IpsCase | None, find: FindCaseForm, export: ExportForm, status: int = 200, **shown):
    refusals = recent_refusals(None)
    ctx = {"find": find, "export": export, "case": None, "refusals": refusals, **_token_context(), **shown}
    if case is not None:
        case_ids = db.session.scalars(
            select(IpsCase.id).where(IpsCase.citizen_id == case.citizen_id).order_by(IpsCase.id)
        ).all()
        ctx["case"] = case
        ctx["case_ids"] = case_ids
        ctx["rows"] = db.session.execute(
            select(AccessLog, User)
            .outerjoin(User, User.id == AccessLog.user_id)
            .where(AccessLog.case_id.in_(case_ids))
            .order_by(AccessLog.created_at.desc(), AccessLog.id.desc())
            .limit(500)
        ).all()
        audit_many(current_user, case_ids, Part.ACCESS_LOG)  # reading the log is itself logged
    ctx["behind"] = people_behind([user.id for _row, user in [*ctx.get("rows", []), *refusals] if user is not None])
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
    return Response(
        json.dumps(data, ensure_ascii=False, indent=1),
        mimetype="application/json",
        headers={"Content-Disposition": f"attachment; filename=export-{case.reference}.json"},
    )


@bp.post("/service-tokens/<id:token_id>/approve")
def approve_token(token_id: int):
    """The second pair of eyes on a service token; the approver's half is shown this once."""
    return _decide_token(token_id, "approve")


@bp.post("/service-tokens/<id:token_id>/reject")
def reject_token(token_id: int):
    return _decide_token(token_id, "reject")


def _decide_token(token_id: int, decision: str):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        if decision == "reject":
            integrations.reject_service_token(current_user, token_id)
        else:
            half, row = integrations.approve_service_token(current_user, token_id)
            return _render(
                None, FindCaseForm(formdata=None), ExportForm(formdata=None), approver_half=half, approved_row=row
            )
    except ServiceError as exc:
        if exc.status == 404:
            abort(404)
        flash(translate(exc.message), "error")
        return redirect(url_for("privacy.index"))
    flash(_l("The service token is rejected."), "ok")
    return redirect(url_for("privacy.index"))
