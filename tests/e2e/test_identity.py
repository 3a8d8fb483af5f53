"""The Identity table of the contract, through the running gateway."""

import time

import jwt
import pytest

from common import tokens
from tests import factories
from tests.e2e.conftest import DEMO_PASSWORD, assert_error, create_staff, identity_me_reads, register

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"


def test_register_answers_the_public_user(anon):
    person = factories.person(real_name="买买提·艾力")
    resp = anon.post(REGISTER, json=person)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert set(body) >= {"user_id", "username", "real_name", "roles"}
    assert body["username"] == person["username"] and body["real_name"] == "买买提·艾力"
    assert body["roles"] == ["applicant"]
    assert person["id_number"] not in resp.text and person["phone"] not in resp.text


# Every field's rules are unit-tested on the schema (tests/unit/test_identity_contract.py).
@pytest.mark.parametrize(
    "field,value",
    [
        ("username", "has space"),
        ("password", "onlyletters"),
        ("id_number", "110101199003077677"),
    ],
)
def test_register_rejects_each_bad_field(anon, field, value):
    assert_error(anon.post(REGISTER, json=factories.person(**{field: value})), 400, "VALIDATION_ERROR", field)


def test_register_rejects_birth_date_in_the_future(anon):
    first17 = "14010520991231123"
    from common.validators import id_check_char

    body = assert_error(
        anon.post(REGISTER, json=factories.person(id_number=first17 + id_check_char(first17))),
        400,
        "VALIDATION_ERROR",
        "id_number",
    )
    assert "出生日期" in body["error"]["details"]["id_number"][0]


def test_register_reports_all_bad_fields_together(anon):
    body = assert_error(anon.post(REGISTER, json={"username": "x", "password": "y"}), 400, "VALIDATION_ERROR")
    assert {"username", "password", "real_name", "id_number", "phone"} <= set(body["error"]["details"])


def test_register_accepts_lowercase_x_check_character(anon):
    from common.validators import id_check_char

    for serial in range(1000):
        first17 = f"14010519950101{serial:03d}"
        if id_check_char(first17) == "X":
            break
    assert anon.post(REGISTER, json=factories.person(id_number=first17 + "x")).status_code == 201


def test_duplicate_username_and_id_number_are_409(anon):
    person = factories.person()
    assert anon.post(REGISTER, json=person).status_code == 201
    assert_error(anon.post(REGISTER, json=factories.person(username=person["username"].upper())), 409, "USERNAME_TAKEN")
    assert_error(anon.post(REGISTER, json=factories.person(id_number=person["id_number"])), 409, "ID_NUMBER_TAKEN")


def test_bad_json_and_wrong_content_type(anon):
    assert_error(
        anon.post(REGISTER, data="{not json", headers={"Content-Type": "application/json"}),
        400,
        "VALIDATION_ERROR",
        "body",
    )
    assert_error(
        anon.post(REGISTER, data="[1, 2]", headers={"Content-Type": "application/json"}),
        400,
        "VALIDATION_ERROR",
        "body",
    )
    assert_error(
        anon.post(REGISTER, data="{" + " " * (1024 * 1024 + 1) + "}", headers={"Content-Type": "application/json"}),
        413,
        "PAYLOAD_TOO_LARGE",
    )
    assert_error(
        anon.post(REGISTER, data="username=x", headers={"Content-Type": "application/x-www-form-urlencoded"}),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    )


def test_login_issues_a_bearer_token_with_expiry(anon, applicant):
    resp = anon.post(LOGIN, json={"username": applicant.person["username"], "password": applicant.person["password"]})
    assert resp.status_code == 200
    body = resp.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    assert body["user"]["user_id"] == applicant.user_id
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == body["expires_in"]


def test_login_failures_are_401(anon, applicant):
    assert_error(
        anon.post(LOGIN, json={"username": applicant.person["username"], "password": "Wrong-pass1"}),
        401,
        "INVALID_CREDENTIALS",
    )
    assert_error(
        anon.post(LOGIN, json={"username": "nobody_here_at_all", "password": "Wrong-pass1"}), 401, "INVALID_CREDENTIALS"
    )
    assert_error(anon.post(LOGIN, json={"username": applicant.person["username"]}), 400, "VALIDATION_ERROR", "password")


