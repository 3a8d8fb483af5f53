"""GET /api/v1/vocabulary: the codes the API uses with their labels, public and cacheable."""


def test_the_vocabulary_lists_every_code_with_its_label(anon):
    resp = anon.get("/api/v1/vocabulary")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["application_statuses"]["pending"] == "未审核"
    assert body["categories"]["unemployed_youth"] == "16-24岁失业青年"
    assert body["education_levels"] == ["初中及以下", "高中/中专", "大专", "本科", "硕士", "博士"]
    assert body["education_requirements"][-1] == "不限"
    assert body["attachment_kinds"]["unemployment_registration"] == "失业登记证明"
    assert body["required_attachment_kinds"]["graduate"] == ["id_card", "diploma"]
    assert body["posting_statuses"] == {"open": "招募中", "closed": "已结束"}
    assert body["roles"]["reviewer"] == "审核人员"
    assert body["event_types"]["application_approved"] == "审核通过"
    assert body["genders"] == ["男", "女"] and body["bookmark_limit"] == 3


def test_the_vocabulary_is_cacheable_and_revalidates_with_its_etag(anon):
    first = anon.get("/api/v1/vocabulary")
    assert "public" in first.headers["Cache-Control"] and "max-age=" in first.headers["Cache-Control"]
    etag = first.headers["ETag"]
    again = anon.get("/api/v1/vocabulary", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert anon.get("/api/v1/vocabulary", headers={"If-None-Match": '"stale"'}).status_code == 200


def test_the_vocabulary_is_documented_as_public(anon):
    operation = anon.get("/api/openapi.json").json()["paths"]["/api/v1/vocabulary"]["get"]
    assert "security" not in operation
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/VocabularySchema")
