"""Every write route of a case, API and pages: the access log says what came of the request
(`write` only when the write went through; `refused` with the status when the request was
refused or failed validation), and the case's version goes up by exactly one with every write
that went through and not at all otherwise (docs/api.md, one rule in services/changes.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ips_coord.clock import utcnow
from ips_coord.extensions import db
from ips_coord.models import AccessLog, FollowUp, IpsCase
from tests.api.test_access_matrix import CASE_SCOPED, _consents, _plan_rows, _url
from tests.factories import bearer, login

# Who writes which part (the writer the matrix allows), so the body, not the role, decides.
WRITER = {"shared_health_info": "clinician", "benefit_facts": "caseworker"}


def _valid_bodies(today: str, now: str) -> dict[tuple[str, str], dict]:
    """A body each of these API routes accepts: the writes that go through."""
    return {
        ("api_case_parts.Placements", "POST"): {"type": "internship", "employer_name": "Netto", "start_date": today},
        ("api_case_parts.Contacts", "POST"): {"kind": "contact", "occurred_at": now, "location": "community"},
        ("api_case_parts.Consents", "POST"): {
            "from_party": "jobcenter",
            "to_party": "ips_team",
            "categories": ["benefit_facts"],
            "purpose": "Koordinering",
            "given_at": today,
        },
        ("api_case_parts.SharedHealthInfoList", "POST"): {"category": "strengths", "text": "God til struktur"},
        ("api_case_parts.BenefitFacts", "POST"): {"benefit": "Ledighedsydelse"},
        ("api_plan.Goals", "POST"): {"text": "Et job på lager"},
        ("api_plan.Actions", "POST"): {"text": "Ring til Netto", "owner": "citizen"},
        ("api_plan.Interventions", "POST"): {"name": "CTI", "start_date": today},
    }


def _rows(case_id: int, action: str) -> list[AccessLog]:
    db.session.commit()  # the log's rows are committed on a connection of their own
    return list(
        db.session.scalars(
            select(AccessLog).where(AccessLog.case_id == case_id, AccessLog.action == action).order_by(AccessLog.id)
        )
    )


def _version(case_id: int) -> int:
    db.session.commit()
    return int(db.session.scalar(select(IpsCase.version).where(IpsCase.id == case_id)) or 0)


def _writes():
    return [
        (endpoint, method, part)
        for (endpoint, method), (part, write) in CASE_SCOPED.items()
        if write and method != "GET"
    ]


@pytest.mark.parametrize("body", ["invalid", "valid"])
def test_every_case_write_logs_its_outcome_and_raises_the_version_only_when_it_went_through(app, world, body):
    from tests.conftest import IsolatedClient

    case = world.case_in("employed")
    act_profile = {"job_preferences": "Lager"}
    from ips_coord.services import activities as act

    act.save_profile(case, world.consultant, act_profile)
    spare = _consents(case, world, "given")
    follow_up = db.session.scalar(select(FollowUp).where(FollowUp.case_id == case.id, FollowUp.status == "open"))
    plan_ids = _plan_rows(case, world)
    app.test_client_class = IsolatedClient
    clients = {}
    valid = _valid_bodies(utcnow().date().isoformat(), utcnow().isoformat())
    failures, went_through, refused = [], 0, 0
    for endpoint, method, part in _writes():
        writer = getattr(world, WRITER.get(part, "consultant"))
        url = _url(app, endpoint, case, spare, follow_up, **plan_ids)
        page = not endpoint.startswith("api_")
        if page and writer.id not in clients:
            clients[writer.id] = app.test_client()
            login(clients[writer.id], writer)
        if body == "valid" and (page or (endpoint, method) not in valid):
            continue  # the refused half covers these
        writes_before, refused_before = len(_rows(case.id, "write")), len(_rows(case.id, "refused"))
        version = _version(case.id)
        if page:
            # An empty form: re-rendered with its messages (400), or nothing to do.
            resp = clients[writer.id].open(url, method=method, data={})
        else:
            client = app.test_client()
            resp = client.open(
                url,
                method=method,
                headers=bearer(writer),
                json=valid.get((endpoint, method), {}) if body == "valid" else {"version": "x"},
            )
        new_writes = _rows(case.id, "write")[writes_before:]
        new_refused = _rows(case.id, "refused")[refused_before:]
        after = _version(case.id)
        if resp.status_code >= 400:
            refused += 1
            if (
                new_writes
                or not new_refused
                or {r.outcome for r in new_refused} != {resp.status_code}
                or after != version
            ):
                failures.append(
                    (
                        method,
                        url,
                        resp.status_code,
                        "refused",
                        len(new_writes),
                        [r.outcome for r in new_refused],
                        version,
                        after,
                    )
                )
        else:
            went_through += 1
            if (
                not new_writes
                or new_refused
                or any(r.outcome is not None for r in new_writes)
                or (resp.status_code not in (302, 303) and after != version + 1)
            ):
                failures.append(
                    (method, url, resp.status_code, "written", len(new_writes), len(new_refused), version, after)
                )
    assert not failures, failures
    if body == "invalid":
        assert refused >= 20, "the class is covered: every write route refused an empty or wrong body"
    else:
        assert went_through == len(valid), "every valid body went through"


def test_a_refused_shared_health_info_is_not_logged_as_a_write(client, world):
    """The instance that was found: a 422 POST /shared-health-info."""
    case = world.case_in("engagement")
    resp = client.post(
        f"/api/v1/cases/{case.id}/shared-health-info",
        headers=bearer(world.clinician),
        json={"category": "strengths", "text": ""},
    )
    assert resp.status_code == 422
    db.session.commit()
    actions = dict(
        db.session.execute(
            select(AccessLog.action, func.count())
            .where(AccessLog.case_id == case.id, AccessLog.user_id == world.clinician.id)
            .group_by(AccessLog.action)
        ).all()
    )
    assert actions == {"refused": 1}
    row = db.session.scalar(
        select(AccessLog).where(AccessLog.case_id == case.id, AccessLog.user_id == world.clinician.id)
    )
    assert row.outcome == 422 and row.part == "shared_health_info"


def test_adding_a_placement_raises_the_case_version(client, world):
    case = world.case_in("job_search")
    h = bearer(world.consultant)
    before = client.get(f"/api/v1/cases/{case.id}", headers=h).json["version"]
    resp = client.post(
        f"/api/v1/cases/{case.id}/placements",
        headers=h,
        json={"type": "internship", "employer_name": "Netto", "start_date": utcnow().date().isoformat()},
    )
    assert resp.status_code == 201
    assert resp.headers["Case-Version"] == str(before + 1)
    # A client that read the case before the placement holds a stale version now.
    stale = client.post(
        f"/api/v1/cases/{case.id}/contacts",
        headers={**h, "If-Match": f'"{before}"'},
        json={"kind": "contact", "occurred_at": utcnow().isoformat(), "location": "community"},
    )
    assert stale.status_code == 409 and stale.json["current_version"] == before + 1
