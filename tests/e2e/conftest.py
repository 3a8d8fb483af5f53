"""End-to-end fixtures: HTTP clients against the running system (every service + gateway)."""

import pytest
import requests

from common import config
from tests import factories
from tests.e2e import privacy

DEMO_PASSWORD = "Demo-2026"


class Client:
    """A thin HTTP client for the gateway, optionally carrying a bearer token."""

    def __init__(self, base_url, token=None):
        self.base_url = base_url
        self.session = requests.Session()
        self.token = token

    def request(self, method, path, **kwargs):
        headers = kwargs.pop("headers", {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return self.session.request(method, self.base_url + path, headers=headers, timeout=30, **kwargs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def login(self, username, password):
        resp = self.post("/api/v1/auth/login", json={"username": username, "password": password})
        assert resp.status_code == 200, resp.text
        return Client(self.base_url, resp.json()["access_token"])


@pytest.fixture(scope="session")
def system(system_under_test):
    # Bound as soon as the system's exchanges exist, so the privacy sweep sees every message.
    privacy.start_probe(config.amqp_uri())
    return system_under_test


def pytest_collection_modifyitems(items):
    """The privacy sweep judges what every other test left behind, so it runs last."""
    items.sort(key=lambda item: item.get_closest_marker("privacy_sweep") is not None)


@pytest.fixture(scope="session")
def anon(system):
    return Client(system.base_url)


@pytest.fixture(scope="session")
def admin(system, anon):
    """The first administrator, created with the operators' command-line tool."""
    from deploy.system import create_admin

    username = factories.unique_username("admin")
    create_admin(username, DEMO_PASSWORD)
    return anon.login(username, DEMO_PASSWORD)


def create_staff(admin, anon, roles, jurisdiction=None):
    username = factories.unique_username("staff")
    resp = admin.post(
        "/api/v1/admin/users",
        json={
            "username": username,
            "password": DEMO_PASSWORD,
            "real_name": "审核员",
            "roles": roles,
            "jurisdiction": jurisdiction,
        },
    )
    assert resp.status_code == 201, resp.text
    return anon.login(username, DEMO_PASSWORD)


@pytest.fixture(scope="session")
def reviewer(admin, anon):
    """A province-wide reviewer."""
    return create_staff(admin, anon, ["reviewer"])


def register(anon, **overrides):
    """A freshly registered and logged-in person (`.person` holds what they registered with)."""
    person = factories.person(**overrides)
    resp = anon.post("/api/v1/auth/register", json=person)
    assert resp.status_code == 201, resp.text
    client = anon.login(person["username"], person["password"])
    client.person = person
    client.user_id = resp.json()["user_id"]
    return client


@pytest.fixture
def applicant(anon):
    return register(anon)


def identity_me_reads(system):
    """How many `me` answers identity has read (its own counter): the gateway caches them."""
    for line in requests.get(system.metrics_urls["identity"], timeout=10).text.splitlines():
        if line.startswith("identity_me_reads_total "):
            return float(line.split()[1])
    raise AssertionError("identity does not export identity_me_reads_total")


def assert_error(resp, status, code, field=None):
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    if field is not None:
        assert field in body["error"]["details"], body
    return body
