"""Danish is the default language: every UI string has a Danish translation."""

import pathlib

from babel.messages.pofile import read_po

PO = pathlib.Path(__file__).parents[2] / "ips_coord" / "translations" / "da" / "LC_MESSAGES" / "messages.po"


def test_every_string_is_translated():
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="da")
    missing = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert missing == []


def test_every_string_in_the_code_and_templates_is_in_the_catalogue():
    """A msgid used in the code or a template but missing from messages.po would show in English."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    root = PO.parents[4]
    method_map = [
        ("ips_coord/**.py", "python"),
        ("ips_coord/web/templates/**.html", "jinja2"),
        ("ips_coord/web/templates/email/**.txt", "jinja2"),
    ]
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "N_": None}
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="da")
    missing = sorted(
        {
            msg if isinstance(msg, str) else msg[0]
            for _file, _line, msg, _comments, _ctx in extract_from_dir(root, method_map, keywords=keywords)
            if (msg if isinstance(msg, str) else msg[0]) not in catalog
        }
    )
    assert missing == []


def test_wtforms_messages_are_danish(app):
    """WTForms ships no Danish: its messages come from the app's catalogue."""
    from ips_coord.web.case_forms import TransitionForm
    from ips_coord.web.forms import LoginForm

    with app.test_request_context("/login?lang=da", method="POST", data={"email": "", "password": ""}):
        form = LoginForm(meta={"csrf": False})
        assert not form.validate()
        assert form.email.errors == ["Feltet skal udfyldes."]
    with app.test_request_context(
        "/?lang=da", method="POST", data={"event": "start_job", "version": "1", "hours_per_week": "99"}
    ):
        form = TransitionForm(meta={"csrf": False})
        form.psychiatry_contact_id.choices = []
        form.validate()
        assert form.hours_per_week.errors == ["Tallet skal være mellem 0 og 80."]


def test_templates_translate_escape_and_format_as_jinja_would(app):
    """Templates' _() is the app's own (faster: a sentence without variables is translated and
    escaped once per catalogue); what it gives back is what Jinja's would, in each language."""
    source = '{{ _("Phase") }}|{{ _("%(n)s%% of <b>%(who)s</b>", n=3, who="<i>x</i>") }}|{{ gettext("Phase") }}'
    for lang, phase in (("da", "Fase"), ("en", "Phase")):
        with app.test_request_context(f"/?lang={lang}"):
            shown = app.jinja_env.from_string(source).render()
            again = app.jinja_env.from_string(source).render()  # the second call comes from the cache
        assert shown == again == f"{phase}|3% of <b>&lt;i&gt;x&lt;/i&gt;</b>|{phase}", (lang, shown)
