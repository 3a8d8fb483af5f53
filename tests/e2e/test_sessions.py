"""Accounts and sessions: logout, password change, disabled staff, revocation on every gateway
replica, and the per-address lockout. A second gateway process runs beside the first; it trusts
127.0.0.1 as a proxy, so X-Forwarded-For chooses the client address there."""

import threading
import time
import uuid

import pytest
import requests

from deploy import system as processes
from tests.conftest import LOG_DIR
from tests.e2e.conftest import DEMO_PASSWORD, Client, assert_error, create_staff, identity_me_reads, register
from tests.polling import wait_for

LOGIN = "/api/v1/auth/login"
REVOCATION_BOUND_SECONDS = 2  # the contract's bound for every replica


@pytest.fixture(scope="module")
def second(system):
    port = processes.free_port()
    # A generous RPC bound: the lockout tests run argon2 checks concurrently on a shared machine.
    env = processes.base_env(
        S3_ENDPOINT_URL=system.s3_url, GATEWAY_PORT=port, TRUSTED_PROXIES="127.0.0.1", RPC_TIMEOUT_SECONDS=30
    )
    proc = processes.start(processes.service_command("gateway"), env, LOG_DIR / "gateway-2.log")
    url = f"http://127.0.0.1:{port}"
    try:
        processes.wait_http(url + "/readyz", timeout=60)
        yield Client(url)
    finally:
        processes.stop([proc])


def on(gateway, client):
    """`client`'s token, used through `gateway`."""
    return Client(gateway.base_url, client.token)


def refused_everywhere_within_bound(client, gateways):
    """Seconds until every gateway answers 401 to `client`'s token (fails past the contract's bound)."""
    started = time.monotonic()
    pending = list(gateways)
    while pending:
        pending = [g for g in pending if on(g, client).get("/api/v1/me").status_code != 401]
        elapsed = time.monotonic() - started
        assert elapsed <= REVOCATION_BOUND_SECONDS, f"still accepted after {elapsed:.2f}s on {pending}"
    return time.monotonic() - started


def works_everywhere(client, gateways):
    return all(on(g, client).get("/api/v1/me").status_code == 200 for g in gateways)


# ---- logout ---------------------------------------------------------------------------------------


def test_logout_revokes_this_token_on_every_replica(anon, second, applicant):
    gateways = (anon, second)
    other_session = anon.login(applicant.person["username"], applicant.person["password"])
    assert works_everywhere(applicant, gateways)
    assert applicant.post("/api/v1/auth/logout").status_code == 204
    refused_everywhere_within_bound(applicant, gateways)
    assert_error(applicant.get("/api/v1/me"), 401, "UNAUTHENTICATED")
    assert_error(applicant.post("/api/v1/auth/logout"), 401, "UNAUTHENTICATED")
    assert works_everywhere(other_session, gateways)  # only this token


def test_a_revocation_drops_the_users_cached_details_on_every_replica(system, anon, second, applicant):
    """Each replica keeps identity's answer for /me (gateway/details.py) until the user's
    `session_revoked` broadcast reaches it: the next /me of the user's other session asks again."""
    gateways = (anon, second)
    other_session = anon.login(applicant.person["username"], applicant.person["password"])
    assert works_everywhere(applicant, gateways)
    reads = identity_me_reads(system)
    assert works_everywhere(other_session, gateways) and identity_me_reads(system) == reads  # cached

    def asks_identity(gateway):
        before = identity_me_reads(system)
        assert on(gateway, other_session).get("/api/v1/me").status_code == 200
        return identity_me_reads(system) == before + 1

    assert applicant.post("/api/v1/auth/logout").status_code == 204
    for gateway in gateways:
        wait_for(lambda g=gateway: asks_identity(g), timeout=REVOCATION_BOUND_SECONDS * 5)


def test_logout_needs_a_token(anon):
    assert_error(anon.post("/api/v1/auth/logout"), 401, "UNAUTHENTICATED")


# ---- password change ----------------------------------------------------------------------------


