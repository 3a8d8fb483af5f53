"""The authorisation matrix, generated from the gateway's route table: every /api/v1 endpoint,
called by each kind of caller, gets the contract's answer (API.md; issue 9, "Proof").

Callers: anonymous; applicant A (the owner of what the route touches); applicant B (another
person); a reviewer of another city (大同市, while every case and post here is in 太原市小店区);
a province-wide reviewer; an administrator (admin role only); and three whose token no longer
works: a disabled staff member, a logged-out person and a person who has changed the password
since the token was issued. Those three get what an anonymous caller gets.

A route in `gateway.http.ROUTES` without an entry in MATRIX fails `test_every_route_has_an_entry`.
Adding an endpoint means adding one line to MATRIX: `(METHOD, path as in the route table):
Entry(expected answers by caller, target=what it acts on, body=the JSON it sends)`; the helpers
(public, logged_in, roles_only, owner_or_reviewer, ...) spell the usual answer patterns.
"""

import uuid
from dataclasses import dataclass, field

import pytest

import gateway.service  # noqa: F401  (its route modules fill the route table)
from gateway.http import ROUTES
from gateway.openapi import openapi_path
from tests import factories
from tests.e2e import test_applications, test_postings
from tests.e2e.conftest import DEMO_PASSWORD, create_staff, register
from tests.files import png
from tests.polling import wait_for

CALLERS = ("anonymous", "applicant_a", "applicant_b", "other_reviewer", "province_reviewer", "admin")
STAFF = ("other_reviewer", "province_reviewer", "admin")
REVOKED = ("disabled_staff", "logged_out", "password_changed")
TAIYUAN = {"city_code": "140100", "county_code": None}


def answers(anonymous, applicant_a, applicant_b, other_reviewer, province_reviewer, admin):
    return dict(
        zip(CALLERS, (anonymous, applicant_a, applicant_b, other_reviewer, province_reviewer, admin), strict=True)
    )


def public(ok=200):
    return answers(ok, ok, ok, ok, ok, ok)


def logged_in(ok=200):
    return answers(401, ok, ok, ok, ok, ok)


def applicants_only(ok=200, other=None):
    """Applicants' own things; B answers `other` (default: as A, with B's own things)."""
    return answers(401, ok, ok if other is None else other, 403, 403, 403)


def reviewers_only(ok=200, other_reviewer=None):
    """Reviewers' work; the reviewer of another city answers `other_reviewer` (default: as the province's)."""
    return answers(401, 403, 403, ok if other_reviewer is None else other_reviewer, ok, 403)


def owner_or_reviewer(ok=200):
    """A case's things: its owner and the reviewers whose jurisdiction holds it; 404 to everyone else."""
    return answers(401, ok, 404, 404, ok, 404)


@dataclass
class Target:
    """What a cell acts on: path values, and who plays applicant A (the owner) and B."""

    owner: object
    values: dict = field(default_factory=dict)
    other: object = None
    query: dict = None


@dataclass
class Entry:
    expected: dict
    target: str = "none"  # a World method giving the Target; "fresh_*" ones make new state per cell
    body: object = None  # callable(target) -> JSON body, or None
    query: dict = None


