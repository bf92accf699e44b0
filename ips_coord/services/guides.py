"""The IPS team's conversation guides: the coordinator (or a consultant) keeps them as data, the
consultant opens them from the contact form, and a contact records the guide it used.

The standard set below is where a team starts; once added, the guides are the team's own text.
They are written from common Danish advice to jobcenter staff who meet citizens with a mental
illness and from the IPS principles (ordinary work from the first meeting, the citizen's own
wishes, adjusting instead of giving up)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..clock import utcnow
from ..extensions import db
from ..models import Contact, ConversationGuide, IpsCase, User
from ..workflows.phases import Role
from .errors import N_, Forbidden, NotFound, ServiceError
from .unit_of_work import unit_of_work

STANDARD_GUIDES: tuple[tuple[str, str, str, str], ...] = (
    (
        "Første samtale: ønsker og drømme",
        "Til de første møder, hvor I lærer hinanden at kende og finder retningen mod et job.",
        "Hvad drømmer du om at lave?\nHvilket arbejde har du haft, og hvad var du glad for ved det?\n"
        "Hvornår på dagen er du bedst?\nHvad interesserer du dig for i din fritid?\n"
        "Hvem i dit liv skal vide, at du søger job?",
        "At starte med diagnosen og det, der ikke virker.\nAt foreslå praktik som målet: målet er et almindeligt job.",
    ),
    (
        "Når borgeren mest ser sig selv gennem sygdommen eller vil have ro",
        "Når borgeren siger, at sygdommen fylder alt, eller at hun eller han bare vil være i fred.",
        "Hvad betyder diagnosen for dig i din hverdag?\nHvornår har du det bedre, og hvad er anderledes der?\n"
        "Hvad går godt i din hverdag lige nu?\nHvad ville gøre en god dag endnu bedre?\n"
        "Er der noget, du har lyst til, som vi kunne tage et lille skridt imod?",
        "At presse på med et mål, borgeren ikke selv kan se.\nAt opgive troen på, at arbejde er muligt.\n"
        "At afvise ønsket om ro: anerkend det, og tal om en aktiv hverdag som noget, alle har gavn af.",
    ),
    (
        "At finde motivationen",
        "Når motivationen er svær at få øje på, eller når borgeren er i tvivl.",
        "Hvad ville et job give dig, som du savner nu?\nHvad er vigtigt for dig i et arbejde?\n"
        "På en skala fra 1 til 10: hvor vigtigt er det for dig at arbejde? Hvorfor ikke et lavere tal?\n"
        "Hvad skal der til, for at du tør prøve?",
        "At tage tvivl som et nej: tvivl er almindelig, og den må gerne fylde.\n"
        "At love mere, end I kan holde: hold balancen mellem drøm og muligheder.",
    ),
    (
        "Hvilke krav kan vi stille – og hvordan",
        "Når I aftaler timer, opgaver og næste skridt, så kravene hjælper og ikke forværrer symptomerne.",
        "Hvor mange timer om ugen giver dig overskud?\nHvilke opgaver giver dig ro, og hvilke stresser?\n"
        "Hvad skal en arbejdsgiver vide for at støtte dig (hvis du vil fortælle det)?\n"
        "Hvad gør vi, hvis det bliver for meget en dag?",
        "At stille krav, der ikke er justeret til hukommelse, stresstærskel og gode og dårlige perioder.\n"
        "At glemme at aftale, hvordan I justerer undervejs.",
    ),
    (
        "Når borgeren ikke genkender sin sygdom",
        "Når borgeren ikke selv mener at have en psykisk lidelse, men har svært ved at komme i arbejde.",
        "Hvordan ser du selv din situation?\nHvad tror du, der har gjort det svært at få eller holde et job?\n"
        "Hvad kunne gøre det lettere at komme i gang?\nHvad har hjulpet dig før?",
        "At diskutere diagnosen: tal om hverdagen og arbejdet.\nAt være uærlig: vær åben og anerkendende.",
    ),
    (
        "Efter et job der sluttede",
        "I dagene efter et jobophør: justér i stedet for at opgive.",
        "Hvad gik godt i jobbet?\nHvad gjorde det svært?\nHvad skulle have været anderledes (timer, opgaver, mentor, "
        "hjælpemidler, åbenhed)?\nHvad vil du gerne prøve næste gang?",
        "At se ophøret som et nederlag eller et bevis på, at arbejde ikke er muligt.\n"
        "At vente for længe med at søge igen.",
    ),
)


def _team_of(actor: User) -> int:
    if actor.role not in (Role.COORDINATOR, Role.IPS_CONSULTANT) or actor.organisation_id is None:
        raise Forbidden(N_("Only the IPS team keeps its conversation guides."))
    return actor.organisation_id


def team_guides(team_id: int, active_only: bool = True) -> list[ConversationGuide]:
    q = select(ConversationGuide).where(ConversationGuide.team_id == team_id)
    if active_only:
        q = q.where(ConversationGuide.active.is_(True))
    return list(db.session.scalars(q.order_by(ConversationGuide.position, ConversationGuide.id)))


def _check(title: str, situation: str, questions: str) -> None:
    if not 3 <= len(title) <= 200:
        raise ServiceError(N_("Give the guide a title (3 to 200 characters)."), "title")
    if len(situation) < 3:
        raise ServiceError(N_("Say when the guide helps."), "situation")
    if not ConversationGuide.lines(questions):
        raise ServiceError(N_("Write at least one question, one a line."), "questions")
    for field, text in (("situation", situation), ("questions", questions)):
        if len(text) > 4000:
            raise ServiceError(N_("At most 4,000 characters."), field)


def save_guide(
    actor: User,
    *,
    title: str,
    situation: str,
    questions: str,
    avoid: str = "",
    guide: ConversationGuide | None = None,
    active: bool = True,
) -> ConversationGuide:
    team_id = _team_of(actor)
    title, situation = " ".join((title or "").split()), (situation or "").strip()
    questions, avoid = (questions or "").strip(), (avoid or "").strip()
    _check(title, situation, questions)
    if len(avoid) > 4000:
        raise ServiceError(N_("At most 4,000 characters."), "avoid")
    if guide is not None and guide.team_id != team_id:
        raise NotFound(N_("No such guide."))
    now = utcnow()
    with unit_of_work():
        if guide is None:
            position = (
                db.session.scalar(
                    select(func.max(ConversationGuide.position)).where(ConversationGuide.team_id == team_id)
                )
                or 0
            ) + 1
            guide = ConversationGuide(team_id=team_id, position=position)
            db.session.add(guide)
        guide.title, guide.situation, guide.questions, guide.avoid = title, situation, questions, avoid
        guide.active, guide.updated_by_id, guide.updated_at = active, actor.id, now
    return guide


def add_standard_guides(actor: User) -> list[ConversationGuide]:
    """The standard set, for a team that has none yet (after that, the team's own text rules)."""
    team_id = _team_of(actor)
    if team_guides(team_id, active_only=False):
        raise ServiceError(N_("The team already has guides: edit them instead."), "guides")
    return [save_guide(actor, title=t, situation=s, questions=q, avoid=a) for t, s, q, a in STANDARD_GUIDES]


def guide_for_contact(case: IpsCase, guide_id: int | None) -> int | None:
    """The guide a contact used: one of the case's team's active guides, or none."""
    if guide_id is None:
        return None
    guide = db.session.get(ConversationGuide, guide_id)
    if guide is None or not guide.active or guide.team_id != case.ips_team_id:
        raise ServiceError(N_("Choose one of the team's conversation guides."), "guide_id")
    return guide.id


def usage(team_id: int, now: datetime, days: int = 90) -> dict[int, int]:
    """Contacts of the last `days` that used each guide."""
    rows = db.session.execute(
        select(Contact.guide_id, func.count(Contact.id))
        .join(ConversationGuide, ConversationGuide.id == Contact.guide_id)
        .where(ConversationGuide.team_id == team_id, Contact.occurred_at >= now - timedelta(days=days))
        .group_by(Contact.guide_id)
    ).all()
    return {gid: n for gid, n in rows}


__all__ = ["STANDARD_GUIDES", "add_standard_guides", "guide_for_contact", "save_guide", "team_guides", "usage"]
