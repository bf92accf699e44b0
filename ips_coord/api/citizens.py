from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from ..access import case_filter
from ..access.audit import audit
from ..extensions import db
from ..models import Citizen, IpsCase
from .common import errors, paginate, require_login
from .schemas import CitizenSchema, PageArgs, page_of

blp = Blueprint("api_citizens", __name__, description="Citizens in IPS (only those on cases you relate to)")
blp.before_request(require_login)


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
        audit(current_user, None, "read", f"citizen:{citizen.id}")
        return citizen
