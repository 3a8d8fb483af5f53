"""Each input and response attack of issue 9, exactly as it was made, through the gateway
(API.md, "Input and response hygiene")."""

import random
import re

import pytest

import gateway.service  # noqa: F401  (its route modules fill the route table)
from common.paging import PageQuery
from gateway.http import ROUTES
from gateway.openapi import openapi_path
from tests import factories
from tests.e2e import test_applications, test_postings
from tests.e2e.conftest import assert_error, register

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


# ---- two accounts for one ID number ------------------------------------------------------------


def test_full_width_digits_never_make_a_second_account(anon):
    person = factories.person()
    number = person["id_number"]
    assert anon.post("/api/v1/auth/register", json=person).status_code == 201
    twin = factories.person(id_number=number[:6] + number[6:10].translate(FULL_WIDTH) + number[10:])
    assert_error(anon.post("/api/v1/auth/register", json=twin), 400, "VALIDATION_ERROR", "id_number")


@pytest.mark.parametrize(
    "field, value",
    [
        ("username", "demo_admin\n"),
        ("username", "ｄemo_user"),
        ("phone", "13800001234\n"),
        ("phone", "13８００００１２３４"),
        ("id_number", factories.id_number() + "\n"),
    ],
)
def test_trailing_newlines_and_unicode_digits_are_refused_at_registration(anon, field, value):
    assert_error(
        anon.post("/api/v1/auth/register", json=factories.person(**{field: value})), 400, "VALIDATION_ERROR", field
    )


def test_full_width_credit_code_and_phone_are_refused_on_posts(reviewer):
    code = factories.credit_code()
    for field, value in (
        ("employer_credit_code", code[:2] + code[2:8].translate(FULL_WIDTH) + code[8:]),
        ("contact_phone", "0351-７００１２３４"),
        ("contact_phone", "0351-7001234\n"),
    ):
        assert_error(
            reviewer.post("/api/v1/postings", json=test_postings.fields(**{field: value})),
            400,
            "VALIDATION_ERROR",
            field,
        )


# ---- NUL and other control characters ----------------------------------------------------------


@pytest.mark.parametrize("param", ["q", "industry"])
def test_nul_in_search_parameters(anon, param):
    assert_error(anon.get("/api/v1/postings", params={param: "软件\x00"}), 400, "VALIDATION_ERROR", param)


def test_nul_in_login_username(anon):
    assert_error(
        anon.post("/api/v1/auth/login", json={"username": "demo\x00admin", "password": "x"}),
        400,
        "VALIDATION_ERROR",
        "username",
    )


@pytest.mark.parametrize(
    "field", ["school", "major", "household_address", "current_address", "unemployment_registration_number"]
)
def test_nul_in_application_text_fields(anon, field):
    applicant = register(anon)
    body = test_applications.form(
        applicant, attachment_ids=[test_applications.uploaded(applicant, "id_card")], **{field: "太原\x00市"}
    )
    assert_error(applicant.post("/api/v1/applications", json=body), 400, "VALIDATION_ERROR", field)


def test_nul_in_reject_reason_and_posting_description(anon, reviewer):
    applicant = register(anon)
    case = test_applications.submit(applicant)
    path = f"/api/v1/review/applications/{case['application_id']}"
    assert_error(reviewer.post(path + "/reject", json={"reason": "材料\x00不全"}), 400, "VALIDATION_ERROR", "reason")
    assert_error(reviewer.post(path + "/approve", json={"comment": "好\x00"}), 400, "VALIDATION_ERROR", "comment")
    assert_error(
        reviewer.post("/api/v1/postings", json=test_postings.fields(description="岗位职责\x00" * 3)),
        400,
        "VALIDATION_ERROR",
        "description",
    )
    # Newlines belong in multi-line fields and nowhere else.
    assert reviewer.post(path + "/reject", json={"reason": "材料不全：\n\t缺毕业证"}).status_code == 200
    assert_error(
        reviewer.post("/api/v1/postings", json=test_postings.fields(title="见习\n岗位")),
        400,
        "VALIDATION_ERROR",
        "title",
    )


