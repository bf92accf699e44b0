"""Danish all the way: one date format in the text (dd.mm.yyyy, never ISO), one word for one thing,
and no word broken in the middle by the style sheet."""

from __future__ import annotations

import pathlib
import re

from babel.messages.pofile import read_po

ROOT = pathlib.Path(__file__).parents[2] / "ips_coord"
PO = ROOT / "translations" / "da" / "LC_MESSAGES" / "messages.po"
TEMPLATES = ROOT / "web" / "templates"


def test_no_iso_date_in_the_text_of_a_template():
    """An ISO date is for machines: a datetime="" attribute may hold one, the text may not."""
    found = []
    for path in TEMPLATES.rglob("*"):
        if path.suffix not in (".html", ".txt"):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            text = re.sub(r'datetime="[^"]*"', "", line)
            if (
                ".isoformat()" in text
                or re.search(r"strftime\(['\"]%Y-%m-%d", text)
                or re.search(r"next_step_due }}|citizen_agreed\)", text)
            ):
                found.append(f"{path.name}:{n}")
    assert found == []


def _catalog():
    with PO.open("rb") as fh:
        return read_po(fh, locale="da")


def test_one_danish_word_for_one_thing():
    catalog = _catalog()
    strings = [(m.id, m.string) for m in catalog if m.id and isinstance(m.string, str)]
    # The treatment team is "behandlingsteam(et)" everywhere.
    assert [i for i, s in strings if "behandlerteam" in s.lower()] == []
    # "Udskrevet" is a discharge from hospital; a printout is "printet".
    assert [
        i for i, s in strings if re.search(r"\budskrevet\b", s, re.IGNORECASE) and "discharg" not in i.lower()
    ] == []


def test_no_word_broken_mid_word_by_the_style_sheet():
    """The last word on headings, cards and table cells: break a word only when it cannot fit on a
    line of its own (break-word), hyphenate only where a hyphen is written; never break-all."""
    css = re.sub(r"/\*.*?\*/", "", (ROOT / "web" / "static" / "app.css").read_text(encoding="utf-8"), flags=re.S)
    assert "break-all" not in css
    rules = re.findall(r"([^{}]+)\{([^{}]*overflow-wrap[^{}]*)\}", css)
    last = {}
    for selectors, body in rules:
        for sel in (s.strip() for s in selectors.split(",")):
            last[sel] = body
    for sel in ("h1", "h2", "h3", "th", "td", ".kpi div", "td[data-label]::before"):
        assert "overflow-wrap:break-word" in last[sel].replace(" ", ""), sel
        assert "hyphens:manual" in last[sel].replace(" ", ""), sel
