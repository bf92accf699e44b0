"""The admin role in the browser: users (create, role, organisation, deactivate), organisations,
and everyone's personal API tokens (list, revoke). The admin sees no case content: these pages
read users, organisations and tokens only, and the admin's access to cases is what the access
policy gives the role (nothing). Organisation-level service tokens and webhooks live on their
own admin page, beside this one."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from .. import labels
from ..access.audit import shows_no_citizen_data
from ..extensions import db
from ..i18n import translate
from ..models import ApiToken, Organisation, User
from ..notifications.tasks import wake_delivery
from ..services import ServiceError
from ..services import admin as admin_svc
from ..validation import record_id
from ..workflows.phases import OrgKind, Role
from .forms import EmptyForm, SafeForm
from .guards import roles_only

bp = Blueprint("admin", __name__, url_prefix="/admin")


bp.before_request(roles_only({Role.ADMIN}))


def _org_choices() -> list[tuple[str, str]]:
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return [("", _("None"))] + [(str(o.id), o.name) for o in orgs]


def _role_choices() -> list[tuple[str, str]]:
    return [(r.value, str(labels.ROLES[r])) for r in Role]


class UserForm(SafeForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(),
            Length(max=254),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Invalid email address.")),
        ],
    )
    role = SelectField(_l("Role"), validators=[DataRequired()])
    organisation_id = SelectField(_l("Organisation"), validators=[Optional()])
    locale = SelectField(_l("Language of e-mails"), choices=[("da", "Dansk"), ("en", "English")], default="da")


class EditUserForm(SafeForm):
    role = SelectField(_l("Role"), validators=[DataRequired()])
    organisation_id = SelectField(_l("Organisation"), validators=[Optional()])
    active = BooleanField(_l("Active (may log in)"))


class OrganisationForm(SafeForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    municipality = StringField(_l("Municipality"), validators=[Optional(), Length(max=100)])


def _with_choices(form):
    if hasattr(form, "role"):
        form.role.choices = _role_choices()
    if hasattr(form, "organisation_id"):
        form.organisation_id.choices = _org_choices()
    if hasattr(form, "kind"):
        form.kind.choices = [(k.value, str(labels.ORG_KINDS[k])) for k in OrgKind]
    return form


def _org_id(value: str | None) -> int | None:
    return record_id(value)


def _field_error(form, exc: ServiceError) -> None:
    target = getattr(form, exc.field, None) if exc.field else None
    (target.errors if target is not None and isinstance(target.errors, list) else form.form_errors).append(
        translate(exc.message)
    )


@bp.get("")
@shows_no_citizen_data  # a redirect
def index():
    return redirect(url_for("admin.users"))


def _users_page(form: UserForm, status: int = 200):
    return render_template("admin_users.html", users=admin_svc.users(), form=form), status


@bp.route("/users", methods=["GET", "POST"])
@shows_no_citizen_data  # staff accounts only
def users():
    form = _with_choices(UserForm())
    if not form.is_submitted():
        return _users_page(form)
    if not form.validate():
        return _users_page(form, 400)
    try:
        user = admin_svc.create_user(
            current_user,
            email=form.email.data,
            name=form.name.data,
            role=form.role.data,
            organisation_id=_org_id(form.organisation_id.data),
            locale=form.locale.data,
            secret_key=current_app.config["SECRET_KEY"],
            link=lambda token: current_app.config["BASE_URL"] + url_for("account.reset") + "#" + token,
        )
    except ServiceError as exc:
        _field_error(form, exc)
        return _users_page(form, exc.status)
    wake_delivery()
    flash(_("%(name)s is created and gets an e-mail to choose a password.", name=user.name), "ok")
    return redirect(url_for("admin.users"))


def _user_page(user: User, form: EditUserForm, status: int = 200):
    tokens = db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
    ).all()
    return render_template("admin_user.html", user=user, form=form, tokens=tokens, empty_form=EmptyForm()), status


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
@shows_no_citizen_data  # one staff account and its tokens
def user(user_id: int):
    row = db.session.get(User, user_id)
    if row is None:
        abort(404)
    if not EditUserForm().is_submitted():
        form = _with_choices(
            EditUserForm(
                formdata=None, role=row.role.value, organisation_id=str(row.organisation_id or ""), active=row.active
            )
        )
        return _user_page(row, form)
    form = _with_choices(EditUserForm())
    if not form.validate():
        return _user_page(row, form, 400)
    try:
        admin_svc.update_user(
            current_user,
            row,
            role=form.role.data,
            organisation_id=_org_id(form.organisation_id.data),
            active=form.active.data,
        )
    except ServiceError as exc:
        _field_error(form, exc)
        db.session.expire_all()
        return _user_page(db.session.get_one(User, user_id), form, exc.status)
    flash(_("Saved: %(name)s.", name=row.name), "ok")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.get("/tokens")
@shows_no_citizen_data  # token names, prefixes and dates
def tokens():
    rows = db.session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
        .limit(500)
    ).all()
    return render_template("admin_tokens.html", rows=rows, empty_form=EmptyForm())


@bp.post("/tokens/<id:token_id>/revoke")
def revoke_token(token_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        row = admin_svc.revoke_token(current_user, token_id)
    except ServiceError:
        abort(404)
    flash(_("The token %(prefix)s… is revoked.", prefix=row.prefix), "ok")
    return redirect(url_for("admin.tokens"))


@bp.route("/organisations", methods=["GET", "POST"])
@shows_no_citizen_data  # organisations only
def organisations():
    form = _with_choices(OrganisationForm())
    status = 200
    if form.is_submitted():
        if form.validate():
            try:
                org = admin_svc.create_organisation(
                    current_user, name=form.name.data, kind=form.kind.data, municipality=form.municipality.data
                )
            except ServiceError as exc:
                _field_error(form, exc)
                status = exc.status
            else:
                flash(_("%(name)s is created.", name=org.name), "ok")
                return redirect(url_for("admin.organisations"))
        else:
            status = 400
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.kind, Organisation.name)).all()
    counts: dict[int | None, int] = {
        org_id: n
        for org_id, n in db.session.execute(
            select(User.organisation_id, func.count()).where(User.active).group_by(User.organisation_id)
        )
    }
    return render_template("admin_organisations.html", orgs=orgs, counts=counts, form=form), status
