"""Identity's boundary rules: the password policy and staff roles (contracts.identity)."""

import pytest

from common import errors
from common.validation import load
from contracts import identity
from tests import factories


@pytest.mark.parametrize(
    "password,ok",
    [
        ("abcdefg1", True),
        ("12345678a", True),
        ("a" * 127 + "1", True),
        ("abcdefgh", False),
        ("12345678", False),
        ("abc1", False),
        ("a" * 128 + "1", False),
        ("密码密码密码密码1", False),
        ("密码密码密码密码1a", True),
    ],
)
def test_password_policy(password, ok):
    assert (identity.password_problem(password) is None) is ok


def test_staff_roles():
    assert identity.staff_roles_problem(["reviewer"]) is None
    assert identity.staff_roles_problem(["reviewer", "admin"]) is None
    assert identity.staff_roles_problem([]) is not None
    assert identity.staff_roles_problem(["applicant"]) is not None


def register_problems(**overrides):
    try:
        load(identity.RegisterSchema(), factories.person(**overrides))
    except errors.InvalidInput as exc:
        return exc.details
    return {}


@pytest.mark.parametrize(
    "field,value",
    [
        ("username", "abc"),
        ("username", "has space"),
        ("username", "x" * 33),
        ("password", "short1"),
        ("password", "onlyletters"),
        ("password", "1234567890"),
        ("real_name", "张"),
        ("real_name", "张3"),
        ("id_number", "110101199003077677"),  # wrong check character
        ("id_number", factories.id_number()[:17]),  # too short
        ("phone", "12345678901"),
        ("phone", "1381234567"),
    ],
)
def test_register_rejects_each_bad_field(field, value):
    assert field in register_problems(**{field: value})


def test_register_accepts_a_valid_person_and_normalises_the_id_number():
    person = factories.person(real_name="买买提·艾力")
    loaded = load(identity.RegisterSchema(), {**person, "id_number": " " + person["id_number"].lower() + " "})
    assert loaded["id_number"] == person["id_number"].upper() and loaded["real_name"] == "买买提·艾力"


def test_register_reports_all_bad_fields_together():
    with pytest.raises(errors.InvalidInput) as caught:
        load(identity.RegisterSchema(), {"username": "x", "password": "y"})
    assert {"username", "password", "real_name", "id_number", "phone"} <= set(caught.value.details)
