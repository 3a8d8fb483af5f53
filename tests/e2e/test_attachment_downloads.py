"""GET /api/v1/attachments/{id}/content (API.md, "Attachments: downloads"): the bytes stream
through the gateway, authorised like the case, never cached, 404 to everyone else."""

import uuid

import pytest

from tests.e2e.conftest import assert_error, create_staff, register
from tests.e2e.test_applications import XIAODIAN, submit, uploaded
from tests.files import pdf, png


@pytest.fixture(scope="module")
def case(anon):
    owner = register(anon)
    scan = png(seed=7)
    id_card = uploaded(owner, "id_card", scan, "身份证 正面.png")
    created = submit(owner, attachment_ids=[id_card, uploaded(owner, "diploma", pdf(), "diploma.pdf")])
    return owner, id_card, scan, created


def content_path(attachment_id):
    return f"/api/v1/attachments/{attachment_id}/content"


def test_owner_and_reviewers_of_the_jurisdiction_download(case, reviewer, admin, anon):
    owner, id_card, scan, _ = case
    xiaodian = create_staff(admin, anon, ["reviewer"], XIAODIAN)
    for client in (owner, reviewer, xiaodian):
        resp = client.get(content_path(id_card))
        assert resp.status_code == 200, resp.text
        assert resp.content == scan
        assert resp.headers["Content-Type"] == "image/png"
        assert resp.headers["Cache-Control"] == "no-store"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Content-Disposition"] == (
            "attachment; filename=\"______.png\"; filename*=UTF-8''%E8%BA%AB%E4%BB%BD%E8%AF%81%20%E6%AD%A3%E9%9D%A2.png"
        )
    # Every download is audited, the owner's too.
    audit = admin.get(
        "/api/v1/admin/audit", params={"action": "attachment_downloaded", "application_id": case[3]["application_id"]}
    )
    assert audit.status_code == 200, audit.text
    downloads = [e for e in audit.json()["items"] if e["attachment_id"] == id_card]
    assert {e["actor_id"] for e in downloads} >= {owner.user_id}
    assert len(downloads) >= 3


def test_everyone_else_gets_404(case, admin, anon):
    _, id_card, _, _ = case
    datong = create_staff(admin, anon, ["reviewer"], {"city_code": "140200", "county_code": None})
    assert_error(anon.get(content_path(id_card)), 401, "UNAUTHENTICATED")
    for client in (register(anon), datong, admin):
        assert_error(client.get(content_path(id_card)), 404, "NOT_FOUND")
    owner = case[0]
    assert_error(owner.get(content_path(uuid.uuid4())), 404, "NOT_FOUND")
    assert_error(owner.get(content_path("not-an-id")), 404, "NOT_FOUND")


def test_an_upload_not_yet_on_a_case_is_its_uploaders_alone(anon, reviewer):
    uploader = register(anon)
    loose = uploaded(uploader, "other", pdf("loose"), "other.pdf")
    resp = uploader.get(content_path(loose))
    assert resp.status_code == 200 and resp.content == pdf("loose")
    assert resp.headers["Content-Type"] == "application/pdf"
    for client in (register(anon), reviewer):
        assert_error(client.get(content_path(loose)), 404, "NOT_FOUND")


def test_the_detail_links_the_gateway_not_the_store(case):
    owner, _, _, created = case
    detail = owner.get(f"/api/v1/applications/{created['application_id']}").json()
    for attachment in detail["attachments"]:
        assert attachment["download_url"] == content_path(attachment["attachment_id"])
        assert owner.get(attachment["download_url"]).status_code == 200
