"""The Attachments and applications table of the contract, through the running gateway."""

import hashlib
import random
import re
import threading
import uuid
from datetime import date, timedelta

import pytest

from common import clock
from tests import factories
from tests.e2e import conftest
from tests.e2e.conftest import assert_error, create_staff
from tests.files import jpeg, padded_pdf, pdf, png

MiB = 1024 * 1024
XIAODIAN = {"city_code": "140100", "county_code": "140105"}  # 太原市小店区


def upload(client, kind, content, filename="file.pdf", headers=None):
    return client.post(
        "/api/v1/attachments", files={"file": (filename, content)}, data={"kind": kind}, headers=headers or {}
    )


def uploaded(client, kind, content=None, filename=None):
    resp = upload(client, kind, content or png(seed=len(kind)), filename or f"{kind}.png")
    assert resp.status_code == 201, resp.text
    return resp.json()["attachment_id"]


def form(client, attachment_ids=None, **overrides):
    if attachment_ids is None:
        attachment_ids = [uploaded(client, "id_card"), uploaded(client, "diploma", pdf(), "毕业证.pdf")]
    body = {
        "category": "graduate",
        "gender": "男",
        "education": "本科",
        "school": "山西大学",
        "major": "软件工程",
        "graduation_date": (clock.today() - timedelta(days=150)).isoformat(),
        "household_address": "山西省太原市小店区坞城路92号",
        "current_address": "山西省太原市迎泽区迎泽大街1号",
        "phone": "13912345678",
        "jurisdiction": dict(XIAODIAN),
        "attachment_ids": attachment_ids,
        "declaration_accepted": True,
    }
    body.update(overrides)
    return body


def submit(client, **overrides):
    resp = client.post("/api/v1/applications", json=form(client, **overrides))
    assert resp.status_code == 201, resp.text
    return resp.json()


@pytest.fixture
def applicant(anon):
    """A freshly registered man aged 26 to 36 (too old for the unemployed-youth category)."""
    return register(anon)


@pytest.fixture(scope="module")
def datong_reviewer(admin, anon):
    return create_staff(admin, anon, ["reviewer"], {"city_code": "140200", "county_code": None})


@pytest.fixture(scope="module")
def xiaodian_reviewer(admin, anon):
    return create_staff(admin, anon, ["reviewer"], XIAODIAN)


# ---- POST /api/v1/attachments ------------------------------------------------------------------


@pytest.mark.parametrize(
    "content,filename,content_type",
    [
        (pdf(), "毕业证书.pdf", "application/pdf"),
        (png(), "身份证.png", "image/png"),
        (jpeg(), "photo.jpg", "image/jpeg"),
        (png(), "scan.pdf", "image/png"),  # judged by content, not by name
    ],
)
def test_upload_pdf_png_jpeg(applicant, content, filename, content_type):
    resp = upload(applicant, "id_card", content, filename)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert uuid.UUID(body["attachment_id"])
    assert body == {
        "attachment_id": body["attachment_id"],
        "kind": "id_card",
        "filename": filename,
        "size": len(content),
        "content_type": content_type,
        "sha256": hashlib.sha256(content).hexdigest(),
    }


def test_upload_of_exactly_10_mib_is_accepted_and_one_byte_more_is_413(applicant):
    resp = upload(applicant, "other", padded_pdf(10 * MiB), "big.pdf")
    assert resp.status_code == 201, resp.text
    assert resp.json()["size"] == 10 * MiB
    assert_error(upload(applicant, "other", padded_pdf(10 * MiB + 1), "big.pdf"), 413, "FILE_TOO_LARGE")


def test_far_too_large_upload_is_413(applicant):
    assert_error(upload(applicant, "other", padded_pdf(12 * MiB), "huge.pdf"), 413, "FILE_TOO_LARGE")


def test_text_renamed_pdf_is_415(applicant):
    assert_error(
        upload(applicant, "diploma", "本人毕业证书".encode() * 20, "diploma.pdf"), 415, "UNSUPPORTED_FILE_TYPE"
    )


def test_upload_input_errors(applicant, anon, reviewer):
    assert_error(upload(applicant, "passport", png()), 400, "VALIDATION_ERROR", "kind")
    assert_error(
        applicant.post("/api/v1/attachments", data={"kind": "id_card"}, files={"other": ("x.png", png())}),
        400,
        "VALIDATION_ERROR",
        "file",
    )
    assert_error(applicant.post("/api/v1/attachments", json={"kind": "id_card"}), 400, "VALIDATION_ERROR", "file")
    assert_error(upload(applicant, "id_card", b""), 400, "VALIDATION_ERROR", "file")
    assert_error(upload(anon, "id_card", png()), 401, "UNAUTHENTICATED")
    assert_error(upload(reviewer, "id_card", png()), 403, "FORBIDDEN")
    assert_error(
        upload(applicant, "id_card", png(), headers={"Idempotency-Key": "x" * 201}),
        400,
        "VALIDATION_ERROR",
        "Idempotency-Key",
    )


