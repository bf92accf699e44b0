"""The staff identity provider's group table (STAFF_OIDC_GROUPS) and the subject/group reading."""

from __future__ import annotations

import pytest

from config import ConfigError
from ips_coord.staff_oidc import GroupRule, group_table, rule_for, subject_and_groups
from ips_coord.workflows.phases import Role

TABLE = (
    '[{"group": "ips-leder", "role": "coordinator", "organisation": "IPS Nordby"},'
    ' {"group": "ips", "role": "ips_consultant", "organisation": "IPS Nordby"},'
    ' {"group": "dpo", "role": "privacy_officer", "organisation": null}]'
)


def test_the_first_matching_rule_decides():
    rules = group_table(TABLE)
    assert rule_for(["ips", "ips-leder"], rules) == GroupRule("ips-leder", Role.COORDINATOR, "IPS Nordby")
    assert rule_for(["dpo"], rules) == GroupRule("dpo", Role.PRIVACY_OFFICER, None)
    assert rule_for(["kantine"], rules) is None and rule_for([], rules) is None


@pytest.mark.parametrize(
    "bad", ['{"group": "x"}', '[{"group": "x", "role": "king"}]', '[{"role": "admin"}]', '["ips"]']
)
def test_a_malformed_table_stops_start_up(bad):
    with pytest.raises(ConfigError, match="STAFF_OIDC_GROUPS"):
        group_table(bad)


def test_groups_from_both_sources_and_the_subject_must_agree():
    assert subject_and_groups({"sub": "k", "groups": ["a"]}, {"sub": "k", "groups": ["b", "a"]}, "groups") == (
        "k",
        ["a", "b"],
    )
    assert subject_and_groups({"sub": "k"}, {"sub": "k", "roles": "a"}, "roles") == ("k", ["a"])
    assert subject_and_groups({"sub": "k"}, {"sub": "other", "groups": ["a"]}, "groups") is None
    assert subject_and_groups({}, {"sub": "k"}, "groups") is None


def test_passwords_off_needs_a_provider(tmp_path):
    from tests.conftest import make_app

    with pytest.raises(ConfigError, match="LOCAL_PASSWORDS"):
        make_app("sqlite:///" + str(tmp_path / "x.sqlite"), LOCAL_PASSWORDS=False)
