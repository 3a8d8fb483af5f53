"""Identity's boundary rules: the password policy and staff roles (contracts.identity)."""
import pytest

from contracts import identity


@pytest.mark.parametrize("password,ok", [
    ("abcdefg1", True), ("12345678a", True), ("a" * 127 + "1", True),
    ("abcdefgh", False), ("12345678", False), ("abc1", False), ("a" * 128 + "1", False),
    ("密码密码密码密码1", False), ("密码密码密码密码1a", True),
])
def test_password_policy(password, ok):
    assert (identity.password_problem(password) is None) is ok


def test_staff_roles():
    assert identity.staff_roles_problem(["reviewer"]) is None
    assert identity.staff_roles_problem(["reviewer", "admin"]) is None
    assert identity.staff_roles_problem([]) is not None
    assert identity.staff_roles_problem(["applicant"]) is not None
