"""Service errors reach users in Danish: every message a service raises is a catalogue msgid
(no f-strings: parameters go as keywords and stay in the `Text`), translated at the view."""

from __future__ import annotations

import ast
import pathlib

from babel.messages.pofile import read_po

from ips_coord.services.errors import ServiceError
from ips_coord.text import Text

ROOT = pathlib.Path(__file__).parents[2]
PO = ROOT / "ips_coord" / "translations" / "da" / "LC_MESSAGES" / "messages.po"
ERRORS = {"ServiceError", "NotFound", "Forbidden", "Unprocessable"}


def _messages():
    """(where, message node) for every service error raised with a message, and every N_()."""
    for path in sorted((ROOT / "ips_coord" / "services").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            if node.func.id in ERRORS and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Call) and getattr(arg.func, "id", "") == "N_":
                    continue  # checked as an N_ call
                yield f"{path.name}:{node.lineno}", arg
            elif node.func.id == "N_":
                yield f"{path.name}:{node.lineno}", node.args[0]


def test_every_service_message_has_danish():
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="da")
    problems, seen = [], 0
    for where, arg in _messages():
        if not isinstance(arg, ast.Constant) or not isinstance(arg.value, str):
            problems.append(f"{where}: not a literal msgid ({ast.unparse(arg)}); pass parameters as keywords")
            continue
        seen += 1
        entry = catalog.get(arg.value)
        if entry is None or not entry.string:
            problems.append(f"{where}: no Danish for {arg.value!r} (append it to messages.po)")
    assert problems == []
    assert seen > 20  # the check found the services' messages


def test_a_service_message_keeps_its_msgid_and_parameters(app):
    from flask_babel import force_locale

    from ips_coord.i18n import translate

    exc = ServiceError("No active %(role)s user with id %(id)s.", "psychiatry_contact_id", role="psychiatry", id=7)
    assert exc.message == "No active psychiatry user with id 7."  # the API's and the logs' English
    assert isinstance(exc.message, Text) and exc.message.msgid == "No active %(role)s user with id %(id)s."
    with app.test_request_context(), force_locale("da"):
        assert translate(exc.message) == "Der er ingen aktiv bruger med rollen psychiatry og id 7."
        assert translate(ServiceError("No such case.").message) == "Forløbet findes ikke."
