"""Every row of the contract's Postings table through the running gateway, with each error code.

Posts from other tests share the run's database, so each test tags its posts and
searches for the tag.
"""

import uuid
from datetime import timedelta

import pytest

from common import clock, db
from tests import factories
from tests.e2e.conftest import assert_error, create_staff
from tests.polling import wait_for

SUMMARY_KEYS = {
    "posting_id",
    "title",
    "employer_name",
    "city_code",
    "city_name",
    "county_code",
    "county_name",
    "industry",
    "headcount",
    "education_requirement",
    "duration_months",
    "monthly_subsidy",
    "deadline",
    "status",
    "status_label",
    "published_at",
}


@pytest.fixture
def tag():
    return "e2e" + uuid.uuid4().hex[:8].translate(str.maketrans("0123456789", "ghijklmnop"))


def fields(tag="", **overrides):
    return factories.posting(**{"title": f"软件开发见习生{tag}", **overrides})


def create(reviewer, tag, **overrides):
    resp = reviewer.post("/api/v1/postings", json=fields(tag, **overrides))
    assert resp.status_code == 201, resp.text
    return resp.json()


def found(anon, tag, **params):
    resp = anon.get("/api/v1/postings", params={"q": tag, **params})
    assert resp.status_code == 200, resp.text
    return resp.json()


# --- POST /api/v1/postings -------------------------------------------------------


def test_reviewer_creates_a_post_and_gets_its_detail(reviewer, tag):
    sent = fields(tag)
    resp = reviewer.post("/api/v1/postings", json=sent)
    assert resp.status_code == 201, resp.text
    detail = resp.json()
    assert {k: detail[k] for k in sent} == sent
    assert detail["status"] == "open" and detail["status_label"] == "招募中"
    assert detail["city_name"] == "太原市" and detail["county_name"] == "小店区"
    assert detail["published_at"].endswith("+08:00")
    uuid.UUID(detail["posting_id"])


def test_create_reports_every_field_error_together(reviewer):
    resp = reviewer.post(
        "/api/v1/postings",
        json=fields(
            title="",
            employer_credit_code="91140100MA0K1234X1",
            county_code="140213",
            headcount=1000,
            education_requirement="小学",
            duration_months=2,
            monthly_subsidy=-5,
            deadline=(clock.today() - timedelta(days=1)).isoformat(),
        ),
    )
    details = assert_error(resp, 400, "VALIDATION_ERROR")["error"]["details"]
    assert set(details) == {
        "title",
        "employer_credit_code",
        "county_code",
        "headcount",
        "education_requirement",
        "duration_months",
        "monthly_subsidy",
        "deadline",
    }


def test_create_rejects_unknown_region_codes(reviewer):
    details = assert_error(
        reviewer.post("/api/v1/postings", json=fields(city_code="149900", county_code="149901")),
        400,
        "VALIDATION_ERROR",
    )["error"]["details"]
    assert set(details) == {"city_code", "county_code"}


def test_create_needs_a_token(anon):
    assert_error(anon.post("/api/v1/postings", json=fields()), 401, "UNAUTHENTICATED")
    assert_error(
        anon.post("/api/v1/postings", json=fields(), headers={"Authorization": "Bearer forged.token.x"}),
        401,
        "UNAUTHENTICATED",
    )


def test_applicant_may_not_create(applicant):
    assert_error(applicant.post("/api/v1/postings", json=fields()), 403, "FORBIDDEN")


def test_reviewer_with_a_jurisdiction_maintains_only_posts_inside_it(admin, anon, reviewer, tag):
    xiaodian = create_staff(admin, anon, ["reviewer"], {"city_code": "140100", "county_code": "140105"})
    create(xiaodian, tag)
    assert_error(
        xiaodian.post("/api/v1/postings", json=fields(tag, county_code="140106")), 403, "FORBIDDEN", field="county_code"
    )
    elsewhere = create(reviewer, tag, city_code="140200", county_code="140213")
    assert_error(xiaodian.patch(f"/api/v1/postings/{elsewhere['posting_id']}", json={"headcount": 1}), 403, "FORBIDDEN")
    assert_error(xiaodian.post(f"/api/v1/postings/{elsewhere['posting_id']}/close"), 403, "FORBIDDEN")


