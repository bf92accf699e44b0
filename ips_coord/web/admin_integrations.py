"""The admin's page for system integrations: organisations' service tokens, webhook endpoints
and the webhook delivery log with "send again" (the same as /api/v1/admin/...)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from .. import labels
from ..access.audit import audit_many
from ..extensions import db
from ..i18n import translate
from ..models import Organisation, WebhookDelivery, WebhookEndpoint
from ..services import ServiceError
from ..services import integrations as svc
from ..workflows.phases import AccessAction, AuditPart, Role, ServiceScope
from .case_forms import MultiCheckboxField, _c
from .forms import EmptyForm, SafeForm, WholeNumberField, coerce_id
from .guards import roles_only

bp = Blueprint("admin_integrations", __name__, url_prefix="/admin/integrations")
RECENT_DELIVERIES = 50


class ServiceTokenForm(SafeForm):
    organisation_id = SelectField(_l("Organisation"), coerce=coerce_id, validators=[InputRequired()])
    name = StringField(_l("Name of the system"), validators=[DataRequired(), Length(max=100)])
    scopes = MultiCheckboxField(_l("Permissions"), choices=_c(labels.SERVICE_SCOPES), validators=[DataRequired()])
    days = WholeNumberField(_l("Valid for (days)"), validators=[InputRequired(), NumberRange(1, svc.MAX_TOKEN_DAYS)])


class WebhookForm(SafeForm):
    token_id = SelectField(_l("Service token"), coerce=coerce_id, validators=[InputRequired()])
    url = StringField(_l("Address (https://)"), validators=[DataRequired(), Length(max=500)])
    kinds = MultiCheckboxField(_l("Changes to send"), choices=_c(labels.CHANGE_KINDS), validators=[DataRequired()])


bp.before_request(roles_only({Role.ADMIN}))


def _forms(token_form: ServiceTokenForm | None = None, webhook_form: WebhookForm | None = None):
    if token_form is None:
        token_form = ServiceTokenForm(prefix="t", days=current_app.config["SERVICE_TOKEN_DAYS"])
    webhook_form = webhook_form or WebhookForm(prefix="w")
    orgs = db.session.scalars(
        select(Organisation).where(Organisation.kind.in_(svc.INTEGRATION_ORG_KINDS)).order_by(Organisation.name)
    )
    token_form.organisation_id.choices = [(o.id, o.name) for o in orgs]
    webhook_form.token_id.choices = [
        (t.id, f"{t.name} (#{t.id})")
        for t in svc.service_tokens()
        if svc.token_state(t) == svc.TokenState.ACTIVE and ServiceScope.WEBHOOKS_RECEIVE in (t.scopes or [])
    ]
    return token_form, webhook_form


def _page(token_form=None, webhook_form=None, status=200, **shown):
    token_form, webhook_form = _forms(token_form, webhook_form)
    tokens = svc.service_tokens()
    endpoints = list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id.desc())))
    deliveries = list(
        db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(RECENT_DELIVERIES))
    )
    audit_many(current_user, {d.case_id for d in deliveries}, AuditPart.WEBHOOK_DELIVERY)
    return render_template(
        "admin_integrations.html",
        tokens=tokens,
        endpoints=endpoints,
        deliveries=deliveries,
        token_form=token_form,
        webhook_form=webhook_form,
        form=EmptyForm(),
        SCOPES=labels.SERVICE_SCOPES,
        CHANGE_KINDS=labels.CHANGE_KINDS,
        STATUSES=labels.WEBHOOK_STATUSES,
        token_state=svc.token_state,
        **shown,
    ), status


@bp.get("")
def index():
    return _page()


def _refused(form: SafeForm, exc: ServiceError) -> None:
    field = getattr(form, exc.field or "", None)
    message = translate(exc.message)
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


@bp.post("/tokens")
def create_token():
    form = ServiceTokenForm(prefix="t")
    _forms(form)
    if not form.validate_on_submit():
        return _page(token_form=form, status=400)
    try:
        token, row = svc.create_service_token(
            current_user, form.organisation_id.data, form.name.data, form.scopes.data, form.days.data
        )
    except ServiceError as exc:
        _refused(form, exc)
        return _page(token_form=form, status=400)
    return _page(new_token=token, new_token_row=row)  # shown this once, never again


@bp.post("/tokens/<id:token_id>/revoke")
def revoke_token(token_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        svc.revoke_service_token(token_id, current_user._get_current_object())
    except ServiceError:
        abort(404)
    flash(_l("The token is revoked."), "ok")
    return redirect(url_for("admin_integrations.index"))


@bp.post("/webhooks")
def register_webhook():
    form = WebhookForm(prefix="w")
    _forms(webhook_form=form)
    if not form.validate_on_submit():
        return _page(webhook_form=form, status=400)
    try:
        endpoint = svc.register_webhook(current_user, form.token_id.data, form.url.data, form.kinds.data)
    except ServiceError as exc:
        _refused(form, exc)
        return _page(webhook_form=form, status=400)
    return _page(new_endpoint=endpoint)  # its secret is shown this once


@bp.post("/webhooks/<id:endpoint_id>/disable")
def disable_webhook(endpoint_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        svc.disable_webhook(endpoint_id)
    except ServiceError:
        abort(404)
    flash(_l("The webhook is disabled."), "ok")
    return redirect(url_for("admin_integrations.index"))


@bp.post("/deliveries/<id:delivery_id>/resend")
def resend(delivery_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        row = svc.resend_delivery(delivery_id)
    except ServiceError as exc:
        if exc.status == 404:
            abort(404)
        flash(translate(exc.message), "error")
        return redirect(url_for("admin_integrations.index"))
    audit_many(current_user, [row.case_id], AuditPart.WEBHOOK_DELIVERY, AccessAction.WRITE)
    flash(_l("The delivery will be sent again."), "ok")
    return redirect(url_for("admin_integrations.index"))


__all__ = ["bp"]
