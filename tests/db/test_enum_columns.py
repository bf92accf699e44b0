"""Model columns typed with their enums: the stored strings are as before (no migration), and
what is read back is the enum."""

from __future__ import annotations

from sqlalchemy import select, text

from ips_coord.models import CaseEvent, FollowUp, IpsCase
from ips_coord.workflows.phases import FollowUpKind, FollowUpStatus, Phase


def test_enum_columns_store_plain_strings_and_read_back_enums(db, world):
    case = world.case_in("job_search")
    raw = db.session.execute(text("SELECT phase FROM ips_case WHERE id = :id"), {"id": case.id}).scalar()
    assert raw == "job_search" and type(raw) is str
    db.session.expire_all()
    case = db.session.get_one(IpsCase, case.id)
    assert case.phase is Phase.JOB_SEARCH
    follow_up = db.session.scalars(select(FollowUp).where(FollowUp.case_id == case.id)).first()
    assert isinstance(follow_up.kind, FollowUpKind) and isinstance(follow_up.status, FollowUpStatus)
    event = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.seq == 2)).one()
    assert (event.from_phase, event.to_phase) == (Phase.REFERRED, Phase.ENGAGEMENT)
    assert isinstance(event.to_phase, Phase)


def test_a_filter_on_an_unknown_code_finds_nothing(db, world):
    world.case_in("engagement")
    assert db.session.scalars(select(IpsCase).where(IpsCase.phase == "no_such_phase")).all() == []