def test_password_change_revokes_every_earlier_token_on_every_replica(anon, second, applicant):
    gateways = (anon, second)
    person = applicant.person
    earlier = anon.login(person["username"], person["password"])
    change = "/api/v1/me/password"
    assert_error(
        applicant.post(change, json={"current_password": "Wrong-pass1", "new_password": "Newpass-2027"}),
        400,
        "VALIDATION_ERROR",
        "current_password",
    )
    assert_error(
        applicant.post(change, json={"current_password": person["password"], "new_password": "short"}),
        400,
        "VALIDATION_ERROR",
        "new_password",
    )
    assert_error(
        applicant.post(change, json={"new_password": "Newpass-2027"}), 400, "VALIDATION_ERROR", "current_password"
    )
    assert works_everywhere(earlier, gateways)
    resp = on(second, applicant).post(
        change, json={"current_password": person["password"], "new_password": "Newpass-2027"}
    )
    assert resp.status_code == 204, resp.text
    for client in (applicant, earlier):
        refused_everywhere_within_bound(client, gateways)
    assert_error(
        anon.post(LOGIN, json={"username": person["username"], "password": person["password"]}),
        401,
        "INVALID_CREDENTIALS",
    )
    fresh = anon.login(person["username"], "Newpass-2027")
    assert works_everywhere(fresh, gateways)


def test_password_change_needs_a_token(anon):
    assert_error(
        anon.post("/api/v1/me/password", json={"current_password": "a", "new_password": "b"}), 401, "UNAUTHENTICATED"
    )


# ---- staff accounts ---------------------------------------------------------------------------------


def staff_user_id(client):
    return client.get("/api/v1/me").json()["user_id"]


def test_disabled_staff_cannot_log_in_and_their_tokens_stop_everywhere(anon, second, admin):
    gateways = (anon, second)
    staff = create_staff(admin, anon, ["reviewer"])
    staff_id, username = staff_user_id(staff), staff.get("/api/v1/me").json()["username"]
    assert works_everywhere(staff, gateways)
    resp = admin.post(f"/api/v1/admin/users/{staff_id}/disable")
    assert resp.status_code == 200, resp.text
    assert resp.json()["disabled"] is True and resp.json()["user_id"] == staff_id
    refused_everywhere_within_bound(staff, gateways)
    assert_error(anon.post(LOGIN, json={"username": username, "password": DEMO_PASSWORD}), 401, "INVALID_CREDENTIALS")
    assert admin.post(f"/api/v1/admin/users/{staff_id}/disable").json()["disabled"] is True  # again: no change

    resp = admin.post(f"/api/v1/admin/users/{staff_id}/enable")
    assert resp.status_code == 200 and resp.json()["disabled"] is False
    assert works_everywhere(anon.login(username, DEMO_PASSWORD), gateways)
    assert on(second, staff).get("/api/v1/me").status_code == 401  # tokens from before the disabling stay dead


def test_disable_and_enable_errors(anon, admin, reviewer, applicant):
    admin_id = staff_user_id(admin)
    assert_error(admin.post(f"/api/v1/admin/users/{admin_id}/disable"), 409, "CANNOT_DISABLE_SELF")
    for target in (str(uuid.uuid4()), "not-a-uuid", applicant.user_id):
        assert_error(admin.post(f"/api/v1/admin/users/{target}/disable"), 404, "NOT_FOUND")
        assert_error(admin.post(f"/api/v1/admin/users/{target}/enable"), 404, "NOT_FOUND")
    for path in (f"/api/v1/admin/users/{admin_id}/disable", f"/api/v1/admin/users/{admin_id}/enable"):
        assert_error(anon.post(path), 401, "UNAUTHENTICATED")
        assert_error(reviewer.post(path), 403, "FORBIDDEN")
        assert_error(applicant.post(path), 403, "FORBIDDEN")


def test_staff_list_filters_by_role_and_pages(anon, admin, reviewer, applicant):
    created = create_staff(admin, anon, ["admin"])
    created_id = staff_user_id(created)
    everyone = admin.get("/api/v1/admin/users", params={"page_size": 100}).json()
    assert {"items", "total", "page", "page_size"} <= set(everyone)
    assert everyone["total"] >= 3
    for item in everyone["items"]:
        assert set(item) == {"user_id", "username", "real_name", "roles", "jurisdiction", "disabled"}
        assert set(item["roles"]) & {"reviewer", "admin"}
    assert applicant.user_id not in {item["user_id"] for item in everyone["items"]}
    admins = admin.get("/api/v1/admin/users", params={"role": "admin", "page_size": 100}).json()
    assert created_id in {i["user_id"] for i in admins["items"]}
    assert all("admin" in i["roles"] for i in admins["items"])
    reviewers = admin.get("/api/v1/admin/users", params={"role": "reviewer", "page_size": 100}).json()
    assert created_id not in {i["user_id"] for i in reviewers["items"]}
    page = admin.get("/api/v1/admin/users", params={"page": 2, "page_size": 1}).json()
    assert page["page"] == 2 and len(page["items"]) == 1 and page["items"][0] == everyone["items"][1]
    assert_error(admin.get("/api/v1/admin/users", params={"role": "applicant"}), 400, "VALIDATION_ERROR", "role")
    assert_error(anon.get("/api/v1/admin/users"), 401, "UNAUTHENTICATED")
    assert_error(reviewer.get("/api/v1/admin/users"), 403, "FORBIDDEN")
    assert_error(applicant.get("/api/v1/admin/users"), 403, "FORBIDDEN")


