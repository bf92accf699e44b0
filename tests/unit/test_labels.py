"""Every label table keyed by an enum has words for every member of it: the table's type says
which enum (mypy refuses a key of another kind), this test refuses a missing member."""

from __future__ import annotations

import types
import typing
from enum import Enum

import pytest

from ips_coord import labels
from ips_coord.workflows.phases import ContactKind, FollowUpKind, Part, Role

# Tables that name only some members on purpose, and which ones they leave out.
PARTIAL: dict[str, tuple[set[Enum], str]] = {
    "CONTACT_KINDS": (
        {ContactKind.JOB_ENDING_REVIEW},
        "the contact form's choices: a job-ending review is recorded on its own form",
    ),
    "CITIZEN_MEETINGS": (
        set(FollowUpKind) - set(labels.CITIZEN_MEETINGS),
        "only the follow-ups the citizen takes part in, shown on their own page",
    ),
    "PARTS_FOR_CITIZEN": (
        {
            Part.SHARED_HEALTH_INFO,
            Part.BENEFIT_FACTS,
            Part.HISTORY,
            Part.ACCESS_LOG,
            Part.EXPORT,
            Part.PARALLEL_INTERVENTIONS,
        },
        "the citizen's own access log in their words; other parts read as 'your record'",
    ),
    "TOLD": ({Role.ADMIN, Role.PRIVACY_OFFICER, Role.INTEGRATION}, "only the roles a step's message tells"),
}


def _enums(key_type: object) -> list[type[Enum]]:
    """The enum(s) a table's key type names: E, or a union E1 | E2; [] for anything else."""
    args = typing.get_args(key_type) if isinstance(key_type, types.UnionType) else (key_type,)
    if all(isinstance(a, type) and issubclass(a, Enum) for a in args):
        return list(args)
    return []


def enum_tables(module: types.ModuleType) -> dict[str, tuple[dict, list[type[Enum]]]]:
    """Each module-level dict annotated dict[E, ...] (E an enum or a union of enums)."""
    found = {}
    for name, hint in typing.get_type_hints(module).items():
        if typing.get_origin(hint) is dict:
            enums = _enums(typing.get_args(hint)[0])
            if enums:
                found[name] = (getattr(module, name), enums)
    return found


TABLES = enum_tables(labels)


def test_the_tables_are_found_by_their_type():
    assert {"PHASES", "EVENTS", "ACCESS_PARTS", "CHANGE_KINDS", "WEBHOOK_STATUSES"} <= set(TABLES)
    assert TABLES["EVENTS"][1] == [labels.Event, labels.HistoryEntry]
    assert set(PARTIAL) <= set(TABLES)


def test_the_finder_sees_a_table_keyed_by_an_enum_and_skips_others():
    fake = types.ModuleType("fake")
    fake.__annotations__ = {"A": "dict[Role, str]", "B": "dict[str, str]", "C": "dict[Role | Part, int]"}
    fake.Role, fake.Part = Role, Part
    fake.A, fake.B, fake.C = {Role.ADMIN: "x"}, {"x": "y"}, {}
    found = enum_tables(fake)
    assert set(found) == {"A", "C"} and found["C"][1] == [Role, Part]


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_member_of_a_tables_enum_has_its_words(name):
    table, enums = TABLES[name]
    left_out = PARTIAL.get(name, (set(), ""))[0]
    members = {m for e in enums for m in e}
    assert set(table) <= members, f"{name} has keys outside {enums}"
    missing = members - set(table) - left_out
    assert not missing, f"labels.{name} has no words for {sorted(missing)}"
    assert not left_out & set(table), f"labels.{name} now names {left_out & set(table)}: take them out of PARTIAL"
