"""The shared case page and everything a user can do on it. Each part is shown and each form
accepted only as the access policy allows; errors re-render the page with the message next
to the field and everything typed kept."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import and_, or_, select
from wtforms.fields.choices import SelectChoice

from ..access import authorize, relation_to_case, visible_case_or_404
from ..access.audit import audit, audit_cpr_shown, audit_parts, shows_no_citizen_data
from ..access.policy import Access, event_view
from ..clock import local_today, local_tz, to_local, utcnow
from ..cpr import mask as mask_cpr
from ..cpr import parse as parse_cpr
from ..extensions import db
from ..i18n import translate
from ..labels import CATEGORIES
from ..models import (
    Admission,
    BenefitFact,
    CareerProfile,
    CaseEvent,
    CitizenNote,
    Consent,
    Contact,
    EmployerContact,
    FollowUp,
    IpsCase,
    JobEndingReview,
    Notification,
    Organisation,
    ParallelIntervention,
    Placement,
    PlanAction,
    PlanGoal,
    ProgressRating,
    SharedHealthInfo,
    User,
)
from ..services import Conflict, ServiceError
from ..services import activities as svc
from ..services import identity as identity_svc
from ..services.guides import team_guides
from ..services.notifications import acknowledge
from ..services.transitions import apply_event
from ..workflows import allowed_events
from ..workflows.phases import (
    AccessAction,
    Adjustment,
    AuditPart,
    ContactKind,
    FollowUpKind,
    FollowUpStatus,
    NotificationStatus,
    OrgKind,
    Part,
    Phase,
    Role,
)
from .assignment import case_context
from .case_forms import (
    EVENT_FIELDS,
    ConsentForm,
    ContactForm,
    ProfileForm,
    ReferralForm,
    ReviewForm,
    SharedHealthInfoForm,
    StepForm,
    TransitionForm,
    WithdrawConsentForm,
)
from .case_sections import (
    FORM_SECTION,
    flash_in,
    form_or_closed,
    is_open,
    next_section,
    note_parts_present,
    open_sections,
    shown_rows,
)
from .follow_up_actions import answer_label, answer_url, one_tap
from .forms import EmptyForm
from .guards import safe_next
from .outcome_messages import what_happened
from .plan_parts import plan_context
from .sector_parts import sectors_context

bp = Blueprint("case_page", __name__)
CONTACT_KINDS = frozenset(k.value for k in ContactKind)


def _aware(value: datetime) -> datetime:
    """A time typed into a form is Copenhagen wall-clock time; stored as UTC."""
    return value.replace(tzinfo=local_tz()).astimezone(UTC) if value.tzinfo is None else value


def _local_input(now: datetime) -> datetime:
    """The default of a date-time field: now on a Copenhagen wall clock, to the minute."""
    return to_local(now).replace(tzinfo=None, second=0, microsecond=0)


def _psychiatry_choices(case: IpsCase):
    """Clinicians of the region the case already works with (a national installation has
    hundreds), and the case's own contact; all of them when the case has no psychiatry contact
    yet. Names only: the page's header takes its names from the parts probe."""
    people = select(User.id, User.name).where(User.role == Role.PSYCHIATRY, User.active).order_by(User.name)
    if case.psychiatry_contact_id:
        region = select(User.organisation_id).where(User.id == case.psychiatry_contact_id).scalar_subquery()
        people = people.where((User.organisation_id == region) | (User.id == case.psychiatry_contact_id))
    return [SelectChoice(uid, name) for uid, name in db.session.execute(people)]


def _case_and_access(case_id: int, part: str, write: bool, log: bool = True):
    return authorize(current_user, case_id, part, write, log=log)


