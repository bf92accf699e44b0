"""The CPR number's rules (date part, century digit, modulus 11 as a warning only), the broker
claims that may select a citizen, and the synthetic numbers of the demo and the bench."""

from __future__ import annotations

import random
from datetime import date

import pytest

from ips_coord import cpr
from ips_coord.citizen_oidc import Identity, Refusal, identity_from

CONFIG = {"OIDC_CPR_CLAIM": "cpr", "OIDC_CPR_VERIFIED_CLAIM": "cpr_verified", "OIDC_CPR_VERIFIED_REQUIRED": False}


@pytest.mark.parametrize(
    "text, born",
    [
        ("0707614285", date(1961, 7, 7)),  # 7th digit 4, year 61 -> 1900s
        ("070761-4285", date(1961, 7, 7)),  # with the hyphen
        (" 070761-4285 ", date(1961, 7, 7)),
        ("0101003000", date(1900, 1, 1)),  # 0-3: always 1900s
        ("0101364000", date(2036, 1, 1)),  # 4: 00-36 -> 2000s
        ("0101374000", date(1937, 1, 1)),  # 4: 37-99 -> 1900s
        ("0101575000", date(2057, 1, 1)),  # 5-8: 00-57 -> 2000s
        ("0101588000", date(1858, 1, 1)),  # 5-8: 58-99 -> 1800s
        ("0101369000", date(2036, 1, 1)),  # 9: 00-36 -> 2000s
        ("0101379000", date(1937, 1, 1)),  # 9: 37-99 -> 1900s
        ("2902004000", date(2000, 2, 29)),  # a leap day in a leap year
    ],
)
def test_the_date_part_and_the_century_digit(text, born):
    assert cpr.parse(text).birth_date == born


@pytest.mark.parametrize(
    "text",
    [
        "",
        "123",
        "07076142851",
        "0707614x85",
        "070761--4285",
        "3202904000",
        "0013904000",
        "2902014000",
        "2902001000",
        "0000001234",
    ],
)
def test_what_is_not_a_cpr_number(text):
    with pytest.raises(cpr.InvalidCpr) as refused:
        cpr.parse(text)
    assert not any(ch.isdigit() for ch in str(refused.value))  # the message never repeats the number


def test_modulus_11_is_a_warning_not_a_refusal():
    assert cpr.parse("0707614285").modulus11_ok  # an old-style number passes
    late = cpr.parse("0101104003")  # born 2010 (7th digit 4, year 10): issued after 2007, need not pass
    assert late.birth_date == date(2010, 1, 1) and not late.modulus11_ok


def test_masked_shows_the_date_part_only():
    assert cpr.parse("070761-4285").masked == "070761-****"


def test_synthetic_numbers_are_valid_and_born_decades_from_now():
    rng = random.Random(1)
    for _ in range(500):
        number = cpr.parse(cpr.synthetic(rng))
        assert number.birth_date.year >= 2050 and int(number.digits[6]) in (5, 6, 7, 8)


@pytest.mark.parametrize(
    "id_claims, userinfo, expected",
    [
        ({"sub": "a"}, {"sub": "a", "cpr": "0707614285", "cpr_verified": True}, Identity("a", "0707614285")),
        ({"sub": "a", "cpr": "070761-4285"}, {"sub": "a"}, Identity("a", "0707614285")),  # in the id_token only
        ({"sub": "a"}, {"sub": "a", "email": "x@y.dk", "email_verified": True}, Identity("a", None)),  # e-mail: ignored
        ({"sub": "a"}, {"sub": "a", "cpr": "0707614285", "cpr_verified": False}, Refusal.UNVERIFIED),
        ({"sub": "a", "cpr_verified": "false"}, {"sub": "a", "cpr": "0707614285"}, Refusal.UNVERIFIED),
        ({"sub": "a"}, {"sub": "b", "cpr": "0707614285"}, Refusal.FAILED),  # UserInfo about someone else
        ({"sub": "a", "cpr": "0707614285"}, {"sub": "a", "cpr": "0101374000"}, Refusal.FAILED),  # disagree
        ({"sub": "a"}, {"sub": "a", "cpr": "3213614285"}, Refusal.INVALID_CPR),
        ({}, {"sub": "a", "cpr": "0707614285"}, Refusal.FAILED),
    ],
)
def test_only_a_verified_cpr_claim_or_the_subject_comes_out(id_claims, userinfo, expected):
    assert identity_from(id_claims, userinfo, CONFIG) == expected


def test_a_required_verification_flag_must_be_there():
    required = dict(CONFIG, OIDC_CPR_VERIFIED_REQUIRED=True)
    assert identity_from({"sub": "a"}, {"sub": "a", "cpr": "0707614285"}, required) == Refusal.UNVERIFIED
    assert identity_from({"sub": "a"}, {"sub": "a", "cpr": "0707614285", "cpr_verified": True}, required) == Identity(
        "a", "0707614285"
    )