class World:
    """The people, staff, case and post the cells act on, made once per module."""

    def __init__(self, anon, admin, reviewer):
        self.anon, self.admin, self.reviewer = anon, admin, reviewer
        self.other_reviewer = create_staff(admin, anon, ["reviewer"], {"city_code": "140200", "county_code": None})
        self.a, self.b = register(anon), register(anon)
        self.case = test_applications.submit(self.a)
        self.attachment = self.a.get(f"/api/v1/applications/{self.case['application_id']}").json()["attachments"][0][
            "attachment_id"
        ]
        self.posting_id = test_postings.create(reviewer, "matrix")["posting_id"]
        self.intern = self.approved_person()
        self.revoked = self.revoked_sessions()

    def approved_person(self):
        person = register(self.anon)
        case = test_applications.submit(person)
        resp = self.reviewer.post(f"/api/v1/review/applications/{case['application_id']}/approve", json={})
        assert resp.status_code == 200, resp.text
        # Favorites learns of the approval from its event.
        wait_for(lambda: person.get("/api/v1/me").json()["intern"]["eligible"], timeout=30)
        return person

    def revoked_sessions(self):
        """Tokens that worked until their account was disabled, they logged out, or the password changed."""
        disabled = create_staff(self.admin, self.anon, ["reviewer"], TAIYUAN)
        user_id = disabled.get("/api/v1/me").json()["user_id"]
        assert self.admin.post(f"/api/v1/admin/users/{user_id}/disable").status_code == 200
        logged_out = register(self.anon)
        assert logged_out.post("/api/v1/auth/logout").status_code == 204
        changed = register(self.anon)
        resp = changed.post(
            "/api/v1/me/password", json={"current_password": changed.person["password"], "new_password": "Changed-2027"}
        )
        assert resp.status_code == 204, resp.text
        revoked = {"disabled_staff": disabled, "logged_out": logged_out, "password_changed": changed}
        for client in revoked.values():  # revocation reaches the gateway by broadcast within 2 s
            wait_for(lambda c=client: c.get("/api/v1/me").status_code == 401, timeout=10)
        return revoked

    def client(self, caller, target):
        if caller in REVOKED:
            return self.revoked[caller]
        return {
            "anonymous": self.anon,
            "applicant_a": target.owner,
            "applicant_b": target.other or self.b,
            "other_reviewer": self.other_reviewer,
            "province_reviewer": self.reviewer,
            "admin": self.admin,
        }[caller]

    # ---- targets ----
    def none(self):
        return Target(self.a)

    def case_of_a(self):
        return Target(self.a, {"application_id": self.case["application_id"], "attachment_id": self.attachment})

    def fresh_case(self):
        owner = register(self.anon)
        return Target(owner, {"application_id": test_applications.submit(owner)["application_id"]})

    def fresh_returned_case(self):
        target = self.fresh_case()
        resp = self.reviewer.post(
            f"/api/v1/review/applications/{target.values['application_id']}/return",
            json={"reason": "请补充材料", "items": ["毕业证书"]},
        )
        assert resp.status_code == 200, resp.text
        return target

    def verifiable_case(self):
        detail = self.a.get(f"/api/v1/applications/{self.case['application_id']}").json()
        return Target(self.a, {"case_number": detail["case_number"]}, query={"code": detail["verification_code"]})

    def notification_of_a(self):
        """A's notification of a rejection (the notifications service learns of it from the event)."""
        target = self.fresh_case()
        path = f"/api/v1/review/applications/{target.values['application_id']}/reject"
        assert self.reviewer.post(path, json={"reason": "材料不全"}).status_code == 200
        items = wait_for(lambda: target.owner.get("/api/v1/notifications").json()["items"], timeout=30)
        target.values["notification_id"] = items[0]["notification_id"]
        return target

    def fresh_staff(self):
        staff = create_staff(self.admin, self.anon, ["reviewer"], TAIYUAN)
        return Target(self.a, {"user_id": staff.get("/api/v1/me").json()["user_id"]})

    def fresh_session(self, caller):
        """A new login of the caller's own account, for a cell that ends its session."""
        client = self.client(caller, self.none())
        if caller == "anonymous":
            return client
        password = client.person["password"] if hasattr(client, "person") else DEMO_PASSWORD
        return self.anon.login(client.get("/api/v1/me").json()["username"], password)

    def fresh_applicants(self):
        return Target(register(self.anon), other=register(self.anon))

    def posting(self):
        return Target(self.a, {"posting_id": self.posting_id})

    def fresh_posting(self):
        return Target(self.a, {"posting_id": test_postings.create(self.reviewer, "matrix")["posting_id"]})

    def favorite_posting(self):
        return Target(self.intern, {"posting_id": self.posting_id}, other=self.b)


def staff_body(target):
    return {
        "username": factories.unique_username("staff"),
        "password": DEMO_PASSWORD,
        "real_name": "审核员",
        "roles": ["reviewer"],
        "jurisdiction": TAIYUAN,
    }


def application_body(target):
    """Marks a body built per caller in `send`, from the caller's own uploads."""


