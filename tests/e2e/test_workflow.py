"""Case workflow additions of the contract (退回补正 and resubmission, the review queue's `q`,
verification), through the running gateway."""

import random
import threading
import uuid
from datetime import date, timedelta

import pytest

from tests import factories
from tests.e2e import conftest
from tests.e2e.conftest import assert_error
from tests.e2e.test_applications import form, register, submit, uploaded


@pytest.fixture
def applicant(anon):
    return register(anon)


def returned_case(applicant, reviewer, reason="毕业证书照片不清晰", items=("重新上传毕业证书", "补充学历认证报告")):
    case = submit(applicant)
    resp = reviewer.post(
        f"/api/v1/review/applications/{case['application_id']}/return", json={"reason": reason, "items": list(items)}
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_return_shows_reason_and_items_to_the_owner(applicant, reviewer):
    returned = returned_case(applicant, reviewer)
    assert (returned["status"], returned["status_label"]) == ("returned", "退回补正")
    detail = applicant.get(f"/api/v1/applications/{returned['application_id']}").json()
    assert detail["return_reason"] == "毕业证书照片不清晰"
    assert detail["return_items"] == ["重新上传毕业证书", "补充学历认证报告"]
    step = detail["history"][-1]
    assert step["type"] == "application_returned" and step["reason"] == "毕业证书照片不清晰"
    mine = applicant.get("/api/v1/applications?status=returned").json()
    assert [c["case_number"] for c in mine["items"]] == [returned["case_number"]]


def test_return_without_items(applicant, reviewer):
    case = submit(applicant)
    resp = reviewer.post(f"/api/v1/review/applications/{case['application_id']}/return", json={"reason": "请补充"})
    assert resp.status_code == 200 and resp.json()["return_items"] == []


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "reason"),
        ({"reason": "退"}, "reason"),
        ({"reason": "退" * 501}, "reason"),
        ({"reason": "材料不全", "items": ["项"] * 21}, "items"),
        ({"reason": "材料不全", "items": [""]}, "items"),
        ({"reason": "材料不全", "items": ["项" * 101]}, "items"),
        ({"reason": "材料不全", "items": "补充"}, "items"),
    ],
)
def test_return_input_errors(applicant, reviewer, body, field):
    case = submit(applicant)
    assert_error(
        reviewer.post(f"/api/v1/review/applications/{case['application_id']}/return", json=body),
        400,
        "VALIDATION_ERROR",
        field,
    )


def test_return_errors(applicant, reviewer, anon):
    case = submit(applicant)
    path = f"/api/v1/review/applications/{case['application_id']}/return"
    body = {"reason": "材料不全"}
    assert_error(anon.post(path, json=body), 401, "UNAUTHENTICATED")
    assert_error(applicant.post(path, json=body), 403, "FORBIDDEN")
    assert_error(reviewer.post(f"/api/v1/review/applications/{uuid.uuid4()}/return", json=body), 404, "NOT_FOUND")
    assert reviewer.post(path, json=body).status_code == 200
    assert_error(reviewer.post(path, json=body), 409, "NOT_PENDING")
    assert_error(
        reviewer.post(f"/api/v1/review/applications/{case['application_id']}/approve", json={}), 409, "NOT_PENDING"
    )


def test_resubmit_brings_the_same_case_back_with_replaced_uploads(applicant, reviewer):
    returned = returned_case(applicant, reviewer)
    app_id = returned["application_id"]
    id_card = next(a["attachment_id"] for a in returned["attachments"] if a["kind"] == "id_card")
    new_diploma = uploaded(applicant, "diploma")
    resp = applicant.post(
        f"/api/v1/applications/{app_id}/resubmit", json=form(applicant, [id_card, new_diploma], school="太原理工大学")
    )
    assert resp.status_code == 200, resp.text
    detail = resp.json()
    assert (detail["status"], detail["status_label"]) == ("pending", "未审核")
    assert detail["case_number"] == returned["case_number"] and detail["school"] == "太原理工大学"
    assert {a["attachment_id"] for a in detail["attachments"]} == {id_card, new_diploma}
    assert detail["return_reason"] is None
    assert [s["type"] for s in detail["history"]] == [
        "application_submitted",
        "application_returned",
        "application_resubmitted",
    ]
    queue = reviewer.get(f"/api/v1/review/applications?q={returned['case_number']}").json()
    assert [c["status"] for c in queue["items"]] == ["pending"]
    approved = reviewer.post(f"/api/v1/review/applications/{app_id}/approve", json={})
    assert approved.status_code == 200 and len(approved.json()["history"]) == 4


def test_resubmit_errors(applicant, reviewer, anon):
    case = submit(applicant)
    path = f"/api/v1/applications/{case['application_id']}/resubmit"
    assert_error(anon.post(path, json=form(applicant)), 401, "UNAUTHENTICATED")
    assert_error(applicant.post(path, json=form(applicant)), 409, "NOT_RETURNED")
    assert_error(
        applicant.post(f"/api/v1/applications/{uuid.uuid4()}/resubmit", json=form(applicant)), 404, "NOT_FOUND"
    )
    reviewer.post(f"/api/v1/review/applications/{case['application_id']}/return", json={"reason": "请补充"})
    assert_error(
        applicant.post(path, json=form(applicant, declaration_accepted=False)),
        400,
        "VALIDATION_ERROR",
        "declaration_accepted",
    )
    other = register(anon)
    assert_error(other.post(path, json=form(other)), 404, "NOT_FOUND")
    assert applicant.get(f"/api/v1/applications/{case['application_id']}").json()["status"] == "returned"


