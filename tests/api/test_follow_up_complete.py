"""Every door that marks a follow-up done by hand refuses a kind answered by a record: the API's
`POST /follow-ups/<id>/complete` like the pages (one rule, in the service). Each kind of the
enumeration is tried; the ones closed by hand close, the others stay open with a 422 naming `kind`."""

from __future__ import annotations

from sqlalchemy import select

from ips_coord.clock import utcnow
from ips_coord.models import FollowUp
from ips_coord.workflows.phases import CLOSED_BY_HAND, FollowUpKind
from tests.factories import bearer


def test_the_api_closes_by_hand_only_what_a_contact_or_an_employer_step_answers(client, world, db):
    case = world.case_in("job_search")
    h = bearer(world.consultant)
    now = utcnow()
    for kind in FollowUpKind:
        fu = FollowUp(
            case_id=case.id,
            kind=kind,
            due_at=now,
            assignee_id=world.consultant.id,
            status="open",
            data={},
            created_at=now,
        )
        db.session.add(fu)
        db.session.commit()
        answer = client.post(f"/api/v1/follow-ups/{fu.id}/complete", headers=h)
        db.session.expire_all()
        status = db.session.scalar(select(FollowUp.status).where(FollowUp.id == fu.id))
        if kind in CLOSED_BY_HAND:
            assert answer.status_code == 200 and status == "done", kind
        else:
            assert answer.status_code == 422 and status == "open", (kind, answer.status_code)
            problem = answer.get_json()
            assert answer.mimetype == "application/problem+json" and "kind" in problem.get("errors", {}), problem
    assert len(CLOSED_BY_HAND) < len(FollowUpKind)  # the class is not empty either way
