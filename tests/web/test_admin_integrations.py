"""The admin's integrations page: service tokens, webhooks, the delivery log."""

from __future__ import annotations

from sqlalchemy import select

from ips_coord.extensions import db as _db
from ips_coord.models import AccessLog, ApiToken, WebhookDelivery, WebhookEndpoint
from ips_coord.services import webhooks
from tests.factories import login


def test_admin_makes_a_token_and_a_webhook_and_sends_a_delivery_again(client, world, clock):
    login(client, world.admin)
    page = client.get("/admin/integrations?lang=en")
    assert page.status_code == 200
    # A mistake re-renders the form with the message and what was typed.
    bad = client.post(
        "/admin/integrations/tokens",
        data={"t-organisation_id": world.jobcenter.id, "t-name": "Jobcenter-system", "t-days": 5000},
    )
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert 'value="Jobcenter-system"' in html and 'class="error"' in html
    made = client.post(
        "/admin/integrations/tokens",
        data={
            "t-organisation_id": world.team.id,
            "t-name": "Teamets system",
            "t-days": 30,
            "t-scopes": ["changes:read", "webhooks:receive"],
        },
    )
    assert made.status_code == 200
    token = _db.session.scalar(select(ApiToken).where(ApiToken.name == "Teamets system"))
    _db.session.commit()
    assert token is not None and token.scopes == ["changes:read", "webhooks:receive"]
    assert 'id="new-token">ipc_' in made.get_data(as_text=True), "the creator's half is shown once"
    assert "ipc_" not in client.get("/admin/integrations").get_data(as_text=True), "and never again"
    # Four eyes: no webhook for a token nobody else has approved; the privacy officer approves it.
    pending = client.post(
        "/admin/integrations/webhooks",
        data={"w-token_id": token.id, "w-url": "http://127.0.0.1:9/hook", "w-kinds": ["case"]},
    )
    assert pending.status_code == 400
    assert client.post(f"/privacy/service-tokens/{token.id}/approve").status_code == 404, "not the admin's to approve"
    client.post("/logout")
    login(client, world.privacy_officer)
    approval_page = client.get("/privacy?lang=en").get_data(as_text=True)
    assert "Teamets system" in approval_page and world.admin.name in approval_page
    approved = client.post(f"/privacy/service-tokens/{token.id}/approve")
    assert approved.status_code == 200 and 'id="approver-half">' in approved.get_data(as_text=True)
    assert 'id="approver-half">' not in client.get("/privacy").get_data(as_text=True), "shown once"
    client.post("/logout")
    login(client, world.admin)
    refused = client.post(
        "/admin/integrations/webhooks",
        data={"w-token_id": token.id, "w-url": "http://example.org/hook", "w-kinds": ["case"]},
    )
    assert refused.status_code == 400 and "http://example.org/hook" in refused.get_data(as_text=True)
    hooked = client.post(
        "/admin/integrations/webhooks",
        data={"w-token_id": token.id, "w-url": "http://127.0.0.1:9/hook", "w-kinds": ["case", "case_event"]},
    )
    assert hooked.status_code == 200 and 'id="new-secret">whsec_' in hooked.get_data(as_text=True)
    endpoint = _db.session.scalar(select(WebhookEndpoint))
    _db.session.commit()
    case = world.referral()
    webhooks.fan_out(clock.now(), 100)
    delivery = _db.session.scalar(select(WebhookDelivery).order_by(WebhookDelivery.id).limit(1))
    _db.session.commit()
    listed = client.get("/admin/integrations").get_data(as_text=True)
    assert f"#{delivery.id}" in listed and case.reference in listed
    assert (
        _db.session.scalar(
            select(AccessLog.id).where(
                AccessLog.user_id == world.admin.id, AccessLog.case_id == case.id, AccessLog.part == "webhook_delivery"
            )
        )
        is not None
    )
    again = client.post(f"/admin/integrations/deliveries/{delivery.id}/resend", follow_redirects=True)
    assert again.status_code == 200
    _db.session.expire_all()
    assert _db.session.get(WebhookDelivery, delivery.id).status == "pending"
    client.post(f"/admin/integrations/webhooks/{endpoint.id}/disable")
    client.post(f"/admin/integrations/tokens/{token.id}/revoke")
    _db.session.expire_all()
    assert _db.session.get(WebhookEndpoint, endpoint.id).disabled_at is not None
    assert _db.session.get(ApiToken, token.id).revoked_at is not None
    _db.session.commit()


def test_only_the_admin_sees_the_page(client, world):
    for who in (world.consultant, world.coordinator, world.privacy_officer):
        login(client, who)
        assert client.get("/admin/integrations").status_code == 404
        assert client.post("/admin/integrations/deliveries/1/resend").status_code == 404
        client.post("/logout")


def test_the_teams_coordinator_approves_its_own_organisations_token_only(client, world):
    """The second person may be a coordinator of the organisation the token acts for: on the
    overview, with the approver's half shown once; another organisation's token is not theirs."""
    from ips_coord.services import integrations

    _half, team_token = integrations.create_service_token(world.admin, world.team.id, "Teamets EPJ", ["cases:read"], 30)
    _half, psychiatry_token = integrations.create_service_token(
        world.admin, world.psychiatry.id, "EPJ", ["cases:read"], 30
    )
    _db.session.commit()
    login(client, world.coordinator)
    overview = client.get("/coordinator?lang=en").get_data(as_text=True)
    assert "Teamets EPJ" in overview and "EPJ (#" in overview and f"EPJ (#{psychiatry_token.id})" not in overview
    assert client.post(f"/coordinator/service-tokens/{psychiatry_token.id}/approve").status_code == 404
    approved = client.post(f"/coordinator/service-tokens/{team_token.id}/approve")
    assert approved.status_code == 200 and 'id="approver-half">' in approved.get_data(as_text=True)
    _db.session.expire_all()
    row = _db.session.get(ApiToken, team_token.id)
    assert row.approved_by_id == world.coordinator.id and row.approved_at is not None
    assert _db.session.get(ApiToken, psychiatry_token.id).approved_at is None
    again = client.post(f"/coordinator/service-tokens/{team_token.id}/reject")
    assert again.status_code == 302, "no longer waiting: told so on the overview"
    _db.session.expire_all()
    assert _db.session.get(ApiToken, team_token.id).revoked_at is None
    _db.session.commit()


def test_the_admin_cannot_move_an_integration_account_or_make_one_by_hand(world):
    """What a system reads was approved for its organisation: the admin may deactivate its
    account, never move it to another organisation or role, nor make an integration account."""
    import pytest

    from ips_coord.services import ServiceError, admin
    from tests.factories import service_token

    _token, row = service_token(world, world.jobcenter, ["cases:read"])
    account = row.user
    for role, org in (("integration", world.psychiatry.id), ("ips_consultant", world.jobcenter.id)):
        with pytest.raises(ServiceError) as refused:
            admin.update_user(world.admin, account, role=role, organisation_id=org, active=True)
        assert refused.value.field == "role"
    admin.update_user(world.admin, account, role="integration", organisation_id=world.jobcenter.id, active=False)
    assert account.active is False and account.organisation_id == world.jobcenter.id
    with pytest.raises(ServiceError):
        admin.update_user(world.admin, world.consultant, role="integration", organisation_id=world.team.id, active=True)
    with pytest.raises(ServiceError):
        admin.create_user(
            world.admin,
            email="x@example.test",
            name="X",
            role="integration",
            organisation_id=world.team.id,
            locale="da",
            secret_key="k",
            link=lambda t: t,
        )
