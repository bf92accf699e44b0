"""The sectors at work on the pages: psychiatry records an admission and a discharge (logged in; the reason
shown only under consent), the jobcenter's workspace, the consultant's treatment-team meetings
and a running job's new hours."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ips_coord.models import AccessLog, FollowUp, IpsCase, TreatmentTeamMeeting
from ips_coord.services import activities as act
from ips_coord.workflows.phases import ConsentCategory, FollowUpKind, Party
from tests.factories import login


def _fresh(db, case):
    db.session.expire_all()
    return db.session.get(IpsCase, case.id)


def test_psychiatry_records_admission_and_discharge_on_its_page(client, world, db, clock):
    case = world.case_in("job_search")
    world.clinician.locale = "da"
    db.session.commit()
    login(client, world.clinician)
    page = client.get(f"/cases/{case.id}/treatment").get_data(as_text=True)
    assert "Registrér en indlæggelse" in page
    # A date after today is refused, and what was typed stays.
    tomorrow = (clock.now() + timedelta(days=1)).date().isoformat()
    r = client.post(f"/cases/{case.id}/treatment/admission", data={"admitted_on": tomorrow, "reason": "Forværring"})
    assert r.status_code == 422 and "kan ikke ligge efter i dag" in r.get_data(as_text=True)
    assert "Forværring" in r.get_data(as_text=True)
    r = client.post(
        f"/cases/{case.id}/treatment/admission",
        data={"admitted_on": clock.now().date().isoformat(), "reason": "Forværring"},
    )
    assert r.status_code == 302
    assert _fresh(db, case).phase == "paused"
    page = client.get(f"/cases/{case.id}/treatment").get_data(as_text=True)
    assert "Registrér udskrivningen" in page and "Forværring" in page
    clock.advance(days=5)
    login(client, world.clinician)  # the session ended while the citizen was admitted
    r = client.post(f"/cases/{case.id}/treatment/discharge", data={"discharged_on": clock.now().date().isoformat()})
    assert r.status_code == 302 and r.headers["Location"].endswith("/treatment")
    assert _fresh(db, case).phase == "job_search"
    assert db.session.scalar(
        select(FollowUp.id).where(FollowUp.case_id == case.id, FollowUp.kind == FollowUpKind.DISCHARGE_CONTACT)
    )


def test_the_reason_is_shown_to_the_team_only_under_consent(client, world, db, clock):
    case = world.case_in("employed")
    from ips_coord.services.treatment import record_admission

    record_admission(case.id, world.clinician, admitted_on=clock.now().date(), reason="Akut-XYZ")
    login(client, world.consultant)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Indlæggelser" in page and "Akut-XYZ" not in page and "helbredsoplysning" in page
    act.record_consent(
        case,
        world.consultant,
        from_party=Party.PSYCHIATRY,
        to_party=Party.IPS_TEAM,
        categories=[ConsentCategory.WARNING_SIGNS],
        purpose="Støtte",
        given_at=clock.now().date(),
        expires_at=None,
    )
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Akut-XYZ" in page
    parts = set(
        db.session.scalars(
            select(AccessLog.part).where(AccessLog.case_id == case.id, AccessLog.user_id == world.consultant.id)
        )
    )
    assert "shared_health_info" in parts
    # The jobcenter never sees the admission; the consultant cannot record one.
    client.post("/logout")
    login(client, world.caseworker)
    assert "Akut-XYZ" not in client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Indlæggelser" not in client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert client.get(f"/cases/{case.id}/treatment").status_code == 403
    client.post("/logout")
    login(client, world.consultant)
    assert client.get(f"/cases/{case.id}/treatment").status_code == 403


def test_the_jobcenter_workspace_and_a_decision(client, world, db, clock):
    employed = world.case_in("employed")
    act.record_consent(
        employed,
        world.consultant,
        from_party=Party.IPS_TEAM,
        to_party=Party.JOBCENTER,
        categories=[ConsentCategory.EMPLOYMENT_PROGRESS],
        purpose="Job",
        given_at=clock.now().date(),
        expires_at=None,
    )
    other = world.case_in("engagement")
    login(client, world.caseworker)
    assert client.get("/").headers["Location"].endswith("/jobcenter")
    page = client.get("/jobcenter").get_data(as_text=True)
    assert employed.reference in page and other.reference in page and "Bageriet" in page and "Intet samtykke" in page
    logged = set(
        db.session.execute(
            select(AccessLog.case_id, AccessLog.part).where(AccessLog.user_id == world.caseworker.id)
        ).all()
    )
    assert (employed.id, "placements") in logged and (other.id, "placements") not in logged
    r = client.post(
        f"/cases/{employed.id}/decisions",
        data={"kind": "flexjob_assessment", "benefit": "Visiteret", "on_date": clock.now().date().isoformat()},
    )
    assert r.status_code == 302
    page = client.get(f"/cases/{employed.id}").get_data(as_text=True)
    assert "Fleksjobvurdering" in page and "Visiteret" in page
    r = client.post(f"/cases/{employed.id}/decisions", data={"kind": "mentor_hours", "benefit": "", "hours": "3"})
    assert r.status_code == 400
    assert client.get("/treatment-team").status_code == 404
    client.post("/logout")
    login(client, world.consultant)
    assert client.get("/jobcenter").status_code == 404
    assert client.post(f"/cases/{employed.id}/decisions", data={"kind": "aids", "benefit": "x"}).status_code == 403


def test_treatment_team_meetings_and_new_hours(client, world, db, clock):
    case = world.case_in("employed")
    login(client, world.consultant)
    page = client.get("/treatment-team").get_data(as_text=True)
    assert "Næste møde senest" in page
    r = client.post(
        "/treatment-team",
        data={
            "held_on": clock.now().date().isoformat(),
            "attended": "y",
            "clinicians_present": "-1",
            "cases_discussed": "4",
        },
    )
    assert r.status_code == 400 and 'value="4"' in r.get_data(as_text=True)
    r = client.post(
        "/treatment-team",
        data={
            "held_on": clock.now().date().isoformat(),
            "attended": "y",
            "clinicians_present": "2",
            "cases_discussed": "4",
        },
    )
    assert r.status_code == 302
    assert db.session.scalar(select(TreatmentTeamMeeting.cases_discussed)) == 4
    r = client.post(f"/cases/{case.id}/job-terms", data={"hours_per_week": "25"})
    assert r.status_code == 302
    assert db.session.scalar(
        select(FollowUp.id).where(FollowUp.case_id == case.id, FollowUp.kind == FollowUpKind.BENEFITS_COUNSELLING)
    )
    r = client.post(f"/cases/{case.id}/job-terms", data={"hours_per_week": "25"})
    assert r.status_code == 422  # nothing changed
