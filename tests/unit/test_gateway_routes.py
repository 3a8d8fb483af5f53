"""Routes declare who may call them once: the decorator authenticates and hands the principal in."""

import time

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from common import errors, tokens
from gateway import auth, http
from gateway.revocations import RevocationTable
from gateway.service import GatewayService

INSTALLATION = "5f0e4a3c-0000-4000-8000-000000000001"

REVIEWER = {
    "user_id": "7d3c5a1e-0000-4000-8000-000000000001",
    "username": "rev",
    "roles": ["reviewer"],
    "jurisdiction": {"city_code": "140100", "county_code": None},
}


@pytest.fixture(autouse=True)
def sessions(monkeypatch):
    """A revocation table as a gateway has it once loaded from identity (nothing revoked)."""
    table = RevocationTable()
    table.load({"installation": INSTALLATION, "generations": {}, "tokens": {}}, time.time())
    monkeypatch.setattr(auth, "TABLE", table)


@pytest.fixture
def routes():
    """Routes declared by a test, taken out of the route table again afterwards."""
    before = list(http.ROUTES)
    yield
    http.ROUTES[:] = before


def request(token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Request(EnvironBuilder(path="/test-only", headers=headers).get_environ())


def declare(**doc):
    class Probe:
        @http.route("GET", "/test-only/<string:item_id>", "probe", "test", **doc)
        def probe(self, request, item_id, principal):
            return principal, item_id

    return Probe()


def test_a_role_route_hands_the_authenticated_principal_to_its_handler(routes):
    probe = declare(roles=("reviewer",))
    token, _ = tokens.issue(REVIEWER, INSTALLATION, 0)
    principal, item_id = probe.probe(request(token), item_id="x")
    assert (principal.user_id, principal.roles, item_id) == (REVIEWER["user_id"], ("reviewer",), "x")
    assert http.ROUTES[-1].auth and http.ROUTES[-1].roles == ("reviewer",)


def test_a_role_route_refuses_other_roles_and_anonymous_callers(routes):
    probe = declare(roles=("admin",))
    with pytest.raises(errors.Forbidden):
        probe.probe(request(tokens.issue(REVIEWER, INSTALLATION, 0)[0]), item_id="x")
    with pytest.raises(errors.Unauthenticated):
        probe.probe(request(), item_id="x")


def test_auth_without_roles_admits_any_logged_in_caller(routes):
    probe = declare(auth=True)
    assert probe.probe(request(tokens.issue(REVIEWER, INSTALLATION, 0)[0]), item_id="x")[0].username == "rev"
    with pytest.raises(errors.Unauthenticated):
        probe.probe(request("not-a-token"), item_id="x")


def test_a_handler_and_its_declaration_cannot_disagree(routes):
    with pytest.raises(TypeError):
        declare()  # public route whose handler expects a principal

    with pytest.raises(TypeError):

        class Unguarded:
            @http.route("GET", "/test-only", "probe", "test", roles=("admin",))
            def probe(self, request):
                return None


def test_every_gateway_route_that_needs_a_login_says_so_in_the_route_table():
    assert GatewayService  # its import declares every route
    guarded = {(r.method, r.path): r for r in http.ROUTES if r.auth}
    assert guarded[("GET", "/api/v1/me")].roles == ()
    assert guarded[("POST", "/api/v1/admin/users")].roles == ("admin",)
    assert guarded[("POST", "/api/v1/applications")].roles == ("applicant",)
    assert ("GET", "/api/v1/postings") not in guarded
