"""The citizen's network: people named by the citizen or, on the citizen's word, by the consultant;
what each may know (a consent per category, withdrawn from the citizen's own view); the meetings
they were invited to and whether they came."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..workflows.network import NetworkCategory, NetworkRelation
from ..workflows.plan import WrittenBy
from .types import Code, UTCDateTime


class NetworkPerson(Model):
    __tablename__ = "network_person"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ips_case.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    relation: Mapped[NetworkRelation] = mapped_column(Code(NetworkRelation, 32))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)  # NetworkRole values
    added_by: Mapped[WrittenBy] = mapped_column(Code(WrittenBy, 16))
    added_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    consents: Mapped[list[NetworkConsent]] = relationship(order_by="NetworkConsent.id", back_populates="person")


class NetworkConsent(Model):
    __tablename__ = "network_consent"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("network_person.id"))
    category: Mapped[NetworkCategory] = mapped_column(Code(NetworkCategory, 16))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime())
    given_by: Mapped[WrittenBy] = mapped_column(Code(WrittenBy, 16))  # the citizen, or staff on their word
    recorded_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    person: Mapped[NetworkPerson] = relationship(back_populates="consents")

    __table_args__ = (Index("ix_network_consent_person", "person_id", "category"),)


class NetworkMeeting(Model):
    """A meeting a network person was invited to, and whether they took part."""

    __tablename__ = "network_meeting"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("network_person.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ips_case.id"), index=True)
    meeting_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(Text)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    took_part: Mapped[bool | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
