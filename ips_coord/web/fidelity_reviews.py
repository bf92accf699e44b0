"""The coordinator's fidelity reviews on the IPS-25 scale: every review over time, one review's
items with the reviewers' score and evidence beside the data's figure, the action plan, and the
review as a printable document and a spreadsheet."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..access.audit import shows_no_citizen_data
from ..clock import local_today
from ..extensions import db
from ..i18n import translate
from ..labels import FIDELITY_ITEMS, FIDELITY_LEVELS, REVIEW_STATUSES
from ..models import FidelityAction, FidelityReview, User
from ..reports.progress import svg_lines
from ..services import ServiceError
from ..services import fidelity_reviews as svc
from ..text import text_from_json
from ..validation import whole_number
from ..workflows.fidelity_scale import ITEMS, SCORES, ActionStatus, ReviewStatus, disagrees
from ..workflows.phases import Role
from . import spreadsheet
from .formatting import local_date
from .guards import roles_only

bp = Blueprint("fidelity_reviews", __name__, url_prefix="/coordinator/fidelity-reviews")
SCORE_CHOICES = {str(s): s for s in SCORES}


bp.before_request(roles_only({Role.COORDINATOR}))


def _reviews() -> list[FidelityReview]:
    return list(
        db.session.scalars(
            select(FidelityReview)
            .where(FidelityReview.team_id == current_user.organisation_id)
            .order_by(FidelityReview.reviewed_on, FidelityReview.id)
        )
    )


def _review(review_id: int) -> FidelityReview:
    review = db.session.get(FidelityReview, review_id)
    if review is None or review.team_id != current_user.organisation_id:
        abort(404)
    return review


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def _team_people() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.organisation_id == current_user.organisation_id,
                User.active.is_(True),
                User.role.in_([Role.IPS_CONSULTANT, Role.COORDINATOR]),
            )
            .order_by(User.name)
        )
    )


@bp.get("")
@shows_no_citizen_data  # the team's reviews: scores and evidence about the service, no citizen
def index():
    return _index_page({}, {})


def _index_page(errors: dict[str, str], typed: dict[str, str], status: int = 200):
    reviews = _reviews()
    final = [r for r in reviews if r.status == ReviewStatus.FINAL]
    chosen = whole_number(request.args.get("item", ""))
    item = chosen if chosen in ITEMS else None
    labels = [local_date(r.reviewed_on) for r in final]
    charts = {}
    if len(final) >= 1:
        charts["total"] = svg_lines(
            [(_("Total"), "#0b5cad", [r.total for r in final])],
            labels,
            _("IPS-25 total per review"),
            low=25,
            high=125,
            guides=((115, "115"), (100, "100"), (74, "74")),
        )
        if item is not None:
            scores: list[float | None] = [next((i.score for i in r.items if i.item == item), None) for r in final]
            charts["item"] = svg_lines(
                [(str(FIDELITY_ITEMS[item]), "#0b5cad", scores)],
                labels,
                _("Item %(n)s per review", n=item),
                low=1,
                high=5,
            )
    grid = [
        (n, FIDELITY_ITEMS[n], [next((i.score for i in r.items if i.item == n), None) for r in final]) for n in ITEMS
    ]
    due = final[-1].next_due_on if final else None
    page = render_template(
        "fidelity_reviews.html",
        reviews=reviews,
        final=final,
        charts=charts,
        grid=grid,
        item=item,
        due=due,
        today=local_today(),
        errors=errors,
        typed=typed,
        today_value=local_today().isoformat(),  # a date input's value is ISO
        levels=FIDELITY_LEVELS,
        statuses=REVIEW_STATUSES,
    )
    return page, status


@bp.post("")
def create():
    typed = {"reviewed_on": request.form.get("reviewed_on", ""), "reviewers": request.form.get("reviewers", "")}
    day = _day(typed["reviewed_on"])
    if day is None:
        return _index_page({"reviewed_on": _("Give the review's date.")}, typed, 422)
    try:
        review = svc.start_review(current_user, reviewed_on=day, reviewers=typed["reviewers"])
    except ServiceError as exc:
        return _index_page({exc.field or "form": translate(exc.message)}, typed, 422)
    flash(_("The review is started; each item shows what the data scores."), "ok")
    return redirect(url_for(".detail", review_id=review.id))


def _detail_page(
    review: FidelityReview,
    errors: dict[str, str],
    typed: dict[str, str],
    status: int = 200,
    template: str = "fidelity_review.html",
):
    rows = [
        {
            "item": i.item,
            "name": FIDELITY_ITEMS[i.item],
            "score": i.score,
            "evidence": i.evidence,
            "data_score": i.data_score,
            "data_figure": text_from_json(i.data_figure),
            "disagrees": disagrees(i.score, i.data_score),
        }
        for i in review.items
    ]
    owners = {u.id: u for u in _team_people()}
    return render_template(
        template,
        review=review,
        rows=rows,
        owners=owners,
        errors=errors,
        typed=typed,
        scores=SCORES,
        levels=FIDELITY_LEVELS,
        statuses=REVIEW_STATUSES,
        total=sum(i.score or 0 for i in review.items),
        scored=sum(1 for i in review.items if i.score is not None),
        names=FIDELITY_ITEMS,
        open_status=ActionStatus.OPEN,
    ), status


@bp.get("/<int:review_id>")
@shows_no_citizen_data  # the team's review
def detail(review_id: int):
    review = _review(review_id)
    if request.args.get("print") == "1":
        return _detail_page(review, {}, {}, template="fidelity_review_print.html")
    return _detail_page(review, {}, {})


@bp.post("/<int:review_id>/scores")
def scores(review_id: int):
    review = _review(review_id)
    typed = {k: v for k, v in request.form.items() if k.startswith(("score_", "evidence_"))}
    errors, chosen = {}, {}
    for n in ITEMS:
        raw = request.form.get(f"score_{n}", "").strip()
        if raw and raw not in SCORE_CHOICES:
            errors[f"score_{n}"] = _("A score is from 1 to 5.")
        chosen[n] = (SCORE_CHOICES.get(raw), request.form.get(f"evidence_{n}", ""))
    if not errors:
        try:
            svc.save_scores(review, current_user, chosen)
        except ServiceError as exc:
            errors[exc.field or "form"] = translate(exc.message)
    if errors:
        return _detail_page(review, errors, typed, 422)
    if request.form.get("finalise") == "1":
        try:
            svc.finalise(review, current_user)
        except ServiceError as exc:
            return _detail_page(review, {exc.field or "form": translate(exc.message)}, typed, 422)
        flash(_("The review is final. The next review falls due %(date)s.", date=local_date(review.next_due_on)), "ok")
    else:
        flash(_("Scores saved."), "ok")
    return redirect(url_for(".detail", review_id=review.id) + "#items")


@bp.post("/<int:review_id>/actions")
def add_action(review_id: int):
    review = _review(review_id)
    typed = {k: request.form.get(k, "") for k in ("action_item", "action", "owner_id", "due_on")}
    item = typed["action_item"] if typed["action_item"] in {str(i) for i in ITEMS} else None
    owner = {str(u.id): u for u in _team_people()}.get(typed["owner_id"])
    due = _day(typed["due_on"])
    errors = {}
    if item is None:
        errors["action_item"] = _("Choose the item the action is for.")
    if owner is None:
        errors["owner_id"] = _("Choose who owns the action.")
    if due is None:
        errors["due_on"] = _("Give the action's due date.")
    if not errors and item is not None and owner is not None and due is not None:
        try:
            svc.add_action(review, current_user, item=int(item), action=typed["action"], owner_id=owner.id, due_on=due)
        except ServiceError as exc:
            errors[{"item": "action_item"}.get(exc.field or "", exc.field or "form")] = translate(exc.message)
    if errors:
        return _detail_page(review, errors, typed, 422)
    flash(_("Action added; its owner is told in the inbox."), "ok")
    return redirect(url_for(".detail", review_id=review.id) + "#actions")


@bp.post("/actions/<int:action_id>/done")
def action_done(action_id: int):
    row = db.session.get(FidelityAction, action_id)
    if row is None or row.review.team_id != current_user.organisation_id:
        abort(404)
    svc.complete_action(row, current_user)
    flash(_("Action done."), "ok")
    return redirect(url_for(".detail", review_id=row.review_id) + "#actions")


@bp.get("/<int:review_id>.xlsx")
@shows_no_citizen_data  # the team's review
def xlsx(review_id: int):
    review = _review(review_id)
    headings = [_("Item"), _("Reviewers' score"), _("Evidence"), _("Data score"), _("Data figure")]
    rows: list[list[object]] = [
        [
            f"{i.item}. {FIDELITY_ITEMS[i.item]}",
            i.score,
            i.evidence or "",
            i.data_score,
            translate(text_from_json(i.data_figure)) or "",
        ]
        for i in review.items
    ]
    rows.append([_("Total"), sum(i.score or 0 for i in review.items), "", None, ""])
    rows.append(["", None, "", None, ""])
    rows.append([_("Action plan"), _("Owner"), _("Due"), _("Status"), ""])
    for a in review.actions:
        owner = db.session.get(User, a.owner_id)
        rows.append(
            [
                f"{a.item}. {a.action}",
                owner.name if owner else "",
                local_date(a.due_on),
                _("Done") if a.status == ActionStatus.DONE else _("Open"),
                "",
            ]
        )
    name = f"fidelitetsgennemgang-{review.reviewed_on.isoformat()}.xlsx"
    return spreadsheet.xlsx_response(name, _("Fidelity review"), headings, rows)
