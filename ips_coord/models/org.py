from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..workflows.phases import OrgKind, Role
from .types import Code, UTCDateTime


class Organisation(Model):
    """A jobcenter, a psychiatry unit/region, or an IPS team."""

    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrgKind] = mapped_column(Code(OrgKind, 32))
    municipality: Mapped[str | None] = mapped_column(String(100))
    # An IPS team belongs to the organisation its coordinator leads; kept flat on purpose.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))


class User(UserMixin, Model):  # type: ignore[misc]  # flask_login ships no types: UserMixin is Any
    __tablename__ = "staff_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # A work phone for the citizen's other parties (psychiatry's emails name the consultant's).
    phone: Mapped[str | None] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[Role] = mapped_column(Code(Role, 32))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    locale: Mapped[str] = mapped_column(String(8), default="da")
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped by "log out everywhere"; part of the session identity.
    session_generation: Mapped[int] = mapped_column(default=0)
    # Failed logins in a row and until when the next attempt must wait (the growing delay).
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    login_delay_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The municipality's identity provider's stable subject for this person (staff sign-in by OIDC).
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    __table_args__ = (Index("ix_staff_user_role_org", "role", "organisation_id"),)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation}"


class ApiToken(Model):
    """A personal API token; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A service token (an organisation's system integration) has its scopes; a personal one None.
    scopes: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    # A service token works only after a second person approved it (docs/integrations.md): the
    # approver's half of the token is kept as its SHA-256, like the creator's (`token_hash`).
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approval_hash: Mapped[str | None] = mapped_column(String(64))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])


class UserSession(Model):
    """A logged-in browser session. The cookie names it; logging out ends it here, so a copied
    cookie stops working even though the signed cookie itself is still valid."""

    __tablename__ = "user_session"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # random, from secrets
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
