"""Danish is the default language: every UI string has a Danish translation."""
import pathlib

from babel.messages.pofile import read_po

PO = pathlib.Path(__file__).parents[2] / "ips_coord" / "translations" / "da" / "LC_MESSAGES" / "messages.po"


def test_every_string_is_translated():
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="da")
    missing = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert missing == []
