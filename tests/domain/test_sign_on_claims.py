"""Reading a council's OpenID provider into roles: the role map and the person's claims."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_service.domain.accounts.sign_on import (
    MAX_USERNAME,
    RoleMap,
    RoleMapError,
    groups_in,
    identity_from,
)
from audit_service.domain.vocabulary import Role

MAP = RoleMap.parse("cs-admins=admin, cs-quality=quality_lead,cs-managers=supervisor")


def test_the_first_group_listed_wins_so_councils_list_their_most_trusted_role_first():
    assert MAP.role_for(["cs-managers", "cs-admins"]) is Role.ADMIN
    assert MAP.role_for(["cs-managers", "all-staff"]) is Role.SUPERVISOR
    assert MAP.role_for(["all-staff"]) is None
    assert MAP.role_for([]) is None


def test_a_group_may_be_a_directory_object_id_or_contain_an_equals_sign():
    parsed = RoleMap.parse("4f1c2d3e-0000-4a5b-9c8d-1234567890ab=hr,team=a=practitioner")
    assert parsed.role_for(["4f1c2d3e-0000-4a5b-9c8d-1234567890ab"]) is Role.HR
    assert parsed.role_for(["team=a"]) is Role.PRACTITIONER


@pytest.mark.parametrize(("text", "names"), [
    ("cs-admins=administrator", ["entry 1", "'administrator'", "quality_lead"]),
    ("cs-admins=admin,cs-hr", ["entry 2", "'cs-hr'", "group=role"]),
    ("=admin", ["entry 1", "group=role"]),
    ("", ["maps no group"]),
    (" , ", ["maps no group"]),
])
def test_a_role_map_that_cannot_be_read_says_which_entry_and_why(text, names):
    with pytest.raises(RoleMapError) as refused:
        RoleMap.parse(text)
    for name in names:
        assert name in str(refused.value)


@given(st.lists(st.sampled_from(["cs-admins", "cs-quality", "cs-managers", "x", "y"])))
def test_the_role_is_always_that_of_the_earliest_listed_group_the_person_is_in(groups):
    listed = [group for group, _role in MAP.pairs]
    held = [g for g in listed if g in groups]
    expected = dict(MAP.pairs)[held[0]] if held else None
    assert MAP.role_for(groups) is expected


def test_groups_come_as_a_list_or_a_single_string_and_anything_else_is_none():
    assert groups_in({"groups": ["a", "b"]}, "groups") == ("a", "b")
    assert groups_in({"roles": "a"}, "roles") == ("a",)
    assert groups_in({"groups": {"a": 1}}, "groups") == ()
    assert groups_in({}, "groups") == ()


def test_the_subject_is_the_issuer_and_sub_and_an_unverified_email_is_not_kept():
    person = identity_from({"sub": "abc", "preferred_username": "Sam.Worker", "name": "Sam",
                            "email": "SAM@council.example", "email_verified": False,
                            "groups": ["g"]},
                           issuer="https://login.example/t", groups_claim="groups")
    assert person.subject == "https://login.example/t abc"
    assert person.username == "sam.worker" and person.email is None
    assert person.groups == ("g",)
    fallback = identity_from({"sub": "abc", "email": "Sam@Council.example"}, issuer="i",
                             groups_claim="groups")
    assert fallback.username == "sam@council.example" == fallback.email


def test_a_person_without_a_subject_is_refused_and_long_names_are_capped():
    with pytest.raises(ValueError, match="no subject"):
        identity_from({"sub": " "}, issuer="i", groups_claim="groups")
    long = identity_from({"sub": "s", "preferred_username": "x" * 10_000}, issuer="i",
                         groups_claim="groups")
    assert len(long.username) == MAX_USERNAME == len(long.display_name)
