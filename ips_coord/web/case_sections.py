"""The case page's sections that open on demand. The page shows the summary and the next
allowed steps, each as a link; each form (a next step's too, `?open=next-start_job`) is built
and rendered only when its section is asked for (`?open=contact#contact`), when it failed (to
show the message next to the field), or when the case's next step needs it (the job-ending
review while it is due). Server-rendered, working without JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from flask import flash, g, request
from sqlalchemy import exists, select

from ..extensions import db
from ..workflows.phases import Event

# Which section a failed form belongs to (the keyword render_case is given -> section).
FORM_SECTION = {
    "contact": "contact",
    "review": "review",
    "profile": "profile",
    "step": "step",
    "consent": "consent",
    "withdraw": "withdraw",
    "shared": "shared",
    "plan_goal": "plan",
    "plan_action": "plan",
    "participation": "plan",
    "intervention": "interventions",
    "end_intervention": "interventions",
    "supports": "supports",
    "rating": "rating",
    "decision": "decision",
    "terms": "terms",
}
SECTIONS = frozenset(FORM_SECTION.values())
# A next step's form is a section of its own, named by its event: "next-start_job".
NEXT = "next-"
NEXT_SECTIONS = frozenset(NEXT + e for e in Event)


def next_section(event: str) -> str:
    return NEXT + event


class Closed:
    """Stands in for a form whose section is closed: the page offers to open it, nothing more."""

    errors: ClassVar[dict[str, Any]] = {}
    closed = True

    def __bool__(self) -> bool:
        return False


CLOSED = Closed()


def open_sections(forms: dict[str, Any], default: set[str] | None = None) -> set[str]:
    """The sections open on this view: asked for, failed, or opened by the case's next step."""
    wanted = {name for name in request.args.getlist("open") if name in SECTIONS or name in NEXT_SECTIONS}
    failed = {FORM_SECTION[key] for key in forms if key in FORM_SECTION}
    if forms.get("transition_event"):
        failed.add(next_section(forms["transition_event"]))
    opened = wanted | failed | (default or set())
    g.case_sections_open = opened
    return opened


def is_open(name: str) -> bool:
    return name in getattr(g, "case_sections_open", SECTIONS)


def form_or_closed(name: str, build):
    """The section's form when it is open, else a stand-in (no form built, no HTML rendered)."""
    return build() if is_open(name) else CLOSED


def flash_in(message: str, category: str, section: str) -> None:
    """A message shown inside the section it concerns (the page returns there)."""
    flash(message, f"{category} in-{section}")


def autofocus_once() -> bool:
    """True for the first field with an error on the page: the browser moves there."""
    if getattr(g, "autofocus_given", False):
        return False
    g.autofocus_given = True
    return True


def note_parts_present(case_id: int, models: list[Any], also: Sequence[Any] = ()) -> tuple[Any, ...]:
    """Which of these parts of the case record have rows, in one statement of EXISTS probes
    (an index probe each): a part without rows is then not read at all. Most cases leave most
    parts empty (no review, no ratings, no admission), and a statement costs more Python than
    the database's probe. `also`: scalar subqueries that ride on the same statement; their
    values are returned."""
    values = db.session.execute(select(*(exists().where(m.case_id == case_id) for m in models), *also)).one()
    flags = values[: len(models)]
    g.case_parts_probed = set(models)
    g.case_parts_present = {m for m, present in zip(models, flags, strict=True) if present}
    return tuple(values[len(models) :])


def shown_rows(
    model: Any, case_id: int, *order: Any, where: Any = (), limit: int | None = None, entities: bool = False
) -> list[Any]:
    """One part of the case record, in the page's order: read-only rows (named tuples, one
    attribute per column) rather than ORM objects, since the page only shows them and a row costs
    a fraction of an entity to load; `entities` for parts whose objects are asked questions or
    followed to related rows. Nothing is read for a part the probe found empty."""
    if model in g.get("case_parts_probed", ()) and model not in g.case_parts_present:
        return []
    if entities:
        query = select(model).where(model.case_id == case_id, *where).order_by(*order)
        return list(db.session.scalars(query if limit is None else query.limit(limit)).all())
    table = model.__table__
    query = select(table).where(table.c.case_id == case_id, *where).order_by(*order)
    return list(db.session.execute(query if limit is None else query.limit(limit)).all())
