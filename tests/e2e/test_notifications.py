"""Notifications (消息提醒) through the running gateway: a decision reaches its owner's inbox once."""

import uuid

import pytest

from tests.e2e.conftest import assert_error
from tests.e2e.test_applications import form, register, submit
from tests.polling import wait_for


@pytest.fixture
def applicant(anon):
    return register(anon)


def inbox(client, **params):
    resp = client.get("/api/v1/notifications", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_each_decision_notifies_the_owner_once_newest_first(applicant, reviewer):
    case = submit(applicant)
    app_id = case["application_id"]
    reviewer.post(
        f"/api/v1/review/applications/{app_id}/return",
        json={"reason": "毕业证书照片不清晰", "items": ["重新上传毕业证书"]},
    )
    returned = wait_for(lambda: inbox(applicant)["items"])
    assert returned[0]["type"] == "application_returned"
    assert applicant.post(f"/api/v1/applications/{app_id}/resubmit", json=form(applicant)).status_code == 200
    reviewer.post(f"/api/v1/review/applications/{app_id}/reject", json={"reason": "不符合见习条件"})
    page = wait_for(lambda: (body := inbox(applicant))["total"] == 2 and body)
    newest, oldest = page["items"]
    assert page["unread"] == 2 and page["page"] == 1 and page["page_size"] == 20
    assert newest["type"] == "application_rejected" and "不符合见习条件" in newest["body"]
    assert oldest["type"] == "application_returned"
    assert "毕业证书照片不清晰" in oldest["body"] and "重新上传毕业证书" in oldest["body"]
    for item in page["items"]:
        assert item["case_number"] == case["case_number"] and case["case_number"] in item["body"]
        assert item["application_id"] == app_id and item["read"] is False
        assert set(item) == {
            "notification_id",
            "type",
            "title",
            "body",
            "application_id",
            "case_number",
            "created_at",
            "read",
        }


def test_mark_read_and_read_all(applicant, reviewer, anon):
    for _ in range(2):
        case = submit(applicant)
        reviewer.post(f"/api/v1/review/applications/{case['application_id']}/reject", json={"reason": "材料不全"})
    page = wait_for(lambda: (body := inbox(applicant))["total"] == 2 and body)
    first = page["items"][0]["notification_id"]
    resp = applicant.post(f"/api/v1/notifications/{first}/read")
    assert resp.status_code == 204 and resp.content == b""
    assert applicant.post(f"/api/v1/notifications/{first}/read").status_code == 204
    page = inbox(applicant)
    assert page["unread"] == 1 and page["items"][0]["read"] is True
    assert inbox(applicant, page=2, page_size=1)["items"][0]["read"] is False
    other = register(anon)
    assert_error(other.post(f"/api/v1/notifications/{page['items'][1]['notification_id']}/read"), 404, "NOT_FOUND")
    assert other.get("/api/v1/notifications").json() == {
        "items": [],
        "total": 0,
        "page": 1,
        "page_size": 20,
        "unread": 0,
    }
    assert applicant.post("/api/v1/notifications/read-all").status_code == 204
    assert inbox(applicant)["unread"] == 0


def test_errors(applicant, anon, reviewer):
    for method, path in (
        ("get", "/api/v1/notifications"),
        ("post", f"/api/v1/notifications/{uuid.uuid4()}/read"),
        ("post", "/api/v1/notifications/read-all"),
    ):
        assert_error(getattr(anon, method)(path), 401, "UNAUTHENTICATED")
    assert_error(applicant.post(f"/api/v1/notifications/{uuid.uuid4()}/read"), 404, "NOT_FOUND")
    assert_error(applicant.post("/api/v1/notifications/not-a-uuid/read"), 404, "NOT_FOUND")
    assert_error(
        applicant.get("/api/v1/notifications", params={"page_size": 101}), 400, "VALIDATION_ERROR", "page_size"
    )
    assert inbox(reviewer)["items"] == []  # staff are logged-in users too, with an inbox of their own
