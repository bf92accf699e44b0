"""The case page's sections open on demand: the first view builds no record form, a section's
link opens its form, a failed save comes back with focus on the field, a good one returns to the
section with its message there (not at the top)."""

from __future__ import annotations

import re

from tests.factories import login

FORMS = (
    "/contacts",
    "/reviews",
    "/profile",
    "/steps",
    "/consents",
    "/shared-health-info",
    "/plan/goal",
    "/plan/actions",
    "/plan/interventions",
    "/plan/supports",
    "/plan/progress",
    "/decisions",
    "/job-terms",
)
SECTIONS = ("contact", "profile", "step", "consent", "withdraw", "plan", "interventions", "supports", "rating", "terms")


def test_first_view_has_only_links_and_each_section_opens(client, world):
    case = world.case_in("employed")
    login(client, world.consultant)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    main = html[html.index('<main id="main">') :]
    posted = re.findall(r'<form method="post" action="/cases/\d+(/[a-z/-]+)"', main)
    assert not [p for p in posted if p in FORMS], posted  # no record form on the first screen
    assert "/transition" not in posted and 'name="event"' not in main  # nor a next step's form
    # The next allowed steps are links, after the contact link.
    nexts = re.findall(rf'href="/cases/{case.id}\?open=(next-[a-z_]+)#(next-[a-z_]+)"', main)
    assert ("next-end_job", "next-end_job") in nexts and all(a == b for a, b in nexts), nexts
    assert main.index(f'href="/cases/{case.id}?open=contact#contact"') < main.index("?open=next-end_job")
    assert "employers.js" not in main  # nothing to search for an employer in yet
    opened = client.get(f"/cases/{case.id}?" + "&".join(f"open={s}" for s in SECTIONS)).get_data(as_text=True)
    posted = set(re.findall(r'<form method="post" action="/cases/\d+(/[a-z/-]+)"', opened))
    assert {
        "/contacts",
        "/profile",
        "/steps",
        "/consents",
        "/plan/goal",
        "/plan/actions",
        "/plan/interventions",
        "/plan/supports",
        "/plan/progress",
        "/job-terms",
    } <= posted
    assert "/transition" not in posted
    assert client.get(f"/cases/{case.id}?open=nonsense").status_code == 200
    assert client.get(f"/cases/{case.id}?open=next-nonsense").status_code == 200


def test_a_next_step_opens_by_its_link_and_a_failed_one_comes_back_open(client, world, db):
    case = world.case_in("job_search")
    login(client, world.consultant)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    href = re.search(rf'href="(/cases/{case.id}\?open=next-start_job#next-start_job)"', html).group(1)
    opened = client.get(href).get_data(as_text=True)
    step = opened[opened.index('id="next-start_job"') : opened.index("</form>", opened.index('id="next-start_job"'))]
    assert f'action="/cases/{case.id}/transition"' in step and 'value="start_job"' in step
    assert re.findall(r'name="event" value="([a-z_]+)"', opened) == ["start_job"]  # only the one opened
    assert "data-employer-search" in step and "employers.js" in opened  # the register's suggestions
    assert f'href="/cases/{case.id}?open=next-start_education#next-start_education"' in opened
    # A refused step: back with that step open, the message by its field, the focus there, the typed kept.
    r = client.post(
        f"/cases/{case.id}/transition",
        data={
            "event": "start_job",
            "version": case.version,
            "employer_name": "Cykelsmeden",
            "job_title": "Mekaniker",
            "placement_type": "ordinary_job",
            "hours_per_week": "900",
        },
    )
    body = r.get_data(as_text=True)
    assert r.status_code == 400, body[:500]
    step = body[body.index('id="next-start_job"') : body.index("</form>", body.index('id="next-start_job"'))]
    assert 'value="Cykelsmeden"' in step and 'value="Mekaniker"' in step
    assert re.search(
        r'<input[^>]*aria-invalid="true"[^>]*autofocus[^>]*name="hours_per_week"'
        r'|<input[^>]*autofocus[^>]*name="hours_per_week"',
        step,
    ), step
    assert 'id="hours_per_week-error"' in step and body.count("autofocus") == 1
    assert re.findall(r'name="event" value="([a-z_]+)"', body) == ["start_job"]


def test_the_review_lands_on_its_field_and_its_message(client, world, clock):
    case = world.case_in("job_ended", clock)
    login(client, world.consultant)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'action="/cases/{case.id}/reviews"' in html  # due: the review is the next step, open by itself
    bad = client.post(f"/cases/{case.id}/reviews", data={"held_at": "", "what_worked": "Kollegerne"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Kollegerne" in body
    assert re.search(r'<input[^>]*autofocus[^>]*name="held_at"|<input[^>]*name="held_at"[^>]*autofocus', body)
    assert body.count("autofocus") == 1
    ok = client.post(
        f"/cases/{case.id}/reviews",
        data={"held_at": clock.now().strftime("%Y-%m-%dT%H:%M"), "what_worked": "Kollegerne"},
    )
    assert ok.status_code == 302 and ok.headers["Location"].endswith("#review")
    page = client.get(ok.headers["Location"]).get_data(as_text=True)
    saved = page.index("Opfølgningsmødet er gemt")
    assert page.index('id="review"') < saved < page.index("</section>", page.index('id="review"'))
    assert page.index('<main id="main">') < page.index('id="review"')  # not among the messages at the top
