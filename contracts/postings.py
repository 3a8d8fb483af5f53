"""Postings and regions schemas (the gateway validates and documents with them too)."""

import json
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from common import clock, regions
from common.paging import PageQuery, capped_total_field, page_schema
from common.validation import Pattern
from common.validators import credit_code_problem
from contracts.vocabulary import EDUCATION_REQUIREMENTS, POSTING_STATUSES

CONTACT_PHONE = "^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$"
MAX_IDS = 100
SEARCH_STATUSES = ("open", "closed", "all")
SORTS = ("newest", "deadline", "subsidy")


class Text(fields.String):
    """A string with surrounding whitespace removed before its length is checked."""

    def __init__(self, min_length: int = 1, max_length: int = 100, **kwargs: Any) -> None:
        super().__init__(
            validate=validate.Length(min=min_length, max=max_length, error=f"长度应为{min_length}到{max_length}个字符"),
            **kwargs,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


def check_city(value: str) -> None:
    if regions.city(value) is None:
        raise ValidationError("未知的地市代码")


def check_county(value: str) -> None:
    if regions.county(value) is None:
        raise ValidationError("未知的区县代码")


def county_outside_city(city_code: str | None, county_code: str | None) -> bool:
    return (
        city_code is not None
        and county_code is not None
        and regions.city(city_code) is not None
        and regions.county(county_code) is not None
        and regions.city_of_county(county_code) != city_code
    )


def county_inside_city(city_field: str, county_field: str) -> Any:
    """A schema check: the county in `county_field` lies in the city in `city_field` (each known)."""

    @validates_schema(skip_on_field_errors=False)
    def check_region(self: Schema, data: dict[str, Any], **kwargs: Any) -> None:
        if county_outside_city(data.get(city_field), data.get(county_field)):
            raise ValidationError({county_field: ["该区县不属于所选地市"]})

    return check_region


class PostingSchema(Schema):
    """A post as a reviewer writes it; PATCH loads it with partial=True."""

    title = Text(2, 100, required=True)
    employer_name = Text(2, 100, required=True)
    employer_credit_code = fields.String(
        required=True, metadata={"format": "gb32100", "minLength": 18, "maxLength": 18}
    )
    city_code = fields.String(required=True, validate=check_city, metadata={"enum": regions.city_codes()})
    county_code = fields.String(required=True, validate=check_county, metadata={"enum": regions.county_codes()})
    industry = Text(2, 50, required=True)
    headcount = fields.Integer(required=True, strict=True, validate=validate.Range(1, 999, error="招募人数应为1到999"))
    education_requirement = fields.String(
        required=True,
        validate=validate.OneOf(EDUCATION_REQUIREMENTS, error="学历要求应为：" + "、".join(EDUCATION_REQUIREMENTS)),
    )
    major_requirement = Text(1, 100, load_default="不限")
    duration_months = fields.Integer(
        required=True, strict=True, validate=validate.Range(3, 12, error="见习期限应为3到12个月")
    )
    monthly_subsidy = fields.Integer(
        required=True, strict=True, validate=validate.Range(0, 100000, error="月补贴应为0到100000元")
    )
    address = Text(2, 200, required=True)
    contact_name = Text(2, 30, required=True)
    contact_phone = fields.String(
        required=True, validate=Pattern(CONTACT_PHONE, error="联系电话应为11位手机号或带区号的固定电话")
    )
    description = Text(10, 5000, required=True)
    deadline = fields.Date(required=True)

    @validates("employer_credit_code")
    def check_credit_code(self, value: Any, **kwargs: Any) -> None:
        problem = credit_code_problem(value)
        if problem:
            raise ValidationError(problem)

    @validates("deadline")
    def check_deadline(self, value: Any, **kwargs: Any) -> None:
        if value < clock.today():
            raise ValidationError("报名截止日期不能早于今天")

    check_region = county_inside_city("city_code", "county_code")


class SearchQuery(PageQuery):
    city = fields.String(validate=check_city, metadata={"enum": regions.city_codes()})
    county = fields.String(validate=check_county, metadata={"enum": regions.county_codes()})
    q = fields.String(validate=validate.Length(max=50, error="关键词最多50个字符"))
    education = fields.String(
        validate=validate.OneOf(EDUCATION_REQUIREMENTS, error="学历应为：" + "、".join(EDUCATION_REQUIREMENTS))
    )
    industry = fields.String(validate=validate.Length(max=50, error="行业最多50个字符"))
    status = fields.String(
        load_default="open", validate=validate.OneOf(SEARCH_STATUSES, error="状态应为 open、closed 或 all")
    )
    sort = fields.String(
        load_default="newest", validate=validate.OneOf(SORTS, error="排序应为 newest、deadline 或 subsidy")
    )

    check_region = county_inside_city("city", "county")


class JurisdictionSchema(Schema):
    city_code = fields.String(required=True, validate=check_city, metadata={"enum": regions.city_codes()})
    county_code = fields.String(
        load_default=None, allow_none=True, validate=check_county, metadata={"enum": [*regions.county_codes(), None]}
    )

    check_region = county_inside_city("city_code", "county_code")


class JurisdictionQuery(PageQuery):
    """Open posts inside an intern's jurisdiction (the favorites service asks)."""

    county = fields.String(validate=check_county, metadata={"enum": regions.county_codes()})
    q = fields.String(validate=validate.Length(max=50, error="关键词最多50个字符"))


class PostingIds(Schema):
    posting_ids = fields.List(
        fields.String(), required=True, validate=validate.Length(max=MAX_IDS, error=f"一次最多查询{MAX_IDS}个岗位")
    )


# --- responses (documentation) ----------------------------------------------------


class PostingSummarySchema(Schema):
    posting_id = fields.UUID()
    title = fields.String()
    employer_name = fields.String()
    city_code = fields.String()
    city_name = fields.String()
    county_code = fields.String()
    county_name = fields.String()
    industry = fields.String()
    headcount = fields.Integer()
    education_requirement = fields.String()
    duration_months = fields.Integer()
    monthly_subsidy = fields.Integer()
    deadline = fields.Date()
    status = fields.String(metadata={"enum": list(POSTING_STATUSES)})
    status_label = fields.String()
    published_at = fields.DateTime()


class PostingDetailSchema(PostingSummarySchema):
    employer_credit_code = fields.String()
    major_requirement = fields.String()
    address = fields.String()
    contact_name = fields.String()
    contact_phone = fields.String()
    description = fields.String()
    updated_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)


PostingPageSchema = page_schema(PostingSummarySchema, "PostingPageSchema", total_capped=capped_total_field())


class CountySchema(Schema):
    code = fields.String()
    name = fields.String()


class CitySchema(CountySchema):
    counties = fields.List(fields.Nested(CountySchema))


class RegionsSchema(Schema):
    province = fields.Nested(CountySchema)
    cities = fields.List(fields.Nested(CitySchema))


def page_text(page: Mapping[str, Any]) -> str:
    """The public search's answer (PostingPageSchema) as JSON text: the RPC `search` returns it so,
    and the gateway sends and caches it as it is instead of decoding and encoding it again."""
    return json.dumps(page, ensure_ascii=False, separators=(",", ":"))


# ---- published events (on the `postings` exchange; no contact details in them) --------------

POSTING_PUBLISHED = "posting_published"
POSTING_CHANGED = "posting_changed"
POSTING_CLOSED = "posting_closed"


def event_payload(row: Mapping[str, Any]) -> dict[str, Any]:
    """What an event says about a post: which one, where, and until when it is open."""
    return {
        "posting_id": str(row["posting_id"]),
        "city_code": row["city_code"],
        "county_code": row["county_code"],
        "deadline": row["deadline"].isoformat(),
    }