def test_resubmit_honours_the_idempotency_key(applicant, reviewer):
    returned = returned_case(applicant, reviewer)
    path = f"/api/v1/applications/{returned['application_id']}/resubmit"
    body = form(applicant)
    first = applicant.post(path, json=body, headers={"Idempotency-Key": "resubmit-1"})
    again = applicant.post(path, json=body, headers={"Idempotency-Key": "resubmit-1"})
    assert first.status_code == again.status_code == 200, again.text
    assert len(again.json()["history"]) == 3


def test_a_returned_case_is_active_and_withdrawable(applicant, reviewer):
    returned = returned_case(applicant, reviewer)
    assert_error(applicant.post("/api/v1/applications", json=form(applicant)), 409, "ACTIVE_APPLICATION_EXISTS")
    resp = applicant.post(f"/api/v1/applications/{returned['application_id']}/withdraw")
    assert resp.status_code == 200 and resp.json()["status"] == "withdrawn"
    assert_error(applicant.post(f"/api/v1/applications/{returned['application_id']}/withdraw"), 409, "NOT_WITHDRAWABLE")
    submit(applicant)


def race(calls):
    results = {}
    threads = [threading.Thread(target=lambda n=n: results.__setitem__(n, calls[n]())) for n in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_resubmit_racing_withdraw_ends_withdrawn_in_either_order(applicant, reviewer):
    """Both decide on the returned case; the loser re-reads. A withdrawal first leaves the
    resubmission a 409; a resubmission first leaves a pending case, which may be withdrawn."""
    for _ in range(3):
        returned = returned_case(applicant, reviewer)
        app_id = returned["application_id"]
        body = form(applicant)
        results = race(
            {
                "resubmit": lambda app_id=app_id, body=body: applicant.post(
                    f"/api/v1/applications/{app_id}/resubmit", json=body
                ),
                "withdraw": lambda app_id=app_id: applicant.post(f"/api/v1/applications/{app_id}/withdraw"),
            }
        )
        texts = {n: r.text for n, r in results.items()}
        assert results["withdraw"].status_code == 200, texts
        final = applicant.get(f"/api/v1/applications/{app_id}").json()
        assert final["status"] == "withdrawn"
        steps = [s["type"] for s in final["history"]]
        if results["resubmit"].status_code == 409:
            assert_error(results["resubmit"], 409, "NOT_RETURNED")
            assert steps[-1] == "application_withdrawn" and len(steps) == 3
        else:
            assert results["resubmit"].status_code == 200, texts
            assert steps[-2:] == ["application_resubmitted", "application_withdrawn"]


def test_simultaneous_resubmissions_have_one_winner(applicant, reviewer):
    returned = returned_case(applicant, reviewer)
    app_id = returned["application_id"]
    bodies = [form(applicant), form(applicant)]
    results = race(
        {n: lambda n=n: applicant.post(f"/api/v1/applications/{app_id}/resubmit", json=bodies[n]) for n in (0, 1)}
    )
    assert sorted(r.status_code for r in results.values()) == [200, 409], {n: r.text for n, r in results.items()}
    assert_error(next(r for r in results.values() if r.status_code == 409), 409, "NOT_RETURNED")
    final = applicant.get(f"/api/v1/applications/{app_id}").json()
    assert final["status"] == "pending" and len(final["history"]) == 3


def unique_name():
    """A name no other test person has: 欧阳 and two characters drawn at random."""
    return "欧阳" + "".join(random.choice("明华建国志强秀英丽娟伟芳敏静磊洋勇艳杰娜涛超") for _ in range(2))


def test_review_queue_q_finds_case_numbers_and_names(anon, reviewer):
    birth = date(1990, 1, 1) + timedelta(days=random.randrange(365 * 10))
    name = unique_name()
    applicant = conftest.register(anon, real_name=name, id_number=factories.id_number(birth=birth, male=True))
    case = submit(applicant)
    for q in (case["case_number"], name, name[:3]):
        page = reviewer.get("/api/v1/review/applications", params={"q": q, "page_size": 100}).json()
        assert case["case_number"] in [c["case_number"] for c in page["items"]], q
        assert all(c["applicant_name"].startswith(q) or c["case_number"] == q for c in page["items"])
    assert reviewer.get("/api/v1/review/applications", params={"q": name[1:]}).json()["total"] == 0
    assert reviewer.get("/api/v1/review/applications", params={"q": case["case_number"][:-1]}).json()["total"] == 0
    assert reviewer.get("/api/v1/review/applications", params={"q": "%"}).json()["total"] == 0
    assert_error(reviewer.get("/api/v1/review/applications", params={"q": "名" * 31}), 400, "VALIDATION_ERROR", "q")


def test_verification_shows_masked_name_status_and_dates_only(applicant, reviewer, anon):
    case = submit(applicant)
    detail = applicant.get(f"/api/v1/applications/{case['application_id']}").json()
    code = detail["verification_code"]
    assert len(code) >= 8 and code not in case["case_number"]
    assert reviewer.get(f"/api/v1/applications/{case['application_id']}").json()["verification_code"] == code
    resp = anon.get(f"/api/v1/verify/{case['case_number']}", params={"code": code})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    name = applicant.person["real_name"]
    assert body == {
        "case_number": case["case_number"],
        "status": "pending",
        "status_label": "未审核",
        "real_name_masked": name[0] + "*" * (len(name) - 1),
        "submitted_at": case["submitted_at"],
        "decided_at": None,
    }
    wrong = anon.get(f"/api/v1/verify/{case['case_number']}", params={"code": "ABCDEFGH"})
    unknown = anon.get("/api/v1/verify/JX20000101999999", params={"code": code})
    missing = anon.get(f"/api/v1/verify/{case['case_number']}")
    for resp in (wrong, unknown, missing):
        assert_error(resp, 404, "NOT_FOUND")
    assert wrong.json() == unknown.json() == missing.json()
