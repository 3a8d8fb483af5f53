"""Favorites rules: who may bookmark, which posts, how many; the approval projection."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from common import errors
from services.favorites import domain

APPLICANT = {"user_id": str(uuid.uuid4()), "username": "zhang_san", "roles": ["applicant"], "jurisdiction": None}


def intern(city="140100", county="140105"):
    return {
        "applicant_id": uuid.UUID(APPLICANT["user_id"]),
        "application_id": uuid.uuid4(),
        "jurisdiction_city": city,
        "jurisdiction_county": county,
    }


def posting(city="140100", county="140105", status="open"):
    return {"posting_id": str(uuid.uuid4()), "city_code": city, "county_code": county, "status": status}


def conflict_code(call):
    with pytest.raises(errors.Conflict) as caught:
        call()
    assert caught.value.status == 409 and caught.value.details
    return caught.value.code


def test_only_applicants_may_use_favorites():
    domain.require_applicant(APPLICANT)
    for actor in ({**APPLICANT, "roles": ["reviewer"]}, {**APPLICANT, "roles": ["admin"]}, None):
        with pytest.raises(errors.Forbidden) as caught:
            domain.require_applicant(actor)
        assert caught.value.code == "FORBIDDEN"


def test_a_person_without_an_approval_is_not_an_intern():
    with pytest.raises(errors.NotAnIntern) as caught:
        domain.require_intern(None)
    assert (caught.value.status, caught.value.code, caught.value.message) == (
        403,
        "NOT_AN_INTERN",
        "该人员不是就业见习人员",
    )
    row = intern()
    assert domain.require_intern(row) is row


def test_intern_status_shows_the_jurisdiction_with_names():
    assert domain.intern_status(None) == {"eligible": False, "jurisdiction": None}
    assert domain.intern_status(intern()) == {
        "eligible": True,
        "jurisdiction": {
            "city_code": "140100",
            "city_name": "太原市",
            "county_code": "140105",
            "county_name": "小店区",
        },
    }
    assert domain.intern_status(intern(county=None))["jurisdiction"] == {
        "city_code": "140100",
        "city_name": "太原市",
        "county_code": None,
        "county_name": None,
    }


def test_posting_key_is_canonical_or_none():
    key = uuid.uuid4()
    assert domain.posting_key(str(key).upper()) == str(key)
    assert domain.posting_key("not-a-uuid") is None
    assert domain.posting_key("") is None


def test_admit_a_new_open_post_inside_the_county():
    assert domain.admit(intern(), posting(), held=[]) is True


def test_admit_refuses_a_non_intern_first():
    with pytest.raises(errors.NotAnIntern):
        domain.admit(None, posting(), held=[])


def test_a_city_level_intern_may_bookmark_any_county_of_the_city():
    assert domain.admit(intern(county=None), posting(county="140106"), held=[]) is True


def test_outside_the_jurisdiction():
    assert conflict_code(lambda: domain.admit(intern(), posting(county="140106"), [])) == "OUTSIDE_JURISDICTION"
    assert (
        conflict_code(lambda: domain.admit(intern(county=None), posting("140200", "140212"), []))
        == "OUTSIDE_JURISDICTION"
    )


def test_closed_post():
    assert conflict_code(lambda: domain.admit(intern(), posting(status="closed"), [])) == "POSTING_CLOSED"


def test_at_most_three():
    held = [posting()["posting_id"] for _ in range(2)]
    assert domain.admit(intern(), posting(), held) is True
    held.append(posting()["posting_id"])
    assert conflict_code(lambda: domain.admit(intern(), posting(), held)) == "FAVORITES_LIMIT_REACHED"


def test_a_bookmark_already_there_is_reported_as_is():
    """Idempotent PUT: even at the limit, or once the post has closed, a repeat changes nothing."""
    post = posting(status="closed")
    held = [post["posting_id"], posting()["posting_id"], posting()["posting_id"]]
    assert domain.admit(intern(), post, held) is False


def test_the_post_rules_come_before_the_limit():
    held = [posting()["posting_id"] for _ in range(3)]
    assert conflict_code(lambda: domain.admit(intern(), posting(status="closed"), held)) == "POSTING_CLOSED"
    assert conflict_code(lambda: domain.admit(intern(), posting(county="140106"), held)) == "OUTSIDE_JURISDICTION"


def test_with_flags_marks_each_item():
    a, b = posting(), posting()
    page = {"items": [a, b], "total": 2, "page": 1, "page_size": 20}
    flagged = domain.with_flags(page, {b["posting_id"]})
    assert [i["favorited"] for i in flagged["items"]] == [False, True]
    assert (flagged["total"], flagged["page"], flagged["page_size"]) == (2, 1, 20)


def approval(**overrides):
    event = {
        "event_id": str(uuid.uuid4()),
        "application_id": str(uuid.uuid4()),
        "applicant_id": APPLICANT["user_id"],
        "stream_version": 2,
        "occurred_at": "2026-11-29T10:00:00+08:00",
        "jurisdiction": {"city_code": "140100", "county_code": None},
        "reviewer_id": str(uuid.uuid4()),
        "comment": None,
    }
    event.update(overrides)
    return event


def test_an_approval_makes_an_intern_row():
    event = approval()
    row = domain.intern_from_approval(event)
    assert row == {
        "applicant_id": APPLICANT["user_id"],
        "application_id": event["application_id"],
        "jurisdiction_city": "140100",
        "jurisdiction_county": None,
        "approved_at": datetime(2026, 11, 29, 2, 0, tzinfo=UTC),
    }
    assert row["approved_at"].utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    "bad",
    [
        {"jurisdiction": {"city_code": "999999", "county_code": None}},
        {"jurisdiction": {"city_code": "140200", "county_code": "140105"}},
        {"applicant_id": "someone"},
        {"occurred_at": "yesterday"},
    ],
)
def test_a_malformed_approval_raises_rather_than_half_applying(bad):
    with pytest.raises((ValueError, KeyError)):
        domain.intern_from_approval(approval(**bad))


def test_a_missing_jurisdiction_raises():
    event = approval()
    del event["jurisdiction"]
    with pytest.raises(KeyError):
        domain.intern_from_approval(event)
