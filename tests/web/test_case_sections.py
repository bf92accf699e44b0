"""The case page's sections open on demand: the first view builds no record form, a section's
link opens its form, a failed save comes back with focus on the field, a good one returns to the
section with its message there (not at the top)."""
from __future__ import annotations

import re

from tests.factories import login

FORMS = ("/contacts", "/reviews", "/profile", "/steps", "/consents", "/shared-health-info", "/plan/goal",
         "/plan/actions", "/plan/interventions", "/plan/supports", "/plan/progress", "/decisions", "/job-terms")
SECTIONS = ("contact", "profile", "step", "consent", "withdraw", "plan", "interventions", "supports", "rating",
            "terms")


def test_first_view_has_only_the_next_steps_and_each_section_opens(client, world):
    case = world.case_in("employed")
    login(client, world.consultant)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    main = html[html.index('<main id="main">'):]
    posted = re.findall(r'<form method="post" action="/cases/\d+(/[a-z/-]+)"', main)
    assert not [p for p in posted if p in FORMS], posted  # no record form on the first screen
    assert "/transition" in posted  # the next allowed steps are
    assert main.index(f'href="/cases/{case.id}?open=contact#contact"') < main.index("/transition")
    opened = client.get(f"/cases/{case.id}?" + "&".join(f"open={s}" for s in SECTIONS)).get_data(as_text=True)
    posted = set(re.findall(r'<form method="post" action="/cases/\d+(/[a-z/-]+)"', opened))
    assert {"/contacts", "/profile", "/steps", "/consents", "/plan/goal", "/plan/actions", "/plan/interventions",
            "/plan/supports", "/plan/progress", "/job-terms"} <= posted
    assert client.get(f"/cases/{case.id}?open=nonsense").status_code == 200


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
    ok = client.post(f"/cases/{case.id}/reviews", data={"held_at": clock.now().strftime("%Y-%m-%dT%H:%M"),
                                                        "what_worked": "Kollegerne"})
    assert ok.status_code == 302 and ok.headers["Location"].endswith("#review")
    page = client.get(ok.headers["Location"]).get_data(as_text=True)
    saved = page.index("Opfølgningsmødet er gemt")
    assert page.index('id="review"') < saved < page.index("</section>", page.index('id="review"'))
    assert page.index('<main id="main">') < page.index('id="review"')  # not among the messages at the top
