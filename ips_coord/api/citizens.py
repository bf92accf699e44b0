from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from ..access import case_filter
from ..access.audit import audit_many
from ..access.export import export_citizen
from ..extensions import db
from ..models import Citizen, IpsCase
from ..workflows.phases import Role
from .common import check_case_access, errors, paginate, require_login
from .schemas import CitizenSchema, ExportSchema, PageArgs, page_of

blp = Blueprint("api_citizens", __name__, description="Citizens in IPS (only those on cases you relate to)")
blp.before_request(require_login)
blp.before_request(check_case_access)


def _visible_citizens():
    return select(Citizen).where(Citizen.id.in_(select(IpsCase.citizen_id).where(case_filter(current_user))))


@blp.route("/citizens")
class Citizens(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(CitizenSchema))
    @errors(blp, 401)
    def get(self, args):
        """List citizens on your cases"""
        return paginate(_visible_citizens(), args, (Citizen.last_name, Citizen.first_name, Citizen.id))


@blp.route("/citizens/<id:citizen_id>")
class CitizenDetail(MethodView):
    @blp.response(200, CitizenSchema)
    @errors(blp, 401, 404)
    def get(self, citizen_id):
        """One citizen"""
        citizen = db.session.scalar(_visible_citizens().where(Citizen.id == citizen_id))
        if citizen is None:
            abort(404, message="No such citizen.")
        audit_many(current_user, db.session.scalars(select(IpsCase.id).where(IpsCase.citizen_id == citizen.id)
                                                    .where(case_filter(current_user))).all(), "identity")
        return citizen


@blp.route("/citizens/<id:citizen_id>/export")
class CitizenExport(MethodView):
    @blp.response(200, ExportSchema)
    @errors(blp, 401, 403, 404)
    def get(self, citizen_id):
        """Everything held about the citizen, including the access log (GDPR art. 15). Coordinator only."""
        citizen = db.session.scalar(_visible_citizens().where(Citizen.id == citizen_id))
        if citizen is None:
            abort(404, message="No such citizen.")
        if current_user.role != Role.COORDINATOR:
            abort(403, message="Exports are made by the coordinator.")
        audit_many(current_user, db.session.scalars(select(IpsCase.id).where(IpsCase.citizen_id == citizen.id)).all(),
                   "export")
        return export_citizen(citizen.id)
