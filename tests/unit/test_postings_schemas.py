"""Postings input rules: every field of the contract, all errors of a request together."""

from datetime import date, timedelta

import pytest

from common import clock, errors
from common.validation import load
from contracts import postings as schemas
from services.postings import seed
from tests import factories


def body(**overrides):
    """A valid post in 大同市平城区 (the checks below move it across city lines)."""
    return factories.posting(**{"city_code": "140200", "county_code": "140213", **overrides})


def problems(schema, data, **kwargs):
    with pytest.raises(errors.InvalidInput) as exc:
        load(schema, data, **kwargs)
    return exc.value.details


def test_a_valid_posting_loads_trimmed():
    data = load(schemas.PostingSchema(), body(title="  会计助理  "))
    assert data["title"] == "会计助理" and data["deadline"] > date(2000, 1, 1)


def test_major_requirement_defaults_to_any():
    data = body()
    del data["major_requirement"]
    assert load(schemas.PostingSchema(), data)["major_requirement"] == "不限"


def test_every_field_error_comes_back_together():
    details = problems(
        schemas.PostingSchema(),
        body(
            title="",
            employer_credit_code="91140100MA0K1234X1",
            city_code="149900",
            county_code="149901",
            headcount=0,
            education_requirement="小学",
            duration_months=13,
            monthly_subsidy=-1,
            contact_phone="12345",
            deadline=(clock.today() - timedelta(days=1)).isoformat(),
        ),
    )
    assert set(details) == {
        "title",
        "employer_credit_code",
        "city_code",
        "county_code",
        "headcount",
        "education_requirement",
        "duration_months",
        "monthly_subsidy",
        "contact_phone",
        "deadline",
    }


def test_missing_fields_are_named():
    assert set(problems(schemas.PostingSchema(), {})) == set(schemas.PostingSchema().fields) - {"major_requirement"}


@pytest.mark.parametrize(
    "field, value, ok",
    [
        ("headcount", 1, True),
        ("headcount", 999, True),
        ("headcount", 1000, False),
        ("headcount", "3", False),
        ("duration_months", 3, True),
        ("duration_months", 12, True),
        ("duration_months", 2, False),
        ("monthly_subsidy", 0, True),
        ("monthly_subsidy", 1.5, False),
        ("education_requirement", "不限", True),
        ("education_requirement", "高中/中专", True),
        ("contact_phone", "0351-7654321", True),
        ("contact_phone", "03517654321", True),
        ("deadline", None, False),
    ],
)
def test_field_ranges(field, value, ok):
    data = body(**{field: value})
    if ok:
        load(schemas.PostingSchema(), data)
    else:
        assert field in problems(schemas.PostingSchema(), data)


def test_deadline_today_is_accepted():
    load(schemas.PostingSchema(), body(deadline=clock.today().isoformat()))


def test_credit_code_check_character_is_verified():
    good = factories.credit_code()
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert problems(schemas.PostingSchema(), body(employer_credit_code=bad_check)) == {
        "employer_credit_code": ["统一社会信用代码校验位不正确"]
    }


def test_county_outside_its_city_names_the_county():
    assert problems(schemas.PostingSchema(), body(city_code="140100")) == {"county_code": ["该区县不属于所选地市"]}


def test_partial_load_for_edits_checks_only_what_is_sent():
    assert load(schemas.PostingSchema(partial=True), {"headcount": 5}) == {"headcount": 5}
    assert "posting_id" in problems(schemas.PostingSchema(partial=True), {"posting_id": "x"})  # read-only


def test_search_query_defaults():
    assert load(schemas.SearchQuery(), {}) == {"page": 1, "page_size": 20, "status": "open", "sort": "newest"}


def test_search_query_names_each_bad_parameter():
    details = problems(
        schemas.SearchQuery(),
        {
            "city": "149900",
            "county": "1",
            "page": "0",
            "page_size": "101",
            "sort": "oldest",
            "status": "gone",
            "education": "小学",
        },
    )
    assert set(details) == {"city", "county", "page", "page_size", "sort", "status", "education"}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"city": "149900"}, "city"),
        ({"county": "149901"}, "county"),
        ({"page": "0"}, "page"),
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "abc"}, "page_size"),
        ({"sort": "oldest"}, "sort"),
        ({"status": "gone"}, "status"),
        ({"q": "长" * 51}, "q"),
        ({"industry": "行" * 51}, "industry"),
    ],
)
def test_search_query_names_a_bad_parameter(params, field):
    assert set(problems(schemas.SearchQuery(), params)) == {field}


def test_search_county_must_belong_to_city():
    assert problems(schemas.SearchQuery(), {"city": "140100", "county": "140213"}) == {
        "county": ["该区县不属于所选地市"]
    }
    load(schemas.SearchQuery(), {"county": "140213"})  # a county alone is enough


def test_posting_ids_are_bounded():
    assert "posting_ids" in problems(schemas.PostingIds(), {"posting_ids": ["x"] * (schemas.MAX_IDS + 1)})


def test_every_demo_post_passes_the_create_rules():
    posts = list(seed.generate(seed.DEMO_COUNT, clock.today(), clock.now()))
    for post in posts:
        data = {k: post[k] for k in schemas.PostingSchema().fields}
        data["deadline"] = post["deadline"].isoformat()
        load(schemas.PostingSchema(), data)
    assert {p["city_code"] for p in posts} == {c["code"] for c in seed.regions.load()["cities"]}
    assert len({p["posting_id"] for p in posts}) == seed.DEMO_COUNT


def test_demo_posts_are_deterministic():
    today, now = clock.today(), clock.now()
    first = [p["posting_id"] for p in seed.generate(20, today, now)]
    again = list(seed.generate(20, today, now))
    assert first == [p["posting_id"] for p in again]
    assert [p["title"] for p in seed.generate(20, today, now)] == [p["title"] for p in again]
