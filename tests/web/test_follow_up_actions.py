"""Every kind of follow-up, done from Min dag: only a plain contact closes with one tap (with a
note); every kind answered by a record opens the form that records it, and the server refuses
to close it by hand, from Min dag and from the case page."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from sqlalchemy import func, select

from ips_coord.models import Contact, FollowUp, ProgressRating
from ips_coord.services import activities as act
from ips_coord.web.follow_up_actions import ONE_TAP_KINDS
from ips_coord.workflows.phases import CITIZEN_CONTACT_FOLLOW_UPS, FollowUpKind
from ips_coord.workflows.plan import CURRENT_INSTRUMENT
from tests.factories import login

# The phase in which each kind arises (the default: searching for a job).
PHASE_OF = {
    FollowUpKind.JOB_ENDING_REVIEW: "job_ended",
    FollowUpKind.JOB_ENDING_CONTACT: "job_ended",
    FollowUpKind.RESUME_SEARCH: "job_ended",
    FollowUpKind.JOB_START_CONTACT: "employed",
    FollowUpKind.WEEKLY_CONTACT: "employed",
    FollowUpKind.MONTHLY_CONTACT: "employed",
    FollowUpKind.BENEFITS_COUNSELLING: "employed",
    FollowUpKind.CAREER_PROFILE_UPDATE: "employed",
    FollowUpKind.JOINT_START_MEETING: "engagement",
    FollowUpKind.FIRST_CITIZEN_CONTACT: "engagement",
}

# What the page the button opens must hold: the form that records the answer.
ANSWERING_FORM = {
    FollowUpKind.FIRST_CITIZEN_CONTACT: '/contacts"',
    FollowUpKind.JOINT_START_MEETING: '/contacts"',
    FollowUpKind.BENEFITS_COUNSELLING: '/contacts"',
    FollowUpKind.JOB_ENDING_REVIEW: '/reviews"',
    FollowUpKind.CAREER_PROFILE_UPDATE: '/profile"',
    FollowUpKind.PROFILE_REASSESSMENT: '/profile"',
    FollowUpKind.PROGRESS_RATING: '/plan/progress"',
    FollowUpKind.PLAN_ACTION: '/plan/actions"',
    FollowUpKind.CONSENT_EXPIRY: '/consents"',
    FollowUpKind.RESUME_SEARCH: 'name="event" value="resume_search"',  # that step's form, opened
    FollowUpKind.PSYCHIATRY_ACK: None,  # the case page itself
    FollowUpKind.FIRST_EMPLOYER_CONTACT: '({ref})"',  # the form, with the citizen already named
    FollowUpKind.NEXT_EMPLOYER_CONTACT: '({ref})"',
    FollowUpKind.EMPLOYER_NEXT_STEP: "/next-step-done",
}


def _card(html: str, fu_id: int) -> str:
    start = html.index(f'id="fu-{fu_id}"')
    return html[start : html.index("</li>", start)]


def test_every_follow_up_kind_from_my_day(client, world, db, clock):
    assert ONE_TAP_KINDS == CITIZEN_CONTACT_FOLLOW_UPS
    assert set(FollowUpKind) == set(ONE_TAP_KINDS) | set(ANSWERING_FORM), "a new kind needs its answer"
    cases = {phase: world.case_in(phase, clock) for phase in ("engagement", "job_search", "employed", "job_ended")}
    login(client, world.consultant)
    walked = []
    for kind in FollowUpKind:
        case = cases[PHASE_OF.get(kind, "job_search")]
        if kind == FollowUpKind.EMPLOYER_NEXT_STEP:  # made with the employer contact that agreed it
            act.log_employer_contact(
                world.consultant,
                employer_name="Bageriet",
                occurred_at=clock.now(),
                location="community",
                case=case,
                next_step="Send CV",
                next_step_due=clock.now().date(),
            )
            fu = db.session.scalar(select(FollowUp).where(FollowUp.kind == kind))
            fu.due_at = clock.now() - timedelta(days=3)
            db.session.commit()
        else:
            fu = FollowUp(
                case_id=case.id,
                kind=kind,
                due_at=clock.now() - timedelta(days=3),
                assignee_id=world.consultant.id,
                created_at=clock.now() - timedelta(days=30),
            )
            db.session.add(fu)
            db.session.commit()
        html = client.get("/my-day").get_data(as_text=True)
        card = _card(html, fu.id)
        contacts_before = db.session.scalar(select(func.count(Contact.id)).where(Contact.case_id == case.id))
        if kind in ONE_TAP_KINDS:
            assert f'action="/my-day/follow-ups/{fu.id}/contact"' in card and f'id="note-{fu.id}"' in card, kind
            r = client.post(
                f"/my-day/follow-ups/{fu.id}/contact", data={"location": "phone", "note": f"Talte om {kind}"}
            )
            assert r.status_code == 302 and r.headers["Location"] == "/my-day"
            db.session.expire_all()
            assert db.session.get(FollowUp, fu.id).status == "done", kind
            note = db.session.scalar(
                select(Contact.note).where(Contact.case_id == case.id).order_by(Contact.id.desc()).limit(1)
            )
            assert note == f"Talte om {kind}"
        else:
            assert '/contact"' not in card, f"{kind} must not be closed with one tap"
            href = unescape(re.search(r'<a class="button primary" href="([^"]+)"', card).group(1))
            page = client.get(href)
            assert page.status_code == 200, (kind, href)
            body = page.get_data(as_text=True)
            wanted = ANSWERING_FORM[kind]
            if wanted is not None:
                assert wanted.format(ref=case.reference) in body, (kind, href)
            if "#" in href:
                assert f'id="{href.split("#")[1]}"' in body, (kind, href)
            # The server refuses the one-tap close too, from Min dag and from the case page.
            r = client.post(f"/my-day/follow-ups/{fu.id}/contact", data={"location": "community"})
            assert r.status_code == 303 and r.headers["Location"] == href
            r = client.post(f"/cases/{case.id}/follow-ups/{fu.id}/done")
            assert r.status_code == 302
            db.session.expire_all()
            assert db.session.get(FollowUp, fu.id).status == "open", kind
            assert (
                db.session.scalar(select(func.count(Contact.id)).where(Contact.case_id == case.id)) == contacts_before
            ), kind
            assert "klares ved at registrere" in client.get(f"/cases/{case.id}").get_data(as_text=True)
        walked.append(kind)
    assert walked == list(FollowUpKind)


def test_the_progress_measure_closes_only_with_a_rating(client, world, db, clock):
    case = world.case_in("job_search")
    fu = db.session.scalar(
        select(FollowUp).where(FollowUp.case_id == case.id, FollowUp.kind == FollowUpKind.PROGRESS_RATING)
    )
    clock.advance(days=20)
    login(client, world.consultant)
    client.post(f"/my-day/follow-ups/{fu.id}/contact", data={"location": "community"})
    db.session.expire_all()
    assert db.session.get(FollowUp, fu.id).status == "open"
    assert db.session.scalar(select(func.count(ProgressRating.id)).where(ProgressRating.case_id == case.id)) == 0
    # The button's form, filled in: the rating is recorded, and that closes the follow-up.
    page = client.get(f"/cases/{case.id}?open=rating").get_data(as_text=True)
    assert f'action="/cases/{case.id}/plan/progress"' in page
    r = client.post(f"/cases/{case.id}/plan/progress", data={d: "7" for d in CURRENT_INSTRUMENT.dimensions})
    assert r.status_code == 302 and r.headers["Location"].endswith("#progress")
    db.session.expire_all()
    assert db.session.get(FollowUp, fu.id).status == "done"
    # The saved message is inside the section it concerns, not at the top.
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert html.index("Gemt.") > html.index('id="progress"')