def render_case(case: IpsCase, access: Access, status: int = 200, **forms: Any) -> tuple[str, int]:
    """The page, with any form that failed passed in to keep what was typed. Each table is read
    once: the rows several parts show (open follow-ups, history, consents, notifications) are
    read here and passed down."""
    now = utcnow()
    rows = _shared_rows(case, access)
    # The job-ending review opens by itself while it is due: it is the case's next step.
    review_due = case.phase == Phase.JOB_ENDED and any(
        f.kind == FollowUpKind.JOB_ENDING_REVIEW for f in rows.get("open_follow_ups", ())
    )
    opened = open_sections(forms, {"review"} if review_due else set())
    ctx: dict[str, Any] = {
        "case": case,
        "access": access,
        "now": now,
        "today": local_today(now),
        "forms": {},
        "opened": opened,
        "answer_url": answer_url,
        "answer_label": answer_label,
        "one_tap": one_tap,
        "in_sections": True,
        "event_fields": EVENT_FIELDS,
    }
    ctx.update(_next_steps(case, access, forms, now))
    ctx.update(_record_forms(case, access, forms, now))
    ctx.update(_readable_parts(case, access, forms, rows))
    plan_ctx, plan_parts = plan_context(case, access, forms, rows)
    ctx.update(plan_ctx)
    extra_ctx, extra_parts = case_context(case, access, rows)
    ctx.update(extra_ctx)
    sectors_ctx, sectors_parts = sectors_context(case, access, forms, rows)
    ctx.update(sectors_ctx)
    plan_parts = set(plan_parts) | extra_parts | sectors_parts
    _log_shown(case, access, ctx, plan_parts)
    ctx["to_acknowledge"] = rows["to_acknowledge"]
    ctx["staff"] = rows["staff"]
    ctx["empty_form"] = EmptyForm()
    citizen = case.citizen
    ctx["cpr_masked"] = _masked_cpr(citizen) if access.can_read(Part.IDENTITY) else None
    ctx["cpr_full"] = identity_svc.cpr_of(citizen) if forms.get("cpr_shown") else None
    return render_template("case_page.html", **ctx), status


# The parts read only when they have rows (one probe for all); the history, the follow-ups and
# the notifications nearly always have some.
PROBED_PARTS = [
    CareerProfile,
    Consent,
    Contact,
    JobEndingReview,
    Placement,
    EmployerContact,
    SharedHealthInfo,
    BenefitFact,
    PlanGoal,
    PlanAction,
    ParallelIntervention,
    ProgressRating,
    CitizenNote,
    Admission,
]


CASE_STAFF = ("consultant", "psychiatry_contact", "coordinating_professional")


class StaffName(NamedTuple):
    name: str
    role: str


def _shared_rows(case: IpsCase, access: Access) -> dict[str, Any]:
    """The rows more than one part of the page uses, each table read once: the open follow-ups
    (the list, the due review, the rating round), the history (the list, the participation
    agreement, the assignments' names), the consents (the list, who sees what), the placements
    (the list, the running job's supports and terms) and the notifications (withheld for lack of
    consent, and those awaiting this reader's acknowledgement). A key is absent when the reader
    may not read its part (its users then read what they need)."""
    rows: dict[str, Any] = {}
    # The names (and roles) of the case's consultant, psychiatry contact and coordinating
    # professional, for the page's header, ride on the probe: loading each as a user would cost
    # a statement per person not already loaded.
    ids = [getattr(case, f"{relation}_id") for relation in CASE_STAFF]
    also = [select(column).where(User.id == i).scalar_subquery() for i in ids if i for column in (User.name, User.role)]
    found = iter(note_parts_present(case.id, PROBED_PARTS, also))
    rows["staff"] = {
        r: (StaffName(next(found), next(found)) if i else None) for r, i in zip(CASE_STAFF, ids, strict=True)
    }
    if access.can_read(Part.FOLLOW_UPS) or case.phase == Phase.JOB_ENDED:
        rows["open_follow_ups"] = shown_rows(
            FollowUp, case.id, FollowUp.due_at, where=[FollowUp.status == FollowUpStatus.OPEN]
        )
    if access.can_read(Part.HISTORY):
        rows["events"] = shown_rows(CaseEvent, case.id, CaseEvent.seq.desc())
    if access.can_read(Part.CONSENTS):
        rows["consents"] = shown_rows(Consent, case.id, Consent.given_at.desc(), Consent.id.desc(), entities=True)
    if access.can_read(Part.PLACEMENTS):  # the list, and the running job's supports and terms
        rows["placements"] = shown_rows(Placement, case.id, Placement.start_date.desc(), Placement.id.desc())
    # Never sent: a withheld notification awaits a consent, not an acknowledgement.
    mine = and_(
        Notification.recipient_id == current_user.id,
        Notification.awaiting_ack(),
        Notification.status != NotificationStatus.WITHHELD,
    )
    shows_withheld = access.can_read(Part.HISTORY) and access.can_read(Part.CONSENTS)
    notifications = db.session.scalars(
        select(Notification)
        .where(
            Notification.case_id == case.id,
            or_(mine, Notification.status == NotificationStatus.WITHHELD) if shows_withheld else mine,
        )
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    ).all()
    rows["to_acknowledge"] = [n for n in notifications if n.status != NotificationStatus.WITHHELD]
    if shows_withheld:
        rows["withheld"] = [n for n in notifications if n.status == NotificationStatus.WITHHELD]
    return rows