# --- GET /api/v1/postings --------------------------------------------------------


def test_anyone_searches_by_region_and_chinese_keyword(reviewer, anon, tag):
    a = create(reviewer, tag)
    b = create(
        reviewer,
        tag,
        title=f"会计助理{tag}",
        employer_name="大同云冈会计服务有限公司",
        city_code="140200",
        county_code="140213",
        industry="租赁和商务服务业",
        education_requirement="大专",
        description="协助记账、报税与财务资料整理。",
    )
    page = found(anon, tag)
    assert page["total"] == 2 and page["page"] == 1 and page["page_size"] == 20
    assert [i["posting_id"] for i in page["items"]] == [b["posting_id"], a["posting_id"]]  # newest first
    assert set(page["items"][0]) == SUMMARY_KEYS
    assert [i["posting_id"] for i in found(anon, tag, city="140200")["items"]] == [b["posting_id"]]
    assert [i["posting_id"] for i in found(anon, tag, city="140100", county="140105")["items"]] == [a["posting_id"]]
    assert [i["posting_id"] for i in found(anon, tag, education="大专")["items"]] == [b["posting_id"]]
    assert [i["posting_id"] for i in found(anon, tag, industry="租赁和商务服务业")["items"]] == [b["posting_id"]]
    for word, expected in (("云冈", b), ("财务资料", b), ("晋阳网络", a)):
        hits = [
            i
            for i in anon.get("/api/v1/postings", params={"q": word, "page_size": 100}).json()["items"]
            if tag in i["title"]
        ]
        assert [i["posting_id"] for i in hits] == [expected["posting_id"]], word


def test_search_sorts_and_pages(reviewer, anon, tag):
    created = [
        create(reviewer, tag, monthly_subsidy=s, deadline=(clock.today() + timedelta(days=d)).isoformat())
        for s, d in ((1800, 40), (3000, 10), (2200, 25))
    ]
    by_subsidy = [i["monthly_subsidy"] for i in found(anon, tag, sort="subsidy")["items"]]
    assert by_subsidy == [3000, 2200, 1800]
    by_deadline = [i["deadline"] for i in found(anon, tag, sort="deadline")["items"]]
    assert by_deadline == sorted(by_deadline)
    second = found(anon, tag, page=2, page_size=2)
    assert second["total"] == 3 and [i["posting_id"] for i in second["items"]] == [created[0]["posting_id"]]


# The whole matrix is unit-tested on the schema (tests/unit/test_postings_schemas.py).
@pytest.mark.parametrize(
    "params, field",
    [
        ({"city": "140100", "county": "140213"}, "county"),  # 平城区 belongs to 大同市
        ({"page_size": "abc"}, "page_size"),
    ],
)
def test_search_rejects_bad_parameters(anon, params, field):
    assert_error(anon.get("/api/v1/postings", params=params), 400, "VALIDATION_ERROR", field=field)


def test_search_reports_every_bad_parameter_together(anon):
    details = assert_error(
        anon.get("/api/v1/postings", params={"city": "149900", "page_size": "0", "sort": "x"}), 400, "VALIDATION_ERROR"
    )["error"]["details"]
    assert set(details) == {"city", "page_size", "sort"}


# --- GET /api/v1/postings/{id} ---------------------------------------------------


def test_anyone_reads_a_detail(reviewer, anon, tag):
    created = create(reviewer, tag)
    resp = anon.get(f"/api/v1/postings/{created['posting_id']}")
    assert resp.status_code == 200 and resp.json() == created


@pytest.mark.parametrize("posting_id", [str(uuid.uuid4()), "not-a-uuid"])
def test_unknown_post_is_404(anon, posting_id):
    assert_error(anon.get(f"/api/v1/postings/{posting_id}"), 404, "NOT_FOUND")


# --- PATCH /api/v1/postings/{id} -------------------------------------------------