def test_lockout_after_five_failures_then_429_even_with_the_right_password(anon, applicant):
    username, password = applicant.person["username"], applicant.person["password"]
    for _ in range(5):
        assert_error(
            anon.post(LOGIN, json={"username": username, "password": "Wrong-pass1"}), 401, "INVALID_CREDENTIALS"
        )
    resp = anon.post(LOGIN, json={"username": username, "password": password})
    assert_error(resp, 429, "RATE_LIMITED")
    assert 800 < int(resp.headers["Retry-After"]) <= 900
    assert_error(anon.post(LOGIN, json={"username": username.upper(), "password": password}), 429, "RATE_LIMITED")


def test_successful_login_resets_the_failure_count(anon, applicant):
    username, password = applicant.person["username"], applicant.person["password"]
    for _ in range(4):
        anon.post(LOGIN, json={"username": username, "password": "Wrong-pass1"})
    assert anon.post(LOGIN, json={"username": username, "password": password}).status_code == 200
    for _ in range(4):
        anon.post(LOGIN, json={"username": username, "password": "Wrong-pass1"})
    assert anon.post(LOGIN, json={"username": username, "password": password}).status_code == 200


def test_me_shows_masked_personal_details(applicant):
    resp = applicant.get("/api/v1/me")
    assert resp.status_code == 200, resp.text
    me = resp.json()
    person = applicant.person
    assert me["user_id"] == applicant.user_id and me["username"] == person["username"]
    assert me["real_name"] == person["real_name"]
    assert me["id_number_masked"] == person["id_number"][:6] + "********" + person["id_number"][-4:]
    assert me["phone_masked"] == person["phone"][:3] + "****" + person["phone"][-4:]
    assert me["roles"] == ["applicant"]
    assert me["intern"] == {"eligible": False, "jurisdiction": None}


def test_me_of_staff_says_not_an_intern(reviewer):
    """Only applicants can be interns: the gateway answers that part for staff from the token."""
    me = reviewer.get("/api/v1/me").json()
    assert me["roles"] == ["reviewer"] and me["intern"] == {"eligible": False, "jurisdiction": None}


def test_a_repeated_me_takes_identitys_part_from_the_gateways_cache(system, anon, admin):
    """The details never change, so identity answers once per user; the intern part stays live."""
    person = register(anon)
    reads = identity_me_reads(system)
    first = person.get("/api/v1/me")
    assert first.status_code == 200 and identity_me_reads(system) == reads + 1
    again = person.get("/api/v1/me")
    assert again.status_code == 200 and again.json() == first.json()
    another_session = anon.login(person.person["username"], person.person["password"])
    assert another_session.get("/api/v1/me").json() == first.json()
    assert identity_me_reads(system) == reads + 1

    other = register(anon)
    theirs = other.get("/api/v1/me").json()
    assert theirs["user_id"] == other.user_id and theirs["username"] == other.person["username"]
    assert theirs["real_name"] == other.person["real_name"] and theirs["user_id"] != first.json()["user_id"]
    assert identity_me_reads(system) == reads + 2

    staff = create_staff(admin, anon, ["reviewer"])
    staff_me = staff.get("/api/v1/me").json()
    assert staff.get("/api/v1/me").json() == staff_me and staff_me["roles"] == ["reviewer"]
    assert identity_me_reads(system) == reads + 3


def token_for(client, secret, exp_offset, **overrides):
    """A token like `client`'s own, signed with `secret`, expiring `exp_offset` seconds from now."""
    now = int(time.time())
    claims = {
        **jwt.decode(client.token, options={"verify_signature": False}),
        "iat": now - 100,
        "exp": now + exp_offset,
    }
    claims.update(overrides)
    return jwt.encode(claims, secret, algorithm="HS256")


