from collections.abc import Collection
from typing import Any

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from sqlalchemy import Select, select

from ..access import case_filter
from ..access.audit import audit_cpr_shown, audit_export, audit_many
from ..access.export import export_citizen
from ..access.policy import access_for
from ..clock import local_today, utcnow
from ..extensions import db
from ..models import Citizen, IpsCase
from ..sealed import open_cpr
from ..workflows.phases import Part, Role
from .common import check_case_access, errors, paginate, require_login
from .schemas import CitizenSchema, CprSchema, ExportArgs, ExportSchema, PageArgs, page_of
from .shapes import output

blp = Blueprint("api_citizens", __name__, description="Citizens in IPS (only those on cases you relate to)")
blp.before_request(require_login)
blp.before_request(check_case_access)


def _visible_citizens() -> Select[tuple[Citizen]]:
    return select(Citizen).where(Citizen.id.in_(select(IpsCase.citizen_id).where(case_filter(current_user))))


def _audit_identity(citizen_ids: Collection[int]) -> None:
    """Seeing a citizen is a read of identity on each of their cases the reader relates to: one INSERT."""
    if citizen_ids:
        audit_many(
            current_user,
            db.session.scalars(
                select(IpsCase.id).where(IpsCase.citizen_id.in_(citizen_ids), case_filter(current_user))
            ).all(),
            Part.IDENTITY,
        )


@blp.route("/citizens")
class Citizens(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(CitizenSchema))
    @errors(blp, 401)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List citizens on your cases"""
        page = paginate(_visible_citizens(), args, (Citizen.last_name, Citizen.first_name, Citizen.id))
        _audit_identity([c.id for c in page["items"]])
        return page


@blp.route("/citizens/<id:citizen_id>")
class CitizenDetail(MethodView):
    @blp.response(200, output(CitizenSchema))
    @errors(blp, 401, 404)
    def get(self, citizen_id: int) -> Citizen | None:
        """One citizen"""
        citizen = db.session.scalar(_visible_citizens().where(Citizen.id == citizen_id))
        if citizen is None:
            abort(404, message="No such citizen.")
            return None
        _audit_identity([citizen.id])
        return citizen


@blp.route("/citizens/<id:citizen_id>/export")
class CitizenExport(MethodView):
    @blp.arguments(ExportArgs, location="query")
    @blp.response(200, output(ExportSchema))
    @errors(blp, 400, 401, 404)
    def get(self, args: dict[str, Any], citizen_id: int) -> dict[str, Any] | None:
        """Everything about the citizen you may read, per case under your role and the live consents.

        The privacy officer (databeskyttelsesrådgiver) gets the full export (GDPR art. 15),
        including the access log, and must state a `reason`: it is recorded with the export."""
        if current_user.role == Role.PRIVACY_OFFICER:
            reason = (args.get("reason") or "").strip()
            if len(reason) < 5:
                abort(
                    400,
                    message="State the reason for the export.",
                    errors={"reason": ["State the reason for the export (at least 5 characters)."]},
                )
            result = export_citizen(citizen_id)
            if result is None:
                abort(404, message="No such citizen.")
        else:
            if db.session.scalar(_visible_citizens().where(Citizen.id == citizen_id)) is None:
                abort(404, message="No such citizen.")
            reason = None
            result = export_citizen(citizen_id, reader=current_user)
        if result is None:  # the citizen was merged away meanwhile
            abort(404, message="No such citizen.")
            return None
        audit_export(current_user, citizen_id, result, reason)
        return result


@blp.route("/citizens/<id:citizen_id>/cpr")
class CitizenCpr(MethodView):
    @blp.response(200, output(CprSchema))
    @errors(blp, 401, 404)
    def post(self, citizen_id: int) -> dict[str, str] | None:
        """Show the citizen's full CPR number

        Only to a user whose role may read the citizen's identity on one of their cases; the
        request is itself a row in the access log (target `cpr`). Service tokens get the masked
        number only."""
        citizen = db.session.scalar(_visible_citizens().where(Citizen.id == citizen_id))
        today = local_today(utcnow())
        cases = (
            []
            if citizen is None
            else [
                c
                for c in db.session.scalars(
                    select(IpsCase).where(IpsCase.citizen_id == citizen.id, case_filter(current_user))
                )
                if (a := access_for(current_user, c, today)) is not None and a.can_read(Part.IDENTITY)
            ]
        )
        digits = open_cpr(citizen.cpr_encrypted) if citizen is not None and cases else None
        if digits is None:
            abort(404, message="No such citizen, or no CPR number on record.")
            return None
        audit_cpr_shown(current_user, cases[0].id)
        return {"cpr": f"{digits[:6]}-{digits[6:]}"}