# ---- huge pages, deep nesting, impossible months -----------------------------------------------

PAGED = [
    doc for doc in ROUTES if doc.method == "GET" and isinstance(doc.query, type) and issubclass(doc.query, PageQuery)
]


def caller_for(doc, anon, applicant, reviewer, admin):
    if not doc.auth:
        return anon
    if "admin" in doc.roles:
        return admin
    return reviewer if "reviewer" in doc.roles else applicant


@pytest.mark.parametrize("doc", PAGED, ids=lambda d: d.path)
@pytest.mark.parametrize("page", ["99999999999999999999", "10001"])
def test_huge_pages_on_every_paged_list(doc, page, anon, applicant, reviewer, admin):
    client = caller_for(doc, anon, applicant, reviewer, admin)
    assert_error(client.get(openapi_path(doc.path), params={"page": page}), 400, "VALIDATION_ERROR", "page")


def test_the_paged_lists_are_found():
    assert {"/api/v1/postings", "/api/v1/applications", "/api/v1/review/applications"} <= {d.path for d in PAGED}


def test_a_body_of_100000_brackets_is_a_400(anon, reviewer):
    for client, path in ((anon, "/api/v1/auth/login"), (reviewer, "/api/v1/postings")):
        resp = client.post(path, data="[" * 100000, headers={"Content-Type": "application/json"})
        assert_error(resp, 400, "VALIDATION_ERROR", "body")
    deep = '{"username": "a", "password": "b", "x": ' + "[" * 32 + "]" * 32 + "}"
    assert_error(
        anon.post("/api/v1/auth/login", data=deep, headers={"Content-Type": "application/json"}),
        400,
        "VALIDATION_ERROR",
        "body",
    )


@pytest.mark.parametrize("month", ["0000-01", "０２０２６-01", "2026-11\n"])
def test_impossible_months_are_400(reviewer, applicant, month):
    assert_error(reviewer.get("/api/v1/review/applications", params={"month": month}), 400, "VALIDATION_ERROR")
    assert_error(applicant.get("/api/v1/applications", params={"month": month}), 400, "VALIDATION_ERROR")


# ---- metrics, methods, headers -------------------------------------------------------------------


def series(anon):
    text = anon.get("/metrics").text
    return {line.split(" ")[0] for line in text.splitlines() if line.startswith("http_request")}


def test_random_methods_on_unknown_paths_create_no_series(anon):
    series(anon)  # warm the fixed labels: /metrics itself, and an unknown path with each kind of answer
    anon.request("BREW", "/nope")
    anon.request("GET", "/api/v1/unknown")
    before = series(anon)
    for i in range(30):
        method = "".join(random.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(8))
        anon.request(method, f"/x{random.random()}/{i}")
        anon.request("GET", f"/api/v1/unknown-{i}")
    after = series(anon)
    assert after == before, after - before
    assert not any(re.search(r'method="[A-Z]{8}"', s) for s in after)


def test_405_names_the_allowed_methods(anon):
    resp = anon.request("DELETE", "/api/v1/postings")
    assert_error(resp, 405, "METHOD_NOT_ALLOWED")
    assert {m.strip() for m in resp.headers["Allow"].split(",")} >= {"GET", "POST"}


def test_personal_answers_are_never_cached_and_never_sniffed(anon, applicant, reviewer):
    case = test_applications.submit(applicant)
    for client, path in (
        (applicant, "/api/v1/me"),
        (applicant, f"/api/v1/applications/{case['application_id']}"),
        (reviewer, f"/api/v1/applications/{case['application_id']}"),
        (applicant, "/api/v1/applications"),
        (reviewer, "/api/v1/review/applications"),
        (anon, "/api/v1/me"),
        (anon, "/api/v1/no-such-thing"),
    ):
        resp = client.get(path)
        assert resp.headers["X-Content-Type-Options"] == "nosniff", path
        assert resp.headers["Cache-Control"] == "no-store", path
    for path in ("/api/v1/postings", "/api/v1/regions", "/api/openapi.json"):
        assert anon.get(path).headers["X-Content-Type-Options"] == "nosniff"
