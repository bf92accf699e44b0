"""A fidelity review from draft to final with its action plan (PostgreSQL and SQLite): the data's
figures prefilled beside the reviewers' scores, disagreements marked, the total's level, the next
review's date, the action plan in its owners' inboxes, and the review as a document."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from ips_coord.models import FidelityAction, FidelityReview, InboxItem
from ips_coord.services import ServiceError
from ips_coord.services import fidelity_reviews as svc
from ips_coord.workflows.fidelity_scale import FidelityLevel, ReviewStatus, level
from tests.factories import login


def test_levels_by_total():
    assert [level(t) for t in (125, 115, 114, 100, 99, 74, 73, 25)] == [
        FidelityLevel.EXEMPLARY,
        FidelityLevel.EXEMPLARY,
        FidelityLevel.GOOD,
        FidelityLevel.GOOD,
        FidelityLevel.FAIR,
        FidelityLevel.FAIR,
        FidelityLevel.NOT_IPS,
        FidelityLevel.NOT_IPS,
    ]
    assert svc.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert svc.add_months(date(2026, 3, 2), 12) == date(2027, 3, 2)


def test_from_draft_to_action_plan(db, world):
    world.case_in("job_search")  # some data for the prefilled figures
    with pytest.raises(ServiceError) as one:
        svc.start_review(world.coordinator, reviewed_on=date(2026, 3, 1), reviewers="Only One")
    assert one.value.field == "reviewers"
    with pytest.raises(ServiceError):
        svc.start_review(world.consultant, reviewed_on=date(2026, 3, 1), reviewers="A\nB")  # not the coordinator
    review = svc.start_review(world.coordinator, reviewed_on=date(2026, 3, 1), reviewers="Ane Ekstern\n  Bo Intern ")
    assert review.reviewer_names == ["Ane Ekstern", "Bo Intern"] and len(review.items) == 25
    caseload = next(i for i in review.items if i.item == 1)
    assert caseload.data_score == 5 and caseload.data_figure["msgid"]  # prefilled from the data panel
    assert next(i for i in review.items if i.item == 2).data_score is None  # not scored by data
    with pytest.raises(ServiceError) as unscored:
        svc.finalise(review, world.coordinator)
    assert unscored.value.field == "score_1"
    # 24 items at 4 and item 1 at 2: 98, fair; item 1 is 3 points from the data's 5.
    svc.save_scores(review, world.coordinator, {n: (4, f"Evidens {n}") for n in range(2, 26)} | {1: (2, None)})
    svc.finalise(review, world.coordinator)
    assert (review.total, review.level, review.status) == (98, FidelityLevel.FAIR, ReviewStatus.FINAL)
    assert review.next_due_on == date(2026, 9, 1)  # fair: the next review in 6 months
    with pytest.raises(ServiceError):
        svc.save_scores(review, world.coordinator, {1: (5, None)})  # final is final
    # The action plan: each action reaches its owner's inbox with its due date, and can be done.
    with pytest.raises(ServiceError) as outside:
        svc.add_action(
            review,
            world.coordinator,
            item=1,
            action="Fordel sager",
            owner_id=world.outsider.id,
            due_on=date(2026, 5, 1),
        )
    assert outside.value.field == "owner_id"
    action = svc.add_action(
        review,
        world.coordinator,
        item=1,
        action="Fordel sagerne så ingen har over 20",
        owner_id=world.consultant.id,
        due_on=date(2026, 5, 1),
    )
    told = db.session.scalars(select(InboxItem).where(InboxItem.user_id == world.consultant.id)).all()
    assert any(
        i.data.get("text") == "Fordel sagerne så ingen har over 20 (01.05.2026)" and i.read_at is None for i in told
    )
    assert svc.open_actions_of(world.consultant) == [action]
    svc.complete_action(action, world.consultant)
    assert svc.open_actions_of(world.consultant) == [] and action.done_at is not None


def test_pages_at_work(app, client, db, world):
    login(client, world.coordinator)
    page = client.get("/coordinator/fidelity-reviews")
    assert page.status_code == 200 and "Fidelitetsgennemgange" in page.get_data(as_text=True)
    # One reviewer is an error beside the field, with what was typed shown back.
    bad = client.post("/coordinator/fidelity-reviews", data={"reviewed_on": "2026-03-01", "reviewers": "Kun Én"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="reviewers-error"' in html and "Kun Én" in html
    started = client.post(
        "/coordinator/fidelity-reviews", data={"reviewed_on": "2026-03-01", "reviewers": "Ane Ekstern\nBo Intern"}
    )
    assert started.status_code == 302
    review = db.session.scalar(select(FidelityReview))
    url = f"/coordinator/fidelity-reviews/{review.id}"
    assert "Fidelitetsgennemgang 01.03.2026" in client.get(url).get_data(as_text=True)
    # A score out of range: 422, the message beside the item, the other typed scores kept.
    form = {f"score_{n}": "5" for n in range(1, 26)} | {"score_7": "9", "evidence_3": "Set på teammøde"}
    wrong = client.post(f"{url}/scores", data=form)
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and 'id="score_7-error"' in html and "Set på teammøde" in html
    form["score_7"] = "5"
    done = client.post(f"{url}/scores", data=form | {"finalise": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(FidelityReview, review.id).total == 125
    page = client.get(url).get_data(as_text=True)
    assert "Eksemplarisk" in page and "01.03.2027" in page  # exemplary: the next review in 12 months
    added = client.post(
        f"{url}/actions",
        data={
            "action_item": "17",
            "action": "Flere virksomhedsbesøg",
            "owner_id": str(world.consultant.id),
            "due_on": "2026-04-01",
        },
    )
    assert added.status_code == 302 and db.session.scalar(select(FidelityAction)).item == 17
    printable = client.get(f"{url}?print=1").get_data(as_text=True)
    assert "Flere virksomhedsbesøg" in printable and "<nav" not in printable
    sheet = client.get(f"{url}.xlsx")
    ws = load_workbook(io.BytesIO(sheet.data)).active
    assert ws["B2"].value == 5 and "fidelitetsgennemgang-2026-03-01.xlsx" in sheet.headers["Content-Disposition"]
    overview = client.get("/coordinator/fidelity-reviews?item=17").get_data(as_text=True)
    assert overview.count("<svg") == 2  # the total and the chosen item over time
    other = app.test_client()
    login(other, world.consultant)
    assert other.get(url).status_code == 404


def test_an_action_is_due_work_the_sweep_tells_once(db, world, clock):
    from datetime import timedelta

    from ips_coord.notifications.sweep import run_sweep

    review = svc.start_review(world.coordinator, reviewed_on=clock.now().date(), reviewers="A B\nC D")
    action = svc.add_action(
        review,
        world.coordinator,
        item=15,
        action="Første arbejdsgiverkontakt hurtigere",
        owner_id=world.consultant.id,
        due_on=clock.now().date() + timedelta(days=10),
    )
    later = svc.add_action(
        review,
        world.coordinator,
        item=17,
        action="Flere besøg",
        owner_id=world.colleague.id,
        due_on=clock.now().date() + timedelta(days=40),
    )

    def told(user):
        return [
            i
            for i in db.session.scalars(select(InboxItem).where(InboxItem.user_id == user.id))
            if "har frist" in (i.data.get("text") or "")
        ]

    run_sweep(clock.now())
    assert told(world.consultant) == []  # not due yet
    clock.advance(days=11)
    run_sweep(clock.now())
    run_sweep(clock.now())  # a second sweep tells nobody again
    assert len(told(world.consultant)) == 1 and len(told(world.coordinator)) == 1
    assert "Første arbejdsgiverkontakt hurtigere" in told(world.consultant)[0].data["text"]
    assert told(world.colleague) == [] and db.session.get(type(later), later.id).reminded_at is None
    svc.complete_action(action, world.consultant)
    assert svc.open_actions_of(world.consultant) == []
