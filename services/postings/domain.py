"""Postings rules: status, keyword grams, jurisdiction, what a post looks like. Pure: no I/O."""

import re
import unicodedata
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from common import clock, errors, regions
from contracts.vocabulary import POSTING_STATUSES

# Fields a reviewer writes; everything else is read-only.
FIELDS = (
    "title",
    "employer_name",
    "employer_credit_code",
    "city_code",
    "county_code",
    "industry",
    "headcount",
    "education_requirement",
    "major_requirement",
    "duration_months",
    "monthly_subsidy",
    "address",
    "contact_name",
    "contact_phone",
    "description",
    "deadline",
)
SUMMARY_FIELDS = (
    "title",
    "employer_name",
    "city_code",
    "county_code",
    "industry",
    "headcount",
    "education_requirement",
    "duration_months",
    "monthly_subsidy",
)
SEARCHED_FIELDS = ("title", "employer_name", "description")

_SPACE = re.compile(r"\s+")
# Joins the searched fields: queries never contain it, so no match spans two fields (the
# database's posting_grams splits on it).
_FIELD_BREAK = "\n"


def status(closed_at: datetime | None, deadline: date, today: date) -> str:
    """`open` until closed by a reviewer or until the deadline day has passed (Shanghai)."""
    return "open" if closed_at is None and deadline >= today else "closed"


# --- keyword search ---------------------------------------------------------------


def normalise(text: str) -> str:
    """Full-width to half-width, case-folded, runs of whitespace as one space."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def search_text(posting: Mapping[str, Any]) -> str:
    return _FIELD_BREAK.join(normalise(posting[f]) for f in SEARCHED_FIELDS)


def keyword(q: str | None) -> str | None:
    """The normalised keyword, or None when `q` is absent or blank."""
    return normalise(q) or None if q else None


def keyword_grams(word: str) -> list[str]:
    """Grams a matching post must contain (the database's posting_grams gives a post's); for
    1-2 characters they decide the match alone."""
    if len(word) == 1:
        return [word]
    return sorted({word[i : i + 2] for i in range(len(word) - 1)})


def like_pattern(word: str) -> str:
    """`word` as a LIKE substring pattern, its wildcards escaped."""
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# --- who may do what --------------------------------------------------------------


def require_reviewer(actor: Mapping[str, Any] | None) -> None:
    if not actor or "reviewer" not in actor.get("roles", ()):
        raise errors.Forbidden("仅审核人员可以维护见习岗位")


def check_jurisdiction(actor: Mapping[str, Any], city_code: str, county_code: str | None) -> None:
    """A reviewer with a jurisdiction maintains only posts located inside it."""
    if not regions.contains(actor.get("jurisdiction"), {"city_code": city_code, "county_code": county_code}):
        raise errors.Forbidden("该岗位不在您的管辖范围内", details={"county_code": ["不在您的管辖范围内"]})


def region_problems(city_code: str, county_code: str | None) -> dict[str, list[str]]:
    return regions.jurisdiction_problems(city_code, county_code)


# --- commands ---------------------------------------------------------------------


def new_posting(data: Mapping[str, Any], actor: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The row for a new post; `data` has passed PostingSchema."""
    require_reviewer(actor)
    check_jurisdiction(actor, data["city_code"], data["county_code"])
    row = {f: data[f] for f in FIELDS}
    row.update(
        posting_id=uuid.uuid4(),
        published_at=now,
        updated_at=now,
        closed_at=None,
        created_by=actor["user_id"],
        closed_by=None,
    )
    return with_search(row)


def edited(
    current: Mapping[str, Any], changes: Mapping[str, Any], actor: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    """The post after a reviewer's edit; the post must be theirs before and after."""
    require_reviewer(actor)
    check_jurisdiction(actor, current["city_code"], current["county_code"])
    row = {**current, **changes}
    problems = region_problems(row["city_code"], row["county_code"])
    if problems:
        raise errors.InvalidInput(details=problems)
    check_jurisdiction(actor, row["city_code"], row["county_code"])
    row["updated_at"] = now
    return with_search(row)


def closed(current: Mapping[str, Any], actor: Mapping[str, Any], now: datetime) -> Mapping[str, Any]:
    """Closing an already closed post changes nothing."""
    require_reviewer(actor)
    check_jurisdiction(actor, current["city_code"], current["county_code"])
    if current["closed_at"] is not None:
        return current
    return {**current, "closed_at": now, "closed_by": actor["user_id"], "updated_at": now}


def with_search(row: Mapping[str, Any]) -> dict[str, Any]:
    return {**row, "search_text": search_text(row)}


def scope(jurisdiction: Mapping[str, Any], county: str | None) -> tuple[str, str | None]:
    """(city, county) to list for an intern whose jurisdiction is `jurisdiction`.

    A city-level jurisdiction (county None) covers the whole city; `county` narrows it
    and must lie inside.
    """
    city_code, own_county = jurisdiction["city_code"], jurisdiction.get("county_code")
    if (
        county is not None
        and county != own_county
        and (own_county is not None or regions.city_of_county(county) != city_code)
    ):
        raise errors.InvalidInput(details={"county": ["该区县不在见习人员所属地区内"]})
    return city_code, county or own_county


# --- views ------------------------------------------------------------------------


def _common(row: Mapping[str, Any], today: date) -> dict[str, Any]:
    state = status(row["closed_at"], row["deadline"], today)
    city, county = regions.city(row["city_code"]), regions.county(row["county_code"])
    return {
        "posting_id": str(row["posting_id"]),
        "status": state,
        "status_label": POSTING_STATUSES[state],
        "city_name": city["name"] if city else None,
        "county_name": county["name"] if county else None,
        "deadline": row["deadline"].isoformat(),
        "published_at": clock.iso(row["published_at"]),
    }


def summary(row: Mapping[str, Any], today: date) -> dict[str, Any]:
    """What a result list shows: no description, address or contact."""
    return {**{f: row[f] for f in SUMMARY_FIELDS}, **_common(row, today)}


def detail(row: Mapping[str, Any], today: date) -> dict[str, Any]:
    view = {f: row[f] for f in FIELDS}
    view.update(_common(row, today))
    view["updated_at"] = clock.iso(row["updated_at"])
    view["closed_at"] = clock.iso(row["closed_at"])
    return view