def test_me_without_expired_or_forged_tokens_is_401(anon, applicant):
    from common import config

    assert_error(anon.get("/api/v1/me"), 401, "UNAUTHENTICATED")
    assert_error(anon.get("/api/v1/me", headers={"Authorization": "Bearer not.a.token"}), 401, "UNAUTHENTICATED")
    assert_error(anon.get("/api/v1/me", headers={"Authorization": "Basic abc"}), 401, "UNAUTHENTICATED")
    expired = token_for(applicant, config.jwt_secret(), -10)
    assert_error(anon.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"}), 401, "UNAUTHENTICATED")
    forged = token_for(applicant, "some-other-secret-of-sufficient-length-000", 600)
    assert_error(anon.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"}), 401, "UNAUTHENTICATED")
    valid = token_for(applicant, config.jwt_secret(), 600)
    assert anon.get("/api/v1/me", headers={"Authorization": f"Bearer {valid}"}).status_code == 200
    for claim in ("jti", "ins", "gen"):
        incomplete = jwt.encode(
            {k: v for k, v in jwt.decode(valid, options={"verify_signature": False}).items() if k != claim},
            config.jwt_secret(),
            algorithm="HS256",
        )
        assert_error(anon.get("/api/v1/me", headers={"Authorization": f"Bearer {incomplete}"}), 401, "UNAUTHENTICATED")


def test_a_token_whose_subject_is_gone_is_401(anon, applicant):
    """Minted against an earlier database: its subject does not exist in this one."""
    import uuid

    from common import config

    earlier = token_for(
        applicant, config.jwt_secret(), 600, sub=str(uuid.uuid4()), ins=str(uuid.uuid4()), roles=["admin", "reviewer"]
    )
    assert_error(anon.get("/api/v1/me", headers={"Authorization": f"Bearer {earlier}"}), 401, "UNAUTHENTICATED")
    assert_error(
        anon.get("/api/v1/admin/users", headers={"Authorization": f"Bearer {earlier}"}), 401, "UNAUTHENTICATED"
    )


def test_admin_creates_staff_with_roles_and_jurisdiction(admin, anon):
    username = factories.unique_username("rev")
    resp = admin.post(
        "/api/v1/admin/users",
        json={
            "username": username,
            "password": DEMO_PASSWORD,
            "real_name": "王审核",
            "roles": ["reviewer"],
            "jurisdiction": {"city_code": "140100", "county_code": "140105"},
        },
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["roles"] == ["reviewer"]
    staff = anon.login(username, DEMO_PASSWORD)
    me = staff.get("/api/v1/me").json()
    assert me["roles"] == ["reviewer"] and me["id_number_masked"] is None
    claims = jwt.decode(staff.token, options={"verify_signature": False})
    assert claims["jurisdiction"] == {"city_code": "140100", "county_code": "140105"}


def test_admin_users_errors(admin, anon, applicant, reviewer):
    body = {
        "username": factories.unique_username("s"),
        "password": DEMO_PASSWORD,
        "real_name": "赵六",
        "roles": ["reviewer"],
    }
    assert_error(anon.post("/api/v1/admin/users", json=body), 401, "UNAUTHENTICATED")
    assert_error(applicant.post("/api/v1/admin/users", json=body), 403, "FORBIDDEN")
    assert_error(reviewer.post("/api/v1/admin/users", json=body), 403, "FORBIDDEN")
    assert admin.post("/api/v1/admin/users", json=body).status_code == 201
    assert_error(admin.post("/api/v1/admin/users", json=body), 409, "USERNAME_TAKEN")
    assert_error(
        admin.post("/api/v1/admin/users", json={**body, "username": "fresh_name_1", "roles": ["applicant"]}),
        400,
        "VALIDATION_ERROR",
        "roles",
    )
    assert_error(
        admin.post(
            "/api/v1/admin/users",
            json={**body, "username": "fresh_name_2", "jurisdiction": {"city_code": "140200", "county_code": "140105"}},
        ),
        400,
        "VALIDATION_ERROR",
        "jurisdiction.county_code",
    )


def test_full_id_numbers_and_phones_never_reach_the_logs(system, applicant):
    for name in system.processes:
        text = system.logs(name)
        assert applicant.person["id_number"] not in text and applicant.person["phone"] not in text


def test_a_token_signed_with_the_former_default_secret_is_401(anon, admin):
    """The attack of issue 9: the development key that used to ship in common/config.py."""
    admin_id = admin.get("/api/v1/me").json()["user_id"]
    now = int(time.time())
    forged = jwt.encode(
        {
            "sub": admin_id,
            "username": "x",
            "roles": ["admin", "reviewer"],
            "jurisdiction": None,
            "iss": tokens.ISSUER,
            "iat": now,
            "exp": now + 600,
        },
        "dev-only-secret-change-me-in-production-0123456789",
        algorithm="HS256",
    )
    headers = {"Authorization": f"Bearer {forged}"}
    assert_error(anon.get("/api/v1/me", headers=headers), 401, "UNAUTHENTICATED")
    assert_error(anon.get("/api/v1/review/applications", headers=headers), 401, "UNAUTHENTICATED")
    assert_error(
        anon.post(
            "/api/v1/admin/users",
            headers=headers,
            json={
                "username": factories.unique_username("forged"),
                "password": DEMO_PASSWORD,
                "real_name": "伪造者",
                "roles": ["admin"],
            },
        ),
        401,
        "UNAUTHENTICATED",
    )