def _next_steps(case: IpsCase, access: Access, forms: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The events allowed now, each offered as a link; a form is built only for the steps opened
    (their link, or the one that failed, which keeps what was typed)."""
    events = allowed_events(case.phase) if access.can_write(Part.PHASE) else []
    opened = [e for e in events if is_open(next_section(e))]
    # Only enrolment and re-entry name a psychiatry contact: read the list only when one is open.
    names_contact = any("psychiatry_contact_id" in EVENT_FIELDS.get(e, ()) for e in opened)
    psychiatry = _psychiatry_choices(case) if names_contact else []
    transition_forms: dict[str, Any] = {}
    for event in opened:
        form = forms.get("transition") if forms.get("transition_event") == event else None
        if form is None:
            form = TransitionForm(formdata=None, event=event, version=case.version)
            form.start_date.data = form.end_date.data = local_today(now)
        form.psychiatry_contact_id.choices = psychiatry
        if form.psychiatry_contact_id.data is None and case.psychiatry_contact_id:
            form.psychiatry_contact_id.data = case.psychiatry_contact_id
        transition_forms[event] = form
    return {
        "next_events": events,
        "transition_forms": transition_forms,
        "employer_search": any("employer_name" in EVENT_FIELDS.get(e, ()) for e in opened),
    }


def _record_forms(case: IpsCase, access: Access, forms: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The forms for the parts the reader may write (profile versions come with the profile form)."""
    ctx: dict[str, Any] = {}
    if access.can_write(Part.CONTACT_NOTES):
        kind = request.args.get("kind")
        ctx["contact_form"] = forms.get("contact") or form_or_closed(
            "contact",
            lambda: ContactForm(
                formdata=None, occurred_at=_local_input(now), **({"kind": kind} if kind in CONTACT_KINDS else {})
            ),
        )
        if not getattr(ctx["contact_form"], "closed", False):
            ctx["contact_form"].with_guides(team_guides(case.ips_team_id) if case.ips_team_id else [])
        if case.phase == Phase.JOB_ENDED:
            ctx["review_form"] = forms.get("review") or form_or_closed(
                "review", lambda: ReviewForm(formdata=None, held_at=_local_input(now))
            )
    if access.can_read(Part.CAREER_PROFILE):
        ctx["profiles"] = shown_rows(CareerProfile, case.id, CareerProfile.version.desc())
    if access.can_write(Part.CAREER_PROFILE):  # writers read it too: the form starts from the latest version
        latest = ctx["profiles"][0] if ctx["profiles"] else None
        ctx["profile_form"] = forms.get("profile") or form_or_closed(
            "profile", lambda: ProfileForm(formdata=None, obj=latest)
        )
    if access.can_write(Part.PLACEMENTS):
        ctx["step_form"] = forms.get("step") or form_or_closed(
            "step", lambda: StepForm(formdata=None, start_date=local_today(now))
        )
    if access.can_write(Part.CONSENTS):
        ctx["consent_form"] = forms.get("consent") or form_or_closed(
            "consent", lambda: ConsentForm(formdata=None, given_at=local_today(now))
        )
    if access.can_write(Part.SHARED_HEALTH_INFO):
        ctx["shared_form"] = forms.get("shared") or form_or_closed(
            "shared", lambda: _shared_form(case, None, local_today(now))
        )
    return ctx


def _shared_form(case: IpsCase, posted: SharedHealthInfoForm | None, today: Any) -> SharedHealthInfoForm:
    """The share form says which categories the IPS team sees under the live consents, and a
    fresh one starts on a category the team sees (never on one it cannot: the sharer would be
    asked to confirm what they did not choose)."""
    form = posted or SharedHealthInfoForm(formdata=None)
    choices = SharedHealthInfoForm.category.kwargs["choices"]
    seen = [c.value for c in choices if svc.team_may_see(case, c.value, today)]
    form.category.choices = [
        SelectChoice(
            c.value, c.label if c.value in seen else _("%(category)s (the IPS team does not see it)", category=c.label)
        )
        for c in choices
    ]
    if posted is None:
        if seen:
            form.category.data = seen[0]
        else:
            form.category.choices.insert(0, SelectChoice("", _("Choose a category")))
            form.category.data = ""
    return form


def _readable_parts(case: IpsCase, access: Access, forms: dict[str, Any], rows: dict[str, Any]) -> dict[str, Any]:
    """Each part of the record the reader may read, under their role and the live consents."""
    ctx: dict[str, Any] = {}
    if access.can_read(Part.FOLLOW_UPS):
        ctx["follow_ups"] = rows["open_follow_ups"]
    if access.can_read(Part.HISTORY):
        ctx["events"] = [event_view(e, access) for e in rows["events"]]
    if access.can_read(Part.CONSENTS):
        ctx["consents"] = rows["consents"]
        if access.can_write(Part.CONSENTS):
            failed = forms.get("withdraw")
            ctx["may_withdraw"] = any(
                c.withdrawn_at is None and svc.may_withdraw(c, case, current_user) for c in ctx["consents"]
            )
            ctx["withdraw_forms"] = (
                {
                    c.id: failed
                    if failed is not None and failed._prefix == f"w{c.id}-"
                    else WithdrawConsentForm(formdata=None, prefix=f"w{c.id}")
                    for c in ctx["consents"]
                    if c.withdrawn_at is None and svc.may_withdraw(c, case, current_user)
                }
                if is_open("withdraw")
                else {}
            )
    if access.can_read(Part.SHARED_HEALTH_INFO):
        ctx["shared"] = shown_rows(
            SharedHealthInfo,
            case.id,
            SharedHealthInfo.created_at.desc(),
            entities=True,
            where=[SharedHealthInfo.category.in_(access.health_categories)],
        )
    if access.can_read(Part.BENEFIT_FACTS):
        ctx["benefits"] = shown_rows(BenefitFact, case.id, BenefitFact.created_at.desc(), entities=True)
    if access.can_read(Part.CONTACT_NOTES):
        ctx["contacts"] = shown_rows(Contact, case.id, Contact.occurred_at.desc())
        ctx["reviews"] = shown_rows(JobEndingReview, case.id, JobEndingReview.held_at.desc())
    if access.can_read(Part.PLACEMENTS):
        ctx["placements"] = rows["placements"]
        # Job development logged for this citizen from the employer-contact form.
        ctx["employer_contacts"] = shown_rows(EmployerContact, case.id, EmployerContact.occurred_at.desc())
    return ctx


# Which part each list on the page belongs to (identity and phase are in the header).
SHOWN_PARTS = (
    ("profiles", Part.CAREER_PROFILE),
    ("follow_ups", Part.FOLLOW_UPS),
    ("events", Part.HISTORY),
    ("consents", Part.CONSENTS),
    ("shared", Part.SHARED_HEALTH_INFO),
    ("benefits", Part.BENEFIT_FACTS),
    ("contacts", Part.CONTACT_NOTES),
    ("placements", Part.PLACEMENTS),
)


def _log_shown(case: IpsCase, access: Access, ctx: dict[str, Any], plan_parts: set[Part]) -> None:
    """Log every part the page shows (the plan's section says which of its parts it shows), in one INSERT."""
    shown = {Part.IDENTITY, Part.PHASE} | plan_parts
    shown.update(part for key, part in SHOWN_PARTS if key in ctx and access.can_read(part))
    audit_parts(current_user, case.id, shown)


def _staff_choices(role):
    return [SelectChoice(0, "–")] + [
        SelectChoice(u.id, u.name)
        for u in db.session.scalars(select(User).where(User.role == role, User.active).order_by(User.name))
    ]


@bp.route("/cases/new", methods=["GET", "POST"])
@login_required
@shows_no_citizen_data  # an empty form (staff and teams to choose); the POST logs its write
def new_referral():
    """Refer a citizen: the case starts in phase referred, on the consultant who refers."""
    if current_user.role not in (Role.IPS_CONSULTANT, Role.COORDINATOR, Role.PSYCHIATRY, Role.JOBCENTER):
        abort(404)
    form = ReferralForm()
    form.psychiatry_contact_id.choices = _staff_choices(Role.PSYCHIATRY)
    form.jobcenter_caseworker_id.choices = _staff_choices(Role.JOBCENTER)
    teams = db.session.scalars(
        select(Organisation).where(Organisation.kind == OrgKind.IPS_TEAM).order_by(Organisation.name)
    ).all()
    form.ips_team_id.choices = [SelectChoice(t.id, t.name) for t in teams]
    if not form.is_submitted() and current_user.role in (Role.IPS_CONSULTANT, Role.COORDINATOR):
        form.ips_team_id.data = current_user.organisation_id
    if form.validate_on_submit():
        fields = {
            k: (getattr(form, k).data or None)
            for k in ("first_name", "last_name", "birth_year", "cpr", "phone", "municipality", "own_goal")
        }
        try:
            case = svc.create_referral(
                fields,
                current_user,
                ips_team_id=form.ips_team_id.data,
                psychiatry_contact_id=form.psychiatry_contact_id.data or None,
                jobcenter_caseworker_id=form.jobcenter_caseworker_id.data or None,
                out_of_work=form.out_of_work.data,
                referral_reason=form.referral_reason.data or None,
            )
        except ServiceError as exc:
            attach_error(form, exc)
            return render_template("referral.html", form=form), 400
        audit(current_user, case.id, AccessAction.WRITE, Part.IDENTITY)
        flash(_("The citizen is referred."), "ok")
        if form.cpr.data and not parse_cpr(form.cpr.data).modulus11_ok:
            flash(
                _(
                    "The CPR number does not pass the modulus-11 check. Numbers issued since 2007 need not pass it: "
                    "check it against the citizen's health card."
                ),
                "warning",
            )
        if case.possible_duplicate:  # nothing about the earlier record: only that it may exist
            flash(
                _("A case may already exist for this citizen. The coordinator has been told and can merge them."),
                "warning",
            )
        if relation_to_case(current_user, case) is None:
            return redirect(url_for("cases.home"))  # referred to a team the referrer cannot see into
        return redirect(url_for("case_page.detail", case_id=case.id))
    return render_template("referral.html", form=form), 400 if form.is_submitted() else 200


@bp.get("/cases/<id:case_id>")
@login_required
def detail(case_id: int):
    case, access = _case_and_access(case_id, Part.IDENTITY, write=False, log=False)  # render_case logs what it shows
    return render_case(case, access)


def _masked_cpr(citizen) -> str | None:
    digits = identity_svc.cpr_of(citizen)
    return mask_cpr(digits) if digits else None


@bp.post("/cases/<id:case_id>/cpr")
@login_required
def show_cpr(case_id: int):
    """The full CPR number, only on this explicit request (a POST, never a link), which is itself a
    row in the access log (target "cpr"), then the case page with the number shown once."""
    case, access = _case_and_access(case_id, Part.IDENTITY, write=False, log=False)
    if not EmptyForm().validate_on_submit() or case.citizen.cpr_encrypted is None:
        return redirect(url_for("case_page.detail", case_id=case.id))
    audit_cpr_shown(current_user, case.id)
    return render_case(case, access, cpr_shown=True)


@bp.post("/cases/<id:case_id>/transition")
@login_required
def transition(case_id: int):
    case, access = _case_and_access(case_id, Part.PHASE, write=True)
    form = TransitionForm()
    form.psychiatry_contact_id.choices = _psychiatry_choices(case)
    event = form.event.data
    if not form.validate_on_submit():
        return render_case(case, access, 400, transition=form, transition_event=event)
    wanted = set(EVENT_FIELDS.get(event, []))
    payload = {
        name: field.data for name, field in form._fields.items() if name in wanted and field.data not in (None, "")
    }
    if "hours_per_week" in payload:
        payload["hours_per_week"] = float(payload["hours_per_week"])
    try:
        apply_event(case.id, event, form.version.data, payload, current_user, locale=str(get_locale() or "da"))
    except Conflict as exc:
        db.session.expire_all()
        case = db.session.get_one(IpsCase, case_id)
        form.version.errors = [_("Someone else changed the case while you worked. Check the page and submit again.")]
        form.version.data = exc.current_version
        return render_case(case, access, 409, transition=form, transition_event=event)
    except ServiceError as exc:  # a workflow refusal (422) or another rule (400)
        attach_error(form, exc)
        db.session.expire_all()
        return render_case(
            db.session.get_one(IpsCase, case_id), access, exc.status, transition=form, transition_event=event
        )
    for message, category in what_happened(case_id, event):
        flash(message, category)
    return redirect(url_for("case_page.detail", case_id=case_id))


def attach_error(form, exc: ServiceError) -> None:
    """Show a service's message next to the field it names, or above the form."""
    target = getattr(form, exc.field, None) if exc.field else None
    errors = target.errors if target is not None and isinstance(target.errors, list) else form.form_errors
    errors.append(translate(exc.message))  # the catalogue holds the services' messages (marked N_)


# Where each section starts on the page (its anchor), when not its own name.
SECTION_ANCHOR = {
    "consent": "consents",
    "step": "placements",
    "rating": "progress",
    "withdraw": "consents",
    "decision": "decisions",
    "terms": "running-job",
}

SAVED = {
    "contact": _l("The contact is saved and shown under Contacts and meetings."),
    "review": _l("The job-ending review is saved. Resume the job search when the citizen is ready."),
    "profile": _l("A new version of the career profile is saved."),
    "step": _l("The step is saved under Jobs, education and steps."),
    "consent": _l("The consent is saved."),
    "shared": _l("Shared with the IPS team."),
}


def _form_post(case_id, part, form_cls, key, save):
    case, access = _case_and_access(case_id, part, write=True)
    form = form_cls()
    if not form.validate_on_submit():
        return render_case(case, access, 400, **{key: form})
    try:
        result = save(case, form)
    except ServiceError as exc:
        attach_error(form, exc)
        db.session.expire_all()
        return render_case(db.session.get_one(IpsCase, case_id), access, exc.status, **{key: form})
    section = FORM_SECTION.get(key, key)
    if isinstance(result, str):  # saved, with something the user must know (a warning)
        flash_in(result, "warning", section)
    else:
        flash_in(str(SAVED.get(key, _l("Saved."))), "ok", section)
    return redirect(url_for("case_page.detail", case_id=case_id) + f"#{SECTION_ANCHOR.get(section, section)}")


@bp.post("/cases/<id:case_id>/contacts")
@login_required
def add_contact(case_id: int):
    return _form_post(
        case_id,
        Part.CONTACT_NOTES,
        ContactForm,
        "contact",
        lambda case, f: svc.log_contact(
            case,
            current_user,
            kind=f.kind.data,
            occurred_at=_aware(f.occurred_at.data),
            location=f.location.data,
            note=f.note.data or None,
            guide_id=f.guide_id.data or None,
        ),
    )


# The adjustments the review form asks about (each an `adjust_<name>` field).
REVIEW_FORM_ADJUSTMENTS = (
    Adjustment.HOURS,
    Adjustment.TASKS,
    Adjustment.MENTOR,
    Adjustment.AIDS,
    Adjustment.DISCLOSURE,
)


@bp.post("/cases/<id:case_id>/reviews")
@login_required
def add_review(case_id: int):
    def save(case, f):
        adjustments = {
            k.value: getattr(f, f"adjust_{k}").data for k in REVIEW_FORM_ADJUSTMENTS if getattr(f, f"adjust_{k}").data
        }
        # The review and the profile update are one step (one transaction).
        svc.record_review(
            case,
            current_user,
            held_at=_aware(f.held_at.data),
            what_worked=f.what_worked.data or None,
            what_did_not=f.what_did_not.data or None,
            adjustments=adjustments,
            clinician_present=f.clinician_present.data,
            job_preferences=f.job_preferences.data or None,
        )

    return _form_post(case_id, Part.CONTACT_NOTES, ReviewForm, "review", save)


@bp.post("/cases/<id:case_id>/profile")
@login_required
def save_profile(case_id: int):
    return _form_post(
        case_id,
        Part.CAREER_PROFILE,
        ProfileForm,
        "profile",
        lambda case, f: svc.save_profile(
            case, current_user, {k: (getattr(f, k).data or None) for k in svc.PROFILE_FIELDS}
        ),
    )


@bp.post("/cases/<id:case_id>/steps")
@login_required
def add_step(case_id: int):
    return _form_post(
        case_id,
        Part.PLACEMENTS,
        StepForm,
        "step",
        lambda case, f: svc.add_step(
            case,
            current_user,
            type=f.type.data,
            employer_name=f.employer_name.data,
            start_date=f.start_date.data,
            end_date=f.end_date.data,
        ),
    )


@bp.post("/cases/<id:case_id>/consents")
@login_required
def add_consent(case_id: int):
    return _form_post(
        case_id,
        Part.CONSENTS,
        ConsentForm,
        "consent",
        lambda case, f: svc.record_consent(
            case,
            current_user,
            from_party=f.from_party.data,
            to_party=f.to_party.data,
            categories=f.categories.data,
            purpose=f.purpose.data,
            given_at=f.given_at.data,
            expires_at=f.expires_at.data,
        ),
    )


@bp.post("/cases/<id:case_id>/consents/<id:consent_id>/withdraw")
@login_required
def withdraw_consent(case_id: int, consent_id: int):
    case, access = _case_and_access(case_id, Part.CONSENTS, write=True)
    consent = db.session.get(Consent, consent_id)
    if consent is None or consent.case_id != case_id:
        abort(404)
    form = WithdrawConsentForm(prefix=f"w{consent_id}")
    if consent.withdrawn_at is None:
        if not form.validate_on_submit():
            return render_case(case, access, 400, withdraw=form)
        try:
            svc.withdraw_consent(
                consent, current_user, requested_by=form.requested_by.data, confirmed=form.confirm.data
            )
        except ServiceError as exc:
            attach_error(form, exc)
            db.session.expire_all()
            return render_case(db.session.get_one(IpsCase, case_id), access, exc.status, withdraw=form)
        flash_in(_("The consent is withdrawn. Sharing under it has stopped."), "ok", "consent")
    return redirect(url_for("case_page.detail", case_id=case_id) + "#consents")


@bp.post("/cases/<id:case_id>/shared-health-info")
@login_required
def add_shared_health_info(case_id: int):
    """Share with the IPS team; what the team cannot see under the consents asks for confirmation
    first, and the sharer is told who will not see it."""

    def save(case, f):
        svc.share_health_info(
            case, current_user, category=f.category.data, text=f.text.data, confirmed=f.confirm_unseen.data
        )
        if not svc.team_may_see(case, f.category.data, local_today(utcnow())):
            return _(
                "Saved, but the IPS team does not see it until the citizen consents (psychiatry to the IPS "
                "team: %(category)s).",
                category=CATEGORIES.get(f.category.data, f.category.data),
            )
        return None

    return _form_post(case_id, Part.SHARED_HEALTH_INFO, SharedHealthInfoForm, "shared", save)


@bp.post("/cases/<id:case_id>/follow-ups/<id:follow_up_id>/done")
@login_required
def follow_up_done(case_id: int, follow_up_id: int):
    _case_and_access(case_id, Part.FOLLOW_UPS, write=True)
    fu = db.session.get(FollowUp, follow_up_id)
    if fu is None or fu.case_id != case_id:
        abort(404)
    if not one_tap(fu.kind):  # answered by a record: done where it is recorded, never by hand
        flash(_("This follow-up is done by recording it: %(what)s.", what=answer_label(fu.kind)), "error")
    elif EmptyForm().validate_on_submit() and fu.status == FollowUpStatus.OPEN:
        svc.complete_follow_up(fu, current_user)
        flash(_("Marked as done."), "ok")
    return redirect(safe_next(request.form.get("next")) or url_for("case_page.detail", case_id=case_id))


@bp.post("/cases/<id:case_id>/acknowledge/<id:notification_id>")
@login_required
def acknowledge_here(case_id: int, notification_id: int):
    visible_case_or_404(current_user, case_id)
    row = db.session.get(Notification, notification_id)
    if row is None or row.case_id != case_id or row.recipient_id != current_user.id or not row.requires_ack:
        abort(404)
    if EmptyForm().validate_on_submit():
        audit(current_user, case_id, AccessAction.WRITE, AuditPart.ACKNOWLEDGEMENT)
        acknowledge(row)
        flash(_("Acknowledged."), "ok")
    return redirect(url_for("case_page.detail", case_id=case_id))