MATRIX = {
    ("POST", "/api/v1/auth/register"): Entry(public(201), body=lambda t: factories.person()),
    ("POST", "/api/v1/auth/login"): Entry(public(200), target="login"),
    ("GET", "/api/v1/me"): Entry(logged_in(200)),
    ("POST", "/api/v1/auth/logout"): Entry(logged_in(204), target="session"),
    ("POST", "/api/v1/me/password"): Entry(  # a wrong current password changes nothing: 400 once admitted
        logged_in(400), body=lambda t: {"current_password": "Wrong-pass1", "new_password": "Newpass-2027"}
    ),
    ("POST", "/api/v1/admin/users"): Entry(answers(401, 403, 403, 403, 403, 201), body=staff_body),
    ("GET", "/api/v1/admin/users"): Entry(answers(401, 403, 403, 403, 403, 200)),
    ("POST", "/api/v1/admin/users/<user_id>/disable"): Entry(
        answers(401, 403, 403, 403, 403, 200), target="fresh_staff"
    ),
    ("POST", "/api/v1/admin/users/<user_id>/enable"): Entry(
        answers(401, 403, 403, 403, 403, 200), target="fresh_staff"
    ),
    ("GET", "/api/v1/admin/audit"): Entry(answers(401, 403, 403, 403, 403, 200)),
    ("GET", "/api/v1/regions"): Entry(public(200)),
    ("GET", "/api/v1/vocabulary"): Entry(public(200)),
    ("GET", "/api/v1/postings"): Entry(public(200)),
    ("GET", "/api/v1/postings/<string:posting_id>"): Entry(public(200), target="posting"),
    ("POST", "/api/v1/postings"): Entry(
        reviewers_only(201, other_reviewer=403), body=lambda t: test_postings.fields("matrix")
    ),
    ("PATCH", "/api/v1/postings/<string:posting_id>"): Entry(
        reviewers_only(200, other_reviewer=403), target="posting", body=lambda t: {"headcount": 4}
    ),
    ("POST", "/api/v1/postings/<string:posting_id>/close"): Entry(
        reviewers_only(200, other_reviewer=403), target="fresh_posting"
    ),
    ("POST", "/api/v1/attachments"): Entry(applicants_only(201), target="fresh_applicants", body="upload"),
    ("GET", "/api/v1/attachments/<string:attachment_id>/content"): Entry(owner_or_reviewer(200), target="case_of_a"),
    ("POST", "/api/v1/applications"): Entry(applicants_only(201), target="fresh_applicants", body=application_body),
    ("GET", "/api/v1/applications"): Entry(applicants_only(200)),
    ("GET", "/api/v1/applications/<string:application_id>"): Entry(owner_or_reviewer(200), target="case_of_a"),
    ("POST", "/api/v1/applications/<string:application_id>/withdraw"): Entry(
        answers(401, 200, 404, 403, 403, 403), target="fresh_case"
    ),
    ("GET", "/api/v1/applications/<string:application_id>/form.pdf"): Entry(owner_or_reviewer(200), target="case_of_a"),
    ("POST", "/api/v1/applications/<string:application_id>/resubmit"): Entry(
        answers(401, 200, 404, 403, 403, 403), target="fresh_returned_case", body=application_body
    ),
    ("GET", "/api/v1/verify/<string:case_number>"): Entry(public(200), target="verifiable_case"),
    ("GET", "/api/v1/review/applications"): Entry(reviewers_only(200)),
    ("POST", "/api/v1/review/applications/<string:application_id>/return"): Entry(
        reviewers_only(200, other_reviewer=404),
        target="fresh_case",
        body=lambda t: {"reason": "请补充材料", "items": ["毕业证书"]},
    ),
    ("GET", "/api/v1/notifications"): Entry(logged_in(200)),
    ("POST", "/api/v1/notifications/read-all"): Entry(logged_in(204)),
    ("POST", "/api/v1/notifications/<string:notification_id>/read"): Entry(
        answers(401, 204, 404, 404, 404, 404), target="notification_of_a"
    ),
    ("POST", "/api/v1/review/applications/<string:application_id>/approve"): Entry(
        reviewers_only(200, other_reviewer=404), target="fresh_case", body=lambda t: {"comment": "同意"}
    ),
    ("POST", "/api/v1/review/applications/<string:application_id>/reject"): Entry(
        reviewers_only(200, other_reviewer=404), target="fresh_case", body=lambda t: {"reason": "材料不全"}
    ),
    ("GET", "/api/v1/favorites/postings"): Entry(applicants_only(200, other=403), target="favorite_posting"),
    ("GET", "/api/v1/favorites"): Entry(applicants_only(200, other=403), target="favorite_posting"),
    ("PUT", "/api/v1/favorites/<uuid:posting_id>"): Entry(
        applicants_only((200, 201), other=403), target="favorite_posting"
    ),
    ("DELETE", "/api/v1/favorites/<uuid:posting_id>"): Entry(
        applicants_only(204, other=403), target="favorite_posting"
    ),
}

API_ROUTES = [(d.method, d.path) for d in ROUTES if d.path.startswith("/api/v1")]


def test_every_route_has_an_entry():
    missing = sorted(set(API_ROUTES) - set(MATRIX))
    assert not missing, f"routes without an authorisation-matrix entry: {missing}"
    assert not set(MATRIX) - set(API_ROUTES), "matrix entries for routes that no longer exist"


@pytest.fixture(scope="module")
def world(anon, admin, reviewer):
    return World(anon, admin, reviewer)


def send(world, route, entry, caller):
    method, path = route
    if entry.target == "login":
        person = register(world.anon)
        client = person if caller == "applicant_a" else world.client(caller, world.none())
        return client.request(
            method, path, json={"username": person.person["username"], "password": person.person["password"]}
        )
    if entry.target == "session":
        client = world.client(caller, world.none()) if caller in REVOKED else world.fresh_session(caller)
        return client.request(method, path)
    target = getattr(world, entry.target)()
    client = world.client(caller, target)
    url = openapi_path(path).format(**target.values)
    if entry.body == "upload":
        return client.post(url, files={"file": ("id.png", png(seed=3))}, data={"kind": "id_card"})
    if entry.body is application_body:
        ids = (
            [test_applications.uploaded(client, "id_card"), test_applications.uploaded(client, "diploma")]
            if caller in ("applicant_a", "applicant_b")
            else [str(uuid.uuid4())]
        )
        return client.post(url, json=test_applications.form(client, attachment_ids=ids))
    body = entry.body(target) if entry.body else None
    return client.request(method, url, json=body, params=target.query or entry.query)


@pytest.mark.parametrize("caller", CALLERS + REVOKED)
@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_each_caller_gets_the_contracts_answer(world, route, caller):
    entry = MATRIX[route]
    expected = entry.expected["anonymous" if caller in REVOKED else caller]
    resp = send(world, route, entry, caller)
    assert resp.status_code in (expected if isinstance(expected, tuple) else (expected,)), (caller, resp.text[:300])