def test_upload_idempotency_key_returns_the_first_answer(applicant):
    key = str(uuid.uuid4())
    first = upload(applicant, "id_card", png(seed=1), headers={"Idempotency-Key": key})
    again = upload(applicant, "id_card", png(seed=1), headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    other = upload(applicant, "id_card", png(seed=1), headers={"Idempotency-Key": str(uuid.uuid4())})
    assert other.json()["attachment_id"] != first.json()["attachment_id"]


# ---- POST /api/v1/applications --------------------------------------------------------------------


def test_submit_answers_success_with_a_case_number(applicant):
    body = submit(applicant)
    assert body["status"] == "pending" and body["status_label"] == "未审核" and body["message"] == "申报成功"
    assert re.fullmatch(rf"JX{clock.today():%Y%m%d}\d{{6}}", body["case_number"])
    assert uuid.UUID(body["application_id"]) and body["submitted_at"].endswith("+08:00")
    [item] = applicant.get("/api/v1/applications").json()["items"]
    assert item["case_number"] == body["case_number"] and item["status_label"] == "未审核"


def test_submit_rule_failures_name_their_field(applicant):
    ids = [uploaded(applicant, "id_card"), uploaded(applicant, "diploma", pdf())]
    # One path per kind of check; each rule is unit-tested in test_applications_domain and
    # test_applications_contract.
    cases = [
        ({"gender": "女"}, "gender"),  # against the identity record's ID number
        ({"category": "unemployed_youth"}, "category"),  # 26 or older
        ({"jurisdiction": {"city_code": "140100", "county_code": "140212"}}, "jurisdiction.county_code"),
        ({"attachment_ids": ids[:1]}, "attachment_ids"),  # the stored uploads lack a diploma
        ({"attachment_ids": ids + [str(uuid.uuid4())]}, "attachment_ids"),
        ({"category": "pilot"}, "category"),  # the schema
    ]
    for overrides, field in cases:
        assert_error(
            applicant.post("/api/v1/applications", json=form(applicant, **{"attachment_ids": ids, **overrides})),
            400,
            "VALIDATION_ERROR",
            field,
        )
    missing = form(applicant, ids)
    del missing["household_address"]
    assert_error(applicant.post("/api/v1/applications", json=missing), 400, "VALIDATION_ERROR", "household_address")
    assert applicant.get("/api/v1/applications").json()["total"] == 0  # nothing was created
    assert applicant.post("/api/v1/applications", json=form(applicant, ids)).status_code == 201


def test_submit_needs_an_applicant(anon, reviewer, applicant):
    assert_error(anon.post("/api/v1/applications", json={}), 401, "UNAUTHENTICATED")
    assert_error(reviewer.post("/api/v1/applications", json={}), 403, "FORBIDDEN")


def test_another_persons_upload_cannot_be_used(applicant, anon):
    other = register(anon)
    theirs = [uploaded(other, "id_card"), uploaded(other, "diploma", pdf())]
    assert_error(
        applicant.post("/api/v1/applications", json=form(applicant, theirs)), 400, "VALIDATION_ERROR", "attachment_ids"
    )


def register(anon):
    """A man born in the 1990s: the forms here say 男 and the graduate categories have no age limit."""
    birth = date(1990, 1, 1) + timedelta(days=random.randrange(365 * 10))
    return conftest.register(anon, id_number=factories.id_number(birth=birth, male=True))


def test_one_active_application_per_person(applicant):
    first = submit(applicant)
    body = assert_error(applicant.post("/api/v1/applications", json=form(applicant)), 409, "ACTIVE_APPLICATION_EXISTS")
    assert body["error"]["details"]["case_number"] == first["case_number"]


def test_simultaneous_submissions_make_exactly_one_case(applicant):
    bodies = [form(applicant) for _ in range(6)]
    results = [None] * len(bodies)

    def send(i):
        results[i] = applicant.post("/api/v1/applications", json=bodies[i])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201] + [409] * (len(bodies) - 1), [r.text for r in results]
    assert applicant.get("/api/v1/applications").json()["total"] == 1


