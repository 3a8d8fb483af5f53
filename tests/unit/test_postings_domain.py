"""Postings rules: status by deadline, keyword grams, jurisdiction, edits and closing."""

from datetime import UTC, date, datetime

import pytest

from common import errors
from services.postings import domain

TODAY = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
PROVINCE_REVIEWER = {"user_id": "3f1c0f9e-4d0e-4b1e-9a51-2f8d3a0c9b11", "roles": ["reviewer"], "jurisdiction": None}
XIAODIAN_REVIEWER = {**PROVINCE_REVIEWER, "jurisdiction": {"city_code": "140100", "county_code": "140105"}}
TAIYUAN_REVIEWER = {**PROVINCE_REVIEWER, "jurisdiction": {"city_code": "140100", "county_code": None}}


def fields(**overrides):
    data = {
        "title": "软件开发见习生",
        "employer_name": "太原晋阳科技有限公司",
        "employer_credit_code": "91140105MA0K12345X",
        "city_code": "140100",
        "county_code": "140105",
        "industry": "信息传输、软件和信息技术服务业",
        "headcount": 3,
        "education_requirement": "本科",
        "major_requirement": "计算机科学与技术",
        "duration_months": 6,
        "monthly_subsidy": 2200,
        "address": "太原市小店区长风街1号",
        "contact_name": "王伟",
        "contact_phone": "0351-5551234",
        "description": "参与Web应用的需求分析、代码编写与单元测试。",
        "deadline": date(2026, 12, 31),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "closed_at, deadline, expected",
    [
        (None, TODAY, "open"),  # open through the deadline day
        (None, date(2026, 11, 28), "closed"),  # the day after, closed without anyone acting
        (NOW, date(2027, 1, 1), "closed"),  # closed by a reviewer
    ],
)
def test_status_is_judged_against_today(closed_at, deadline, expected):
    assert domain.status(closed_at, deadline, TODAY) == expected


def test_normalise_folds_width_case_and_spaces():
    assert domain.normalise("  Ｊａｖａ   开发\t工程师 ") == "java 开发 工程师"


@pytest.mark.parametrize("word, expected", [("会", ["会"]), ("会计", ["会计"]), ("会计助理", ["会计", "计助", "助理"])])
def test_keyword_grams(word, expected):
    assert domain.keyword_grams(word) == sorted(expected)


def test_keyword_blank_is_no_keyword():
    assert domain.keyword(None) is None
    assert domain.keyword("   ") is None
    assert domain.keyword(" ＡＢ ") == "ab"


def test_like_pattern_escapes_wildcards():
    assert domain.like_pattern("100%_a\\b") == "%100\\%\\_a\\\\b%"


def test_only_reviewers_create():
    with pytest.raises(errors.Forbidden):
        domain.new_posting(fields(), {"user_id": "x", "roles": ["applicant"], "jurisdiction": None}, NOW)


def test_new_posting_carries_search_columns_and_author():
    row = domain.new_posting(fields(), PROVINCE_REVIEWER, NOW)
    assert row["published_at"] == NOW and row["closed_at"] is None
    assert row["created_by"] == PROVINCE_REVIEWER["user_id"]
    assert "软件开发见习生" in row["search_text"]


@pytest.mark.parametrize(
    "actor, county, allowed",
    [
        (XIAODIAN_REVIEWER, "140105", True),
        (XIAODIAN_REVIEWER, "140106", False),  # another county of the same city
        (TAIYUAN_REVIEWER, "140106", True),  # a city-level reviewer covers the whole city
        (PROVINCE_REVIEWER, "140106", True),
    ],
)
def test_reviewer_with_a_jurisdiction_creates_only_inside_it(actor, county, allowed):
    if allowed:
        assert domain.new_posting(fields(county_code=county), actor, NOW)["county_code"] == county
    else:
        with pytest.raises(errors.Forbidden) as exc:
            domain.new_posting(fields(county_code=county), actor, NOW)
        assert "county_code" in exc.value.details


def test_reviewer_cannot_edit_a_post_outside_or_move_it_out():
    current = domain.new_posting(fields(county_code="140106"), PROVINCE_REVIEWER, NOW)
    with pytest.raises(errors.Forbidden):
        domain.edited(current, {"title": "新标题"}, XIAODIAN_REVIEWER, NOW)
    mine = domain.new_posting(fields(), XIAODIAN_REVIEWER, NOW)
    with pytest.raises(errors.Forbidden):
        domain.edited(mine, {"county_code": "140106"}, XIAODIAN_REVIEWER, NOW)


def test_edit_checks_the_merged_region_and_refreshes_search():
    current = domain.new_posting(fields(), PROVINCE_REVIEWER, NOW)
    with pytest.raises(errors.InvalidInput) as exc:
        domain.edited(current, {"city_code": "140200"}, PROVINCE_REVIEWER, NOW)  # 小店区 is not in 大同
    assert exc.value.details == {"county_code": ["该区县不属于所选地市"]}
    later = datetime(2026, 11, 30, tzinfo=UTC)
    row = domain.edited(current, {"title": "护士见习岗"}, PROVINCE_REVIEWER, later)
    assert row["updated_at"] == later and "护士" in row["search_text"] and "软件" not in row["search_text"]


def test_closing_twice_keeps_the_first_close():
    current = domain.new_posting(fields(), PROVINCE_REVIEWER, NOW)
    once = domain.closed(current, PROVINCE_REVIEWER, NOW)
    assert once["closed_at"] == NOW
    assert domain.closed(once, PROVINCE_REVIEWER, datetime(2027, 1, 1, tzinfo=UTC)) is once


@pytest.mark.parametrize(
    "jurisdiction, county, expected",
    [
        ({"city_code": "140100", "county_code": None}, None, ("140100", None)),
        ({"city_code": "140100", "county_code": None}, "140106", ("140100", "140106")),
        ({"city_code": "140100", "county_code": "140105"}, None, ("140100", "140105")),
        ({"city_code": "140100", "county_code": "140105"}, "140105", ("140100", "140105")),
    ],
)
def test_scope_of_an_intern_listing(jurisdiction, county, expected):
    assert domain.scope(jurisdiction, county) == expected


@pytest.mark.parametrize(
    "jurisdiction, county",
    [
        ({"city_code": "140100", "county_code": None}, "140211"),  # a county of another city
        ({"city_code": "140100", "county_code": "140105"}, "140106"),  # a sibling county
    ],
)
def test_scope_refuses_a_county_outside_the_jurisdiction(jurisdiction, county):
    with pytest.raises(errors.InvalidInput) as exc:
        domain.scope(jurisdiction, county)
    assert "county" in exc.value.details


def test_summary_leaves_out_description_and_contact_and_names_the_region():
    row = domain.new_posting(fields(), PROVINCE_REVIEWER, NOW)
    summary = domain.summary(row, TODAY)
    assert summary["city_name"] == "太原市" and summary["county_name"] == "小店区"
    assert summary["status"] == "open" and summary["status_label"] == "招募中"
    assert summary["deadline"] == "2026-12-31" and summary["published_at"] == "2026-11-29T16:00:00+08:00"
    assert not {"description", "contact_phone", "address", "search_text"} & set(summary)
    detail = domain.detail(row, TODAY)
    assert set(domain.FIELDS) <= set(detail) and "search_text" not in detail
    assert detail["deadline"] == "2026-12-31"
