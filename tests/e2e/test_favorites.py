"""见习岗位录入及维护 through the gateway: a person registers, applies, is approved by a
reviewer, becomes an intern once favorites has consumed the approval event, and
bookmarks posts in the application's jurisdiction, at most three, with every error
the contract names."""

import time
import uuid

import pytest

from common import db
from tests import factories
from tests.e2e.conftest import assert_error
from tests.files import png
from tests.polling import wait_for

NOT_AN_INTERN = "该人员不是就业见习人员"
XIAODIAN = {"city_code": "140100", "county_code": "140105"}


def upload(client, kind):
    resp = client.post("/api/v1/attachments", files={"file": (f"{kind}.png", png(), "image/png")}, data={"kind": kind})
    assert resp.status_code == 201, resp.text
    return resp.json()["attachment_id"]


def favorites_version_of(application_id):
    """The last version of an application's stream that the favorites service has applied."""
    with db.connect("favorites", autocommit=True) as conn:
        row = conn.execute(
            "SELECT version FROM consumer_streams WHERE consumer = 'favorites' AND stream_id = %s", (application_id,)
        ).fetchone()
    return row["version"] if row else 0


def apply(client, jurisdiction):
    """A graduate's application, as the contract describes it; returns its id."""
    body = factories.application(
        client.person["phone"], jurisdiction, [upload(client, "id_card"), upload(client, "diploma")]
    )
    resp = client.post("/api/v1/applications", json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()["application_id"]


def wait_until_intern(client, timeout=10):
    """Approval reaches favorites asynchronously (outbox relay, then the event); returns
    the intern's jurisdiction as /api/v1/me shows it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        me = client.get("/api/v1/me").json()
        if me["intern"]["eligible"]:
            return me["intern"]["jurisdiction"]
        time.sleep(0.05)
    raise AssertionError(f"/api/v1/me did not show the person as an intern within {timeout}s")


def post(reviewer, token, city="140100", county="140105"):
    resp = reviewer.post(
        "/api/v1/postings",
        json=factories.cashier_posting(title=f"出纳见习{token}", city_code=city, county_code=county),
    )
    assert resp.status_code == 201, resp.text
    return resp.json()["posting_id"]


@pytest.fixture
def token():
    return "fav" + uuid.uuid4().hex[:10].translate(str.maketrans("0123456789", "ghijklmnop"))


def test_before_approval_the_person_is_not_an_intern(applicant, reviewer):
    assert applicant.get("/api/v1/me").json()["intern"] == {"eligible": False, "jurisdiction": None}
    some_post = post(reviewer, "x")
    for resp in (
        applicant.get("/api/v1/favorites"),
        applicant.get("/api/v1/favorites/postings"),
        applicant.put(f"/api/v1/favorites/{some_post}"),
        applicant.delete(f"/api/v1/favorites/{some_post}"),
    ):
        assert assert_error(resp, 403, "NOT_AN_INTERN")["error"]["message"] == NOT_AN_INTERN


def test_a_pending_application_does_not_make_an_intern(applicant):
    application_id = apply(applicant, XIAODIAN)
    # Favorites follows every application stream in order: once it has taken the submission
    # (stream version 1), it has decided about it.
    wait_for(lambda: favorites_version_of(application_id) == 1, timeout=30)
    assert applicant.get("/api/v1/me").json()["intern"]["eligible"] is False
    assert_error(applicant.get("/api/v1/favorites"), 403, "NOT_AN_INTERN")


def test_staff_and_strangers_are_refused(anon, reviewer):
    some_post = str(uuid.uuid4())
    for method, path in (
        ("GET", "/api/v1/favorites"),
        ("GET", "/api/v1/favorites/postings"),
        ("PUT", f"/api/v1/favorites/{some_post}"),
        ("DELETE", f"/api/v1/favorites/{some_post}"),
    ):
        assert_error(anon.request(method, path), 401, "UNAUTHENTICATED")
        assert_error(reviewer.request(method, path), 403, "FORBIDDEN")


def test_the_intern_bookmarks_at_most_three_posts_in_the_jurisdiction(applicant, reviewer, token):
    inside = [post(reviewer, token) for _ in range(4)]
    other_county = post(reviewer, token, county="140106")
    closed = post(reviewer, token)
    assert reviewer.post(f"/api/v1/postings/{closed}/close").status_code == 200

    application_id = apply(applicant, XIAODIAN)
    approved = reviewer.post(f"/api/v1/review/applications/{application_id}/approve", json={"comment": "符合条件"})
    assert approved.status_code == 200, approved.text
    assert wait_until_intern(applicant) == {
        "city_code": "140100",
        "city_name": "太原市",
        "county_code": "140105",
        "county_name": "小店区",
    }

    page = applicant.get("/api/v1/favorites/postings", params={"q": token}).json()
    assert {i["posting_id"] for i in page["items"]} == set(inside)
    assert page["total"] == 4 and all(i["favorited"] is False and i["status"] == "open" for i in page["items"])
    assert applicant.get("/api/v1/favorites").json() == {"items": [], "limit": 3}

    first = applicant.put(f"/api/v1/favorites/{inside[0]}")
    assert first.status_code == 201, first.text
    assert first.json()["posting_id"] == inside[0] and first.json()["favorited"] is True
    assert applicant.put(f"/api/v1/favorites/{inside[0]}").status_code == 200
    for posting_id in inside[1:3]:
        assert applicant.put(f"/api/v1/favorites/{posting_id}").status_code == 201

    assert_error(applicant.put(f"/api/v1/favorites/{inside[3]}"), 409, "FAVORITES_LIMIT_REACHED")
    assert_error(applicant.put(f"/api/v1/favorites/{other_county}"), 409, "OUTSIDE_JURISDICTION")
    assert_error(applicant.put(f"/api/v1/favorites/{closed}"), 409, "POSTING_CLOSED")
    assert_error(applicant.put(f"/api/v1/favorites/{uuid.uuid4()}"), 404, "NOT_FOUND")
    assert_error(applicant.put("/api/v1/favorites/not-a-post"), 404, "NOT_FOUND")

    mine = applicant.get("/api/v1/favorites").json()
    assert [i["posting_id"] for i in mine["items"]] == inside[:3] and mine["limit"] == 3
    flags = {
        i["posting_id"]: i["favorited"]
        for i in applicant.get("/api/v1/favorites/postings", params={"q": token}).json()["items"]
    }
    assert flags == {inside[0]: True, inside[1]: True, inside[2]: True, inside[3]: False}

    assert applicant.delete(f"/api/v1/favorites/{inside[0]}").status_code == 204
    assert applicant.delete(f"/api/v1/favorites/{inside[0]}").status_code == 204
    assert applicant.put(f"/api/v1/favorites/{inside[3]}").status_code == 201
    assert [i["posting_id"] for i in applicant.get("/api/v1/favorites").json()["items"]] == inside[1:]


def test_a_city_level_intern_sees_every_county_of_the_city(applicant, reviewer, token):
    xiaodian, yingze = post(reviewer, token), post(reviewer, token, county="140106")
    datong = post(reviewer, token, city="140200", county="140212")
    application_id = apply(applicant, {"city_code": "140100", "county_code": None})
    assert reviewer.post(f"/api/v1/review/applications/{application_id}/approve", json={}).status_code == 200
    assert wait_until_intern(applicant)["county_code"] is None

    listed = applicant.get("/api/v1/favorites/postings", params={"q": token}).json()
    assert {i["posting_id"] for i in listed["items"]} == {xiaodian, yingze}
    narrowed = applicant.get("/api/v1/favorites/postings", params={"q": token, "county": "140106"}).json()
    assert [i["posting_id"] for i in narrowed["items"]] == [yingze]
    assert applicant.put(f"/api/v1/favorites/{yingze}").status_code == 201
    assert_error(applicant.put(f"/api/v1/favorites/{datong}"), 409, "OUTSIDE_JURISDICTION")


# The whole matrix is unit-tested on the schema (tests/unit/test_favorites_schemas.py).
@pytest.mark.parametrize("query, field", [({"county": "999999"}, "county"), ({"q": "长" * 51}, "q")])
def test_bad_queries_are_400(anon, query, field):
    person = factories.person()
    assert anon.post("/api/v1/auth/register", json=person).status_code == 201
    client = anon.login(person["username"], person["password"])
    assert_error(client.get("/api/v1/favorites/postings", params=query), 400, "VALIDATION_ERROR", field)


def test_the_contract_is_documented(anon):
    paths = anon.get("/api/openapi.json").json()["paths"]
    assert set(paths["/api/v1/favorites/{posting_id}"]) == {"put", "delete"}
    assert "get" in paths["/api/v1/favorites"] and "get" in paths["/api/v1/favorites/postings"]
