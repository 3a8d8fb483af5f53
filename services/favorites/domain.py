"""Favorites rules (见习岗位录入及维护): who is an intern, which posts they may bookmark. Pure: no I/O.

A person is an intern once the `application_approved` event of their application has
been consumed; the jurisdiction (业务办理属地) is the one on that application, where a
null county (市本级) covers the whole city.

Only approval events change the projection. Withdrawal and rejection apply to pending
cases only, so they never follow an approval in a stream and cannot undo one, and
a person with an approved case cannot submit another (ACTIVE_APPLICATION_EXISTS).
The consumer still follows those event types, to keep each stream's versions in sequence.
"""

import uuid
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from common import errors, regions
from common.ids import parse_uuid
from contracts.vocabulary import BOOKMARK_LIMIT as LIMIT


def require_applicant(actor: Mapping[str, Any] | None) -> None:
    """Bookmarks are a person's own: staff accounts hold no application and no bookmarks."""
    if not actor or "applicant" not in actor.get("roles", ()):
        raise errors.Forbidden("仅申请人可以收藏见习岗位")


def require_intern(intern_row: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if intern_row is None:
        raise errors.NotAnIntern()
    return intern_row


def jurisdiction(intern_row: Mapping[str, Any]) -> dict[str, Any]:
    return {"city_code": intern_row["jurisdiction_city"], "county_code": intern_row["jurisdiction_county"]}


def intern_status(intern_row: Mapping[str, Any] | None) -> dict[str, Any]:
    """The `intern` block of /api/v1/me, from the favorites service's own projection."""
    if intern_row is None:
        return {"eligible": False, "jurisdiction": None}
    return {
        "eligible": True,
        "jurisdiction": regions.describe(intern_row["jurisdiction_city"], intern_row["jurisdiction_county"]),
    }


def posting_key(posting_id: object) -> str | None:
    """The canonical id of a post named in a URL, or None when it cannot name any post."""
    key = parse_uuid(posting_id)
    return str(key) if key else None


def admit(intern_row: Mapping[str, Any] | None, posting: Mapping[str, Any], held: Collection[str]) -> bool:
    """Whether bookmarking `posting` adds it (True) or finds it there already (False).

    `held` are the ids the intern has bookmarked, read under the lock on the intern's
    row, so the count cannot change before the insert commits. A repeated PUT changes
    nothing and reports the bookmark as it is, whatever became of the post since.
    """
    intern_row = require_intern(intern_row)
    if posting["posting_id"] in held:
        return False
    if posting["status"] != "open":
        raise errors.Conflict(
            "该见习岗位已结束招募", {"posting_id": ["岗位已关闭或已过报名截止日期"]}, code="POSTING_CLOSED"
        )
    where = {"city_code": posting["city_code"], "county_code": posting["county_code"]}
    if not regions.contains(jurisdiction(intern_row), where):
        raise errors.Conflict(
            "该见习岗位不在您的业务办理属地内",
            {"posting_id": ["岗位不在见习人员所属地区内"]},
            code="OUTSIDE_JURISDICTION",
        )
    if len(held) >= LIMIT:
        raise errors.Conflict(
            f"最多收藏{LIMIT}个见习岗位",
            {"posting_id": [f"已收藏{LIMIT}个岗位，请先取消收藏"]},
            code="FAVORITES_LIMIT_REACHED",
        )
    return True


def with_flags(page: Mapping[str, Any], favorited: Collection[str]) -> dict[str, Any]:
    """A page of post summaries, each marked with whether the intern bookmarked it."""
    return {**page, "items": [{**item, "favorited": item["posting_id"] in favorited} for item in page["items"]]}


def intern_from_approval(event: Mapping[str, Any]) -> dict[str, Any]:
    """The `interns` row an `application_approved` event makes; a malformed event raises
    (and is retried, then parked), it is never half-applied."""
    where = event["jurisdiction"]
    problems = regions.jurisdiction_problems(where["city_code"], where.get("county_code"))
    if problems:
        raise ValueError(f"application_approved {event['event_id']}: bad jurisdiction {problems}")
    return {
        "applicant_id": str(uuid.UUID(event["applicant_id"])),
        "application_id": str(uuid.UUID(event["application_id"])),
        "jurisdiction_city": where["city_code"],
        "jurisdiction_county": where.get("county_code"),
        "approved_at": datetime.fromisoformat(event["occurred_at"]),
    }