def test_reviewer_edits_any_fields(reviewer, anon, tag):
    created = create(reviewer, tag)
    resp = reviewer.patch(
        f"/api/v1/postings/{created['posting_id']}",
        json={"title": f"前端开发见习岗{tag}", "headcount": 5, "county_code": "140106"},
    )
    assert resp.status_code == 200, resp.text
    edited = resp.json()
    assert (edited["headcount"], edited["county_code"], edited["county_name"]) == (5, "140106", "迎泽区")
    assert edited["employer_name"] == created["employer_name"]
    assert anon.get(f"/api/v1/postings/{created['posting_id']}").json() == edited
    assert [i["posting_id"] for i in found(anon, tag, q=f"前端开发见习岗{tag}")["items"]] == [created["posting_id"]]


def test_edit_errors(reviewer, anon, applicant, tag):
    created = create(reviewer, tag)
    path = f"/api/v1/postings/{created['posting_id']}"
    details = assert_error(
        reviewer.patch(path, json={"headcount": 0, "duration_months": 13, "status": "open"}), 400, "VALIDATION_ERROR"
    )["error"]["details"]
    assert set(details) == {"headcount", "duration_months", "status"}
    assert_error(reviewer.patch(path, json={"city_code": "140200"}), 400, "VALIDATION_ERROR", field="county_code")
    assert_error(anon.patch(path, json={"headcount": 2}), 401, "UNAUTHENTICATED")
    assert_error(applicant.patch(path, json={"headcount": 2}), 403, "FORBIDDEN")
    assert_error(reviewer.patch(f"/api/v1/postings/{uuid.uuid4()}", json={"headcount": 2}), 404, "NOT_FOUND")
    assert anon.get(path).json() == created  # nothing changed by the failures


# --- POST /api/v1/postings/{id}/close --------------------------------------------


def test_close_makes_a_post_closed_and_leaves_the_default_search(reviewer, anon, tag):
    created = create(reviewer, tag)
    resp = reviewer.post(f"/api/v1/postings/{created['posting_id']}/close")
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "closed" and resp.json()["status_label"] == "已结束"
    assert reviewer.post(f"/api/v1/postings/{created['posting_id']}/close").json()["status"] == "closed"
    assert found(anon, tag)["total"] == 0
    assert [i["posting_id"] for i in found(anon, tag, status="closed")["items"]] == [created["posting_id"]]


def test_close_errors(reviewer, anon, applicant, tag):
    created = create(reviewer, tag)
    path = f"/api/v1/postings/{created['posting_id']}/close"
    assert_error(anon.post(path), 401, "UNAUTHENTICATED")
    assert_error(applicant.post(path), 403, "FORBIDDEN")
    assert_error(reviewer.post(f"/api/v1/postings/{uuid.uuid4()}/close"), 404, "NOT_FOUND")
    assert anon.get(f"/api/v1/postings/{created['posting_id']}").json()["status"] == "open"


def test_a_post_past_its_deadline_reads_closed(reviewer, anon, tag):
    created = create(reviewer, tag, deadline=clock.today().isoformat())
    assert anon.get(f"/api/v1/postings/{created['posting_id']}").json()["status"] == "open"  # open on the day
    # No API sets a past deadline; move it back as the calendar would.
    with db.connect("postings") as conn:
        conn.execute("UPDATE postings SET deadline = deadline - 1 WHERE posting_id = %s", (created["posting_id"],))
    # A real deadline passes at a Shanghai midnight, when the gateway's cached answers expire;
    # this one passes mid-day, so wait for the cache's TTL.
    wait_for(lambda: anon.get(f"/api/v1/postings/{created['posting_id']}").json()["status"] == "closed", timeout=30)
    wait_for(lambda: found(anon, tag)["total"] == 0, timeout=30)
    assert found(anon, tag, status="closed")["total"] == 1


def test_openapi_documents_the_postings_schemas(anon):
    doc = anon.get("/api/openapi.json").json()
    create_op = doc["paths"]["/api/v1/postings"]["post"]
    ref = create_op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"title", "employer_credit_code", "deadline"} <= set(doc["components"]["schemas"][ref]["properties"])
    search_params = {p["name"] for p in doc["paths"]["/api/v1/postings"]["get"]["parameters"]}
    assert {"city", "county", "q", "education", "industry", "status", "sort", "page", "page_size"} <= search_params
    assert "200" in doc["paths"]["/api/v1/postings/{posting_id}"]["get"]["responses"]
