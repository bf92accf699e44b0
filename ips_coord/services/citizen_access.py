"""The citizen's sign-in and what the citizen does in their own view.

A citizen is not a staff user: they sign in with a one-time code sent to their e-mail address
or an invitation link from their consultant (signed, expiring, single use), and get a session
of their own kind (`CitizenSession`). Codes and invitation secrets are stored as SHA-256 only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select, update

from ..clock import utcnow
from ..extensions import db
from ..models import Citizen, CitizenLoginCode, CitizenSession, Consent, FollowUp, IpsCase, User
from ..workflows.phases import (
    FollowUpKind,
    FollowUpStatus,
    HistoryEntry,
    InboxKind,
    NotificationKind,
    Role,
    WithdrawalRequester,
)
from ..workflows.plan import LoginSecret, SignInMethod, WrittenBy
from . import throttle
from .case_state import lock_case
from .errors import N_, Forbidden, ServiceError
from .inbox import case_staff, tell
from .records import add_case_event
from .secret_mail import queue_secret_mail
from .unit_of_work import unit_of_work

CODE_MINUTES = 15
# Per e-mail address typed, across every client address (services/throttle.py).
CODES_PER_HOUR = 5
CODE_TRIES_PER_HOUR = 10
HOUR = timedelta(hours=1)
INVITATION_DAYS = 7
# Not the salt of the links that carried the token in their path: those sat in access logs, so
# they are never accepted again.
INVITE_SALT = "citizen-invitation-fragment"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def citizen_by_email(email: str) -> Citizen | None:
    """The citizen with this address who has a case (the address must be unambiguous)."""
    address = (email or "").strip().lower()
    if not address:
        return None
    rows = db.session.scalars(
        select(Citizen)
        .where(func.lower(Citizen.email) == address)
        .where(Citizen.id.in_(select(IpsCase.citizen_id)))
        .limit(2)
    ).all()
    return rows[0] if len(rows) == 1 else None


def request_code(email: str, locale: str = "da") -> bool:
    """A new six-digit code for the citizen with this address, e-mailed through the outbox in the
    same transaction; False for an unknown address (the caller answers the same either way).
    Codes sent earlier stay valid until they expire or one is used, so asking again (or someone
    else asking) never voids the code the citizen is typing. At most CODES_PER_HOUR codes per
    address typed, across every client address: Throttled (429) after that, for an unknown
    address too. The code is returned to no one: only its hash and the sealed outbox row are stored."""
    now = utcnow()
    asked = throttle.key("citizen-code", email)
    if throttle.count(asked, now, HOUR) >= CODES_PER_HOUR:
        raise throttle.Throttled(
            N_("Too many codes were asked for this address. Try again later."),
            "email",
            throttle.window_end(asked, now, HOUR),
        )
    throttle.add(asked, now, HOUR)
    code = f"{secrets.randbelow(10**6):06d}"
    code_hash = _hash(code)  # the same work whether the address is known or not
    citizen = citizen_by_email(email)
    if citizen is None or not citizen.email:
        return False
    expires_at = now + timedelta(minutes=CODE_MINUTES)
    with unit_of_work():
        db.session.add(
            CitizenLoginCode(
                citizen_id=citizen.id,
                kind=LoginSecret.CODE,
                secret_hash=code_hash,
                attempts=0,
                expires_at=expires_at,
                created_at=now,
            )
        )
        queue_secret_mail(
            NotificationKind.CITIZEN_CODE, code, now=now, expires_at=expires_at, locale=locale, to_address=citizen.email
        )
    return True


def verify_code(email: str, code: str) -> Citizen | None:
    """The citizen, if the code is one sent to this address, unused and unexpired. A good code is
    used up. Wrong codes are counted per address typed, across every client address: after
    CODE_TRIES_PER_HOUR in the hour, Throttled (429) until the hour has passed, whether or not
    the address is on record."""
    now = utcnow()
    tries = throttle.key("citizen-code-try", email)
    if throttle.count(tries, now, HOUR) >= CODE_TRIES_PER_HOUR:
        raise throttle.Throttled(
            N_("Too many wrong codes for this address. Try again later."), "code", throttle.window_end(tries, now, HOUR)
        )
    given = _hash((code or "").strip())
    citizen = citizen_by_email(email)
    with unit_of_work():
        rows = db.session.scalars(
            select(CitizenLoginCode)
            .where(
                CitizenLoginCode.citizen_id == (citizen.id if citizen is not None else None),
                CitizenLoginCode.kind == LoginSecret.CODE,
                CitizenLoginCode.used_at.is_(None),
                CitizenLoginCode.expires_at > now,
            )
            .with_for_update()
        ).all()
        match = next((row for row in rows if hmac.compare_digest(row.secret_hash, given)), None)
        if match is not None:
            match.used_at = now
    if match is None or citizen is None:
        throttle.add(tries, now, HOUR)
        return None
    return citizen


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=INVITE_SALT)


def create_invitation(
    case: IpsCase, actor: User, secret_key: str, link: Callable[[str], str], locale: str = "da"
) -> str:
    """A signed, single-use invitation for the case's citizen, valid INVITATION_DAYS, e-mailed
    through the outbox in the same transaction (`link` makes the URL from the token). Returns
    the address it goes to."""
    if actor.role != Role.IPS_CONSULTANT or case.consultant_id != actor.id:
        raise Forbidden(N_("Only the consultant on the case may invite the citizen."), "case")
    address = case.citizen.email
    if not address:
        raise ServiceError(N_("The citizen has no e-mail address on record."), "email")
    now = utcnow()
    secret = secrets.token_urlsafe(24)
    with unit_of_work():
        lock_case(case)
        row = CitizenLoginCode(
            citizen_id=case.citizen_id,
            kind=LoginSecret.INVITATION,
            secret_hash=_hash(secret),
            attempts=0,
            expires_at=now + timedelta(days=INVITATION_DAYS),
            created_by_id=actor.id,
            created_at=now,
        )
        db.session.add(row)
        db.session.flush()
        token = _serializer(secret_key).dumps({"i": row.id, "s": secret})
        queue_secret_mail(
            NotificationKind.CITIZEN_INVITATION,
            link(token),
            now=now,
            expires_at=row.expires_at,
            locale=locale,
            to_address=address,
        )
        add_case_event(case, event=HistoryEntry.CITIZEN_INVITED, actor=actor, now=now, data={"by": WrittenBy.STAFF})
    return address


def redeem_invitation(token: str, secret_key: str) -> Citizen | None:
    try:
        data = _serializer(secret_key).loads(token, max_age=INVITATION_DAYS * 86400)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int) or not isinstance(data.get("s"), str):
        return None
    now = utcnow()
    with unit_of_work():
        row = db.session.scalar(
            select(CitizenLoginCode)
            .where(CitizenLoginCode.id == data["i"], CitizenLoginCode.kind == LoginSecret.INVITATION)
            .with_for_update()
        )
        if (
            row is None
            or row.used_at is not None
            or row.expires_at <= now
            or not hmac.compare_digest(row.secret_hash, _hash(data["s"]))
        ):
            return None
        row.used_at = now
        citizen = db.session.get(Citizen, row.citizen_id)
    return citizen


def citizen_by_identity(subject: str, cpr_digits: str | None) -> Citizen | None:
    """The citizen a broker's verified answer names, among citizens with a case: by the CPR
    number's keyed hash (never by decrypting rows), or, when the answer carries no number, by
    the broker subject an earlier verified sign-in linked. The first CPR sign-in links the
    subject. Two citizens with the same number and a case each (a duplicate the coordinator has
    not merged yet) sign no one in."""
    from ..sealed import cpr_hmac

    with_case = Citizen.id.in_(select(IpsCase.citizen_id))
    if cpr_digits is None:
        return db.session.scalar(select(Citizen).where(Citizen.oidc_sub == subject, with_case))
    rows = db.session.scalars(select(Citizen).where(Citizen.cpr_hmac == cpr_hmac(cpr_digits), with_case).limit(2)).all()
    if len(rows) != 1:
        return None
    citizen = rows[0]
    if (
        citizen.oidc_sub != subject
        and db.session.scalar(select(func.count()).select_from(Citizen).where(Citizen.oidc_sub == subject)) == 0
    ):
        with unit_of_work():
            citizen.oidc_sub = subject
    return citizen


def start_session(citizen: Citizen, method: SignInMethod) -> str:
    sid = secrets.token_urlsafe(32)
    with unit_of_work():
        db.session.add(CitizenSession(id=sid, citizen_id=citizen.id, method=method, created_at=utcnow()))
    return sid


def end_session(sid: str) -> None:
    with unit_of_work():
        db.session.execute(
            update(CitizenSession)
            .where(CitizenSession.id == sid, CitizenSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )


def session_citizen(sid: str) -> Citizen | None:
    citizen_id = db.session.scalar(
        select(CitizenSession.citizen_id).where(CitizenSession.id == sid, CitizenSession.ended_at.is_(None))
    )
    return db.session.get(Citizen, citizen_id) if citizen_id is not None else None


def withdraw_own_consent(consent: Consent, citizen: Citizen, *, confirmed: bool) -> Consent:
    """The citizen withdraws a consent from their own view; sharing stops with the next request."""
    case = db.session.get_one(IpsCase, consent.case_id)  # the foreign key guarantees it
    if case.citizen_id != citizen.id:
        raise Forbidden(N_("Not your consent."), "consent")
    if consent.withdrawn_at is not None:
        raise ServiceError(N_("The consent is already withdrawn."), "withdrawn_at")
    if not confirmed:
        raise ServiceError(N_("Confirm the withdrawal: sharing under the consent stops at once."), "confirm")
    now = utcnow()
    with unit_of_work():
        lock_case(case)
        consent.withdrawn_at = now
        for fu in db.session.scalars(
            select(FollowUp).where(
                FollowUp.case_id == case.id,
                FollowUp.kind == FollowUpKind.CONSENT_EXPIRY,
                FollowUp.status == FollowUpStatus.OPEN,
            )
        ):
            if (fu.data or {}).get("consent_id") == consent.id:
                fu.status, fu.completed_at = FollowUpStatus.CANCELLED, now
        add_case_event(
            case,
            event=HistoryEntry.CONSENT_WITHDRAWN,
            actor=None,
            now=now,
            data={"consent_id": consent.id, "requested_by": WithdrawalRequester.CITIZEN, "by": WrittenBy.CITIZEN},
        )
        # The people on the case learn it in their inbox, as when staff record a withdrawal.
        tell(
            case_staff(case),
            InboxKind.CONSENT_WITHDRAWN,
            now,
            case=case,
            data={
                "from_party": consent.from_party,
                "to_party": consent.to_party,
                "requested_by": WithdrawalRequester.CITIZEN,
            },
            source=f"consent:{consent.id}",
        )
    return consent