def test_me_for_staff_has_null_personal_numbers_as_documented(admin):
    me = admin.get("/api/v1/me").json()
    assert me["id_number_masked"] is None and me["phone_masked"] is None
    schema = admin.get("/api/openapi.json").json()["components"]["schemas"]["MeSchema"]["properties"]
    assert schema["id_number_masked"].get("nullable") is True and schema["phone_masked"].get("nullable") is True


# ---- lockout per username and client address ------------------------------------------------------


def password_checks(system):
    for line in requests.get(system.metrics_urls["identity"], timeout=10).text.splitlines():
        if line.startswith("identity_login_password_checks_total "):
            return float(line.split()[1])
    raise AssertionError("identity does not export identity_login_password_checks_total")


def login_from(gateway, address, username, password):
    return requests.post(
        gateway.base_url + LOGIN,
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": address},
        timeout=60,
    )


def test_concurrent_guesses_from_one_address_check_at_most_five_and_the_owner_still_gets_in(system, second, anon):
    owner = register(anon)
    username, password = owner.person["username"], owner.person["password"]
    attacker = "198.51.100.7"
    before = password_checks(system)
    answers, owner_answers = [], []
    start = threading.Barrier(21)

    def guess():
        start.wait()
        answers.append(login_from(second, attacker, username, "Wrong-pass1"))

    def owner_logs_in():
        start.wait()
        owner_answers.append(login_from(second, "203.0.113.20", username, password))

    threads = [threading.Thread(target=guess) for _ in range(20)] + [threading.Thread(target=owner_logs_in)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status_code for r in answers)
    checked = password_checks(system) - before - 1  # the owner's login is one check
    assert statuses.count(401) == checked <= 5, statuses
    assert statuses.count(429) == 20 - checked
    assert all(int(r.headers["Retry-After"]) > 0 for r in answers if r.status_code == 429)
    assert owner_answers[0].status_code == 200, owner_answers[0].text

    # The attacker's address stays locked whatever the password; the owner's other addresses do not.
    assert_error(login_from(second, attacker, username, password), 429, "RATE_LIMITED")
    assert login_from(second, "203.0.113.21", username, password).status_code == 200
    # A peer that is not a trusted proxy cannot pick its address: the first gateway ignores the header.
    assert login_from(anon, attacker, username, password).status_code == 200


def test_fifty_failures_from_many_addresses_lock_the_username_for_everyone(second, anon):
    owner = register(anon)
    username, password = owner.person["username"], owner.person["password"]

    statuses = []

    def five_wrong_from_each(addresses):
        for i in addresses:
            for _ in range(5):
                statuses.append(login_from(second, f"198.51.100.{100 + i}", username, "Wrong-pass1").status_code)

    threads = [threading.Thread(target=five_wrong_from_each, args=((i, i + 5),)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [401] * 50
    resp = login_from(second, "203.0.113.99", username, password)
    assert_error(resp, 429, "RATE_LIMITED")
    assert 800 < int(resp.headers["Retry-After"]) <= 900
    assert_error(login_from(anon, "", username, password), 429, "RATE_LIMITED")


def test_the_address_count_is_per_username(second, anon):
    """Locking one username from an address leaves that address free to log in to others."""
    first, other = register(anon), register(anon)
    for _ in range(5):
        login_from(second, "198.51.100.50", first.person["username"], "Wrong-pass1")
    assert_error(
        login_from(second, "198.51.100.50", first.person["username"], first.person["password"]), 429, "RATE_LIMITED"
    )
    assert login_from(second, "198.51.100.50", other.person["username"], other.person["password"]).status_code == 200