def test_submit_idempotency_key_returns_the_first_answer(applicant):
    key = str(uuid.uuid4())
    body = form(applicant)
    first = applicant.post("/api/v1/applications", json=body, headers={"Idempotency-Key": key})
    again = applicant.post("/api/v1/applications", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert applicant.get("/api/v1/applications").json()["total"] == 1


# ---- GET /api/v1/applications ---------------------------------------------------------------------


def test_my_cases_filter_by_status_and_month_newest_first(applicant):
    first = submit(applicant)
    assert applicant.post(f"/api/v1/applications/{first['application_id']}/withdraw").status_code == 200
    second = submit(applicant)
    page = applicant.get("/api/v1/applications").json()
    assert page["total"] == 2 and page["page"] == 1 and page["page_size"] == 20
    assert [i["case_number"] for i in page["items"]] == [second["case_number"], first["case_number"]]
    assert [i["status"] for i in applicant.get("/api/v1/applications?status=withdrawn").json()["items"]] == [
        "withdrawn"
    ]
    assert applicant.get("/api/v1/applications?status=approved").json() == {
        "items": [],
        "total": 0,
        "page": 1,
        "page_size": 20,
    }
    this_month = f"{clock.today():%Y-%m}"
    assert applicant.get(f"/api/v1/applications?month={this_month}").json()["total"] == 2
    last_year = f"{clock.today().year - 1}-{clock.today():%m}"
    assert applicant.get(f"/api/v1/applications?month={last_year}").json()["total"] == 0
    paged = applicant.get("/api/v1/applications?page=2&page_size=1").json()
    assert [i["case_number"] for i in paged["items"]] == [first["case_number"]] and paged["total"] == 2
    item = paged["items"][0]
    assert "id_number" not in str(item) and applicant.person["id_number"] not in str(page)


# The whole matrix is unit-tested on the schema (tests/unit/test_applications_contract.py).
@pytest.mark.parametrize("query,field", [("month=2026-13", "month"), ("status=done", "status")])
def test_my_cases_bad_query_is_400(applicant, query, field):
    assert_error(applicant.get(f"/api/v1/applications?{query}"), 400, "VALIDATION_ERROR", field)


def test_my_cases_needs_login(anon):
    assert_error(anon.get("/api/v1/applications"), 401, "UNAUTHENTICATED")


# ---- GET /api/v1/applications/{id} -------------------------------------------------------------------


def test_detail_for_the_owner_with_attachments_and_history(applicant):
    diploma = pdf("Bachelor")
    ids = [uploaded(applicant, "id_card", jpeg(), "id.jpg"), uploaded(applicant, "diploma", diploma, "毕业证.pdf")]
    created = submit(applicant, attachment_ids=ids)
    detail = applicant.get(f"/api/v1/applications/{created['application_id']}").json()
    assert detail["case_number"] == created["case_number"] and detail["status"] == "pending"
    assert detail["real_name"] == applicant.person["real_name"]
    assert (
        detail["id_number_masked"].startswith(applicant.person["id_number"][:6]) and "*" in detail["id_number_masked"]
    )
    assert applicant.person["id_number"] not in str(detail)
    assert detail["jurisdiction"]["county_name"] == "小店区"
    assert [h["type"] for h in detail["history"]] == ["application_submitted"]
    assert detail["history"][0]["by"] == applicant.user_id
    by_kind = {a["kind"]: a for a in detail["attachments"]}
    assert set(by_kind) == {"id_card", "diploma"}
    download = by_kind["diploma"]["download_url"]
    assert download == f"/api/v1/attachments/{by_kind['diploma']['attachment_id']}/content"
    fetched = applicant.get(download)
    assert fetched.status_code == 200 and fetched.content == diploma
    assert hashlib.sha256(fetched.content).hexdigest() == by_kind["diploma"]["sha256"]
    assert fetched.headers["Content-Type"] == "application/pdf"
    assert fetched.headers["Cache-Control"] == "no-store"
    assert fetched.headers["Content-Disposition"] == (
        "attachment; filename=\"___.pdf\"; filename*=UTF-8''%E6%AF%95%E4%B8%9A%E8%AF%81.pdf"
    )


def test_detail_is_private(applicant, anon, datong_reviewer, reviewer):
    created = submit(applicant)
    path = f"/api/v1/applications/{created['application_id']}"
    assert_error(register(anon).get(path), 404, "NOT_FOUND")
    assert_error(datong_reviewer.get(path), 404, "NOT_FOUND")
    assert reviewer.get(path).status_code == 200
    assert_error(applicant.get(f"/api/v1/applications/{uuid.uuid4()}"), 404, "NOT_FOUND")
    assert_error(applicant.get("/api/v1/applications/not-an-id"), 404, "NOT_FOUND")
    assert_error(anon.get(path), 401, "UNAUTHENTICATED")


# ---- POST /api/v1/applications/{id}/withdraw ---------------------------------------------------------


def test_withdraw_then_apply_again(applicant):
    first = submit(applicant)
    path = f"/api/v1/applications/{first['application_id']}/withdraw"
    resp = applicant.post(path)
    assert resp.status_code == 200, resp.text
    detail = resp.json()
    assert detail["status"] == "withdrawn" and detail["status_label"] == "已撤回"
    assert [h["type"] for h in detail["history"]] == ["application_submitted", "application_withdrawn"]
    assert_error(applicant.post(path), 409, "NOT_WITHDRAWABLE")
    # The withdrawn case keeps its uploads; a new case needs new ones.
    old_ids = [a["attachment_id"] for a in detail["attachments"]]
    assert_error(
        applicant.post("/api/v1/applications", json=form(applicant, old_ids)), 400, "VALIDATION_ERROR", "attachment_ids"
    )
    second = submit(applicant)
    assert second["case_number"] != first["case_number"]
    statuses = {i["case_number"]: i["status"] for i in applicant.get("/api/v1/applications").json()["items"]}
    assert statuses == {first["case_number"]: "withdrawn", second["case_number"]: "pending"}


def test_withdraw_errors(applicant, anon, reviewer):
    created = submit(applicant)
    path = f"/api/v1/applications/{created['application_id']}/withdraw"
    assert_error(register(anon).post(path), 404, "NOT_FOUND")
    assert_error(anon.post(path), 401, "UNAUTHENTICATED")
    assert_error(applicant.post(f"/api/v1/applications/{uuid.uuid4()}/withdraw"), 404, "NOT_FOUND")
    assert reviewer.post(f"/api/v1/review/applications/{created['application_id']}/approve", json={}).status_code == 200
    assert_error(applicant.post(path), 409, "NOT_WITHDRAWABLE")


# ---- review ------------------------------------------------------------------------------------------


def test_review_queue_is_scoped_and_filtered(applicant, reviewer, datong_reviewer, xiaodian_reviewer):
    created = submit(applicant)
    case = created["case_number"]

    def cases(client, query=""):
        resp = client.get(f"/api/v1/review/applications?page_size=100&{query}")
        assert resp.status_code == 200, resp.text
        return resp.json()

    month = f"{clock.today():%Y-%m}"
    page = cases(reviewer, f"city=140100&county=140105&month={month}")
    [item] = [i for i in page["items"] if i["case_number"] == case]
    assert item["status"] == "pending" and item["applicant_name"] == applicant.person["real_name"]
    assert applicant.person["id_number"] not in str(page) and "13912345678" not in str(page)
    assert case in [i["case_number"] for i in cases(xiaodian_reviewer)["items"]]
    assert case not in [i["case_number"] for i in cases(datong_reviewer)["items"]]
    assert case not in [i["case_number"] for i in cases(reviewer, "county=140106")["items"]]
    assert case not in [i["case_number"] for i in cases(reviewer, "status=approved&city=140100")["items"]]
    assert all(i["jurisdiction"]["city_code"] == "140200" for i in cases(datong_reviewer)["items"])


def test_review_queue_errors(applicant, reviewer, anon):
    assert_error(anon.get("/api/v1/review/applications"), 401, "UNAUTHENTICATED")
    assert_error(applicant.get("/api/v1/review/applications"), 403, "FORBIDDEN")
    assert_error(reviewer.get("/api/v1/review/applications?city=999999"), 400, "VALIDATION_ERROR", "city")
    assert_error(
        reviewer.get("/api/v1/review/applications?city=140100&county=140212"), 400, "VALIDATION_ERROR", "county"
    )
    assert_error(reviewer.get("/api/v1/review/applications?month=2026-1"), 400, "VALIDATION_ERROR", "month")


def test_approve(applicant, xiaodian_reviewer, datong_reviewer):
    created = submit(applicant)
    path = f"/api/v1/review/applications/{created['application_id']}/approve"
    assert_error(datong_reviewer.post(path, json={"comment": "同意"}), 404, "NOT_FOUND")
    assert_error(applicant.post(path, json={}), 403, "FORBIDDEN")
    resp = xiaodian_reviewer.post(path, json={"comment": "材料齐全，同意"})
    assert resp.status_code == 200, resp.text
    detail = resp.json()
    assert detail["status"] == "approved" and detail["status_label"] == "审核通过"
    assert detail["comment"] == "材料齐全，同意"
    step = detail["history"][-1]
    assert step["type"] == "application_approved" and step["comment"] == "材料齐全，同意"
    assert step["by"] == detail["reviewer_id"]
    assert_error(xiaodian_reviewer.post(path), 409, "NOT_PENDING")
    assert_error(applicant.post("/api/v1/applications", json=form(applicant)), 409, "ACTIVE_APPLICATION_EXISTS")
    assert applicant.get(f"/api/v1/applications/{created['application_id']}").json()["status"] == "approved"


def test_approve_without_a_body(applicant, reviewer):
    created = submit(applicant)
    resp = reviewer.post(f"/api/v1/review/applications/{created['application_id']}/approve")
    assert resp.status_code == 200, resp.text
    assert resp.json()["comment"] is None


def test_reject_then_apply_again(applicant, reviewer, datong_reviewer, anon):
    created = submit(applicant)
    path = f"/api/v1/review/applications/{created['application_id']}/reject"
    assert_error(reviewer.post(path, json={}), 400, "VALIDATION_ERROR", "reason")
    assert_error(reviewer.post(path, json={"reason": "差"}), 400, "VALIDATION_ERROR", "reason")
    assert_error(reviewer.post(path, json={"reason": "原" * 501}), 400, "VALIDATION_ERROR", "reason")
    assert_error(datong_reviewer.post(path, json={"reason": "不符合条件"}), 404, "NOT_FOUND")
    assert_error(anon.post(path, json={"reason": "不符合条件"}), 401, "UNAUTHENTICATED")
    assert_error(
        reviewer.post(f"/api/v1/review/applications/{uuid.uuid4()}/reject", json={"reason": "不符合"}), 404, "NOT_FOUND"
    )
    resp = reviewer.post(path, json={"reason": "毕业证书照片不清晰"})
    assert resp.status_code == 200, resp.text
    detail = resp.json()
    assert detail["status"] == "rejected" and detail["status_label"] == "审核不通过"
    assert detail["history"][-1] == {
        "type": "application_rejected",
        "at": detail["decided_at"],
        "by": detail["reviewer_id"],
        "reason": "毕业证书照片不清晰",
    }
    assert_error(reviewer.post(path, json={"reason": "再次驳回"}), 409, "NOT_PENDING")
    assert_error(reviewer.post(path.replace("reject", "approve"), json={}), 409, "NOT_PENDING")
    assert submit(applicant)["case_number"] != created["case_number"]


def test_withdraw_racing_approve_has_one_winner(applicant, reviewer):
    for _ in range(3):
        created = submit(applicant)
        app_id = created["application_id"]
        results = {}
        calls = {
            "withdraw": lambda app_id=app_id: applicant.post(f"/api/v1/applications/{app_id}/withdraw"),
            "approve": lambda app_id=app_id: reviewer.post(f"/api/v1/review/applications/{app_id}/approve", json={}),
        }
        threads = [
            threading.Thread(target=lambda n=n, results=results, calls=calls: results.__setitem__(n, calls[n]()))
            for n in calls
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = sorted(r.status_code for r in results.values())
        assert codes == [200, 409], {n: r.text for n, r in results.items()}
        final = applicant.get(f"/api/v1/applications/{app_id}").json()
        winner = "withdrawn" if results["withdraw"].status_code == 200 else "approved"
        assert final["status"] == winner and len(final["history"]) == 2
        if winner == "approved":
            return  # the person now has an approved case and cannot apply again


def test_openapi_documents_the_applications_routes(anon):
    paths = anon.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/v1/attachments",
        "/api/v1/applications",
        "/api/v1/applications/{application_id}",
        "/api/v1/applications/{application_id}/withdraw",
        "/api/v1/review/applications",
        "/api/v1/review/applications/{application_id}/approve",
        "/api/v1/review/applications/{application_id}/reject",
    ):
        assert path in paths, path
    assert "multipart/form-data" in paths["/api/v1/attachments"]["post"]["requestBody"]["content"]


def test_graduation_window_boundary_through_the_api(applicant):
    today = clock.today()
    if (today.month, today.day) == (2, 29):
        pytest.skip("no date lies exactly two years before 29 February")
    day_too_early = date(today.year - 2, today.month, today.day) - timedelta(days=1)
    assert_error(
        applicant.post("/api/v1/applications", json=form(applicant, graduation_date=day_too_early.isoformat())),
        400,
        "VALIDATION_ERROR",
        "graduation_date",
    )
    exactly_two_years = date(today.year - 2, today.month, today.day)
    assert submit(applicant, graduation_date=exactly_two_years.isoformat())["status"] == "pending"
