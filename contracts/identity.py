"""Identity request and response schemas, and the password and staff-role rules they check."""

import re
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates, validates_schema

from common import clock, regions
from common.paging import PageQuery, page_schema
from common.validation import Pattern
from common.validators import MOBILE_PATTERN, MONTH_PATTERN, USERNAME_PATTERN, id_number_problem
from contracts.vocabulary import AUDIT_ACTIONS, AUDIT_READ_ACTIONS, STAFF_ROLES

USERNAME = Pattern(USERNAME_PATTERN, error="用户名为4到32位字母、数字或下划线")
# Letters of any script, with "·" between parts of minority and foreign names.
REAL_NAME = re.compile(r"[^\W\d_]+(?:[·• ][^\W\d_]+)*")
# What the OpenAPI document says of these (formats name what a pattern cannot: check characters, scripts).
PASSWORD_SCHEMA = {"pattern": "^(?=.*[A-Za-z])(?=.*[0-9])[^\\x00-\\x1f\\x7f-\\x9f]{8,128}$"}
REAL_NAME_SCHEMA = {"format": "person-name", "minLength": 2, "maxLength": 30}
ID_NUMBER_SCHEMA = {"format": "gb11643", "minLength": 18, "maxLength": 18}
_LETTER = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"[0-9]")


def password_problem(password: object) -> str | None:
    if not isinstance(password, str) or not 8 <= len(password) <= 128:
        return "密码长度应为8到128个字符"
    if not _LETTER.search(password) or not _DIGIT.search(password):
        return "密码须同时包含字母和数字"
    return None


def staff_roles_problem(roles: list[Any]) -> str | None:
    if not roles:
        return "至少选择一个角色"
    unknown = [r for r in roles if r not in STAFF_ROLES]
    if unknown:
        return "未知角色: " + ", ".join(map(str, unknown))
    return None


def check_password(value: str) -> None:
    problem = password_problem(value)
    if problem:
        raise ValidationError(problem)


def check_real_name(value: str) -> None:
    if not 2 <= len(value) <= 30 or not REAL_NAME.fullmatch(value):
        raise ValidationError("姓名为2到30个字符，只能包含文字和间隔号“·”")


class RegisterSchema(Schema):
    username = fields.String(required=True, validate=USERNAME)
    password = fields.String(required=True, validate=check_password, load_only=True, metadata=PASSWORD_SCHEMA)
    real_name = fields.String(required=True, validate=check_real_name, metadata=REAL_NAME_SCHEMA)
    id_number = fields.String(required=True, load_only=True, metadata=ID_NUMBER_SCHEMA)
    phone = fields.String(
        required=True, load_only=True, validate=Pattern(MOBILE_PATTERN, error="手机号码应为11位大陆手机号")
    )

    @pre_load
    def normalise(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("id_number"), str):
            data = {**data, "id_number": data["id_number"].strip().upper()}
        return data

    @validates("id_number")
    def check_id_number(self, value: Any, **kwargs: Any) -> None:
        problem = id_number_problem(value, clock.today())
        if problem:
            raise ValidationError(problem)


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256), load_only=True)


class JurisdictionSchema(Schema):
    city_code = fields.String(required=True, metadata={"enum": regions.city_codes()})
    county_code = fields.String(load_default=None, allow_none=True, metadata={"enum": [*regions.county_codes(), None]})

    @validates_schema
    def check_region(self, data: dict[str, Any], **kwargs: Any) -> None:
        problems = regions.jurisdiction_problems(data.get("city_code"), data.get("county_code"))
        if problems:
            raise ValidationError(problems)


class StaffUserSchema(Schema):
    username = fields.String(required=True, validate=USERNAME)
    password = fields.String(required=True, validate=check_password, load_only=True, metadata=PASSWORD_SCHEMA)
    real_name = fields.String(required=True, validate=check_real_name, metadata=REAL_NAME_SCHEMA)
    roles = fields.List(
        fields.String(metadata={"enum": list(STAFF_ROLES)}),
        required=True,
        metadata={"minItems": 1, "uniqueItems": True},
    )
    jurisdiction = fields.Nested(JurisdictionSchema, load_default=None, allow_none=True)

    @validates("roles")
    def check_roles(self, value: Any, **kwargs: Any) -> None:
        problem = staff_roles_problem(value)
        if problem:
            raise ValidationError(problem)


class UserSchema(Schema):
    user_id = fields.UUID()
    username = fields.String()
    real_name = fields.String()
    roles = fields.List(fields.String())
    jurisdiction = fields.Nested(JurisdictionSchema, allow_none=True)


class LoginResponseSchema(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()
    user = fields.Nested(UserSchema)


class InternSchema(Schema):
    eligible = fields.Boolean()
    jurisdiction = fields.Dict(allow_none=True)


class MeSchema(UserSchema):
    # Staff accounts have neither (null).
    id_number_masked = fields.String(allow_none=True)
    phone_masked = fields.String(allow_none=True)
    intern = fields.Nested(InternSchema)


# ---- accounts and sessions ------------------------------------------------------------------------


class ChangePasswordSchema(Schema):
    current_password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))
    new_password = fields.String(required=True, load_only=True, validate=check_password, metadata=PASSWORD_SCHEMA)


class StaffQuery(PageQuery):
    role = fields.String(load_default=None, validate=validate.OneOf(STAFF_ROLES, error="未知角色"))


class StaffAccountSchema(UserSchema):
    disabled = fields.Boolean()


StaffPageSchema = page_schema(StaffAccountSchema, "StaffPage")


# ---- audit trail ------------------------------------------------------------------------------

MONTH = Pattern(MONTH_PATTERN, error="月份格式应为 YYYY-MM（1900年起）")


class AuditQuery(PageQuery):
    actor = fields.UUID(load_default=None)
    action = fields.String(load_default=None, validate=validate.OneOf(AUDIT_ACTIONS, error="未知的操作类型"))
    application_id = fields.UUID(load_default=None)
    month = fields.String(load_default=None, validate=MONTH)


class AuditRecordSchema(Schema):
    at = fields.String()
    actor_id = fields.UUID(allow_none=True)
    actor_username = fields.String(allow_none=True)
    actor_roles = fields.List(fields.String())
    action = fields.String()
    application_id = fields.UUID(allow_none=True)
    case_number = fields.String(allow_none=True)
    attachment_id = fields.UUID(allow_none=True)
    target_user_id = fields.UUID(allow_none=True)
    request_id = fields.String(allow_none=True)


AuditPageSchema = page_schema(AuditRecordSchema, "AuditPage")


class AuditActorSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # the caller passes its whole principal

    user_id = fields.UUID(required=True)
    username = fields.String(required=True, validate=validate.Length(max=64))
    roles = fields.List(fields.String(validate=validate.Length(max=32)), required=True, validate=validate.Length(max=8))
    jurisdiction = fields.Dict(load_default=None, allow_none=True)


class AuditEntrySchema(Schema):
    """identity's `record_audit(entry)` RPC: a staff read another service reports before answering."""

    action = fields.String(required=True, validate=validate.OneOf(AUDIT_READ_ACTIONS))
    actor = fields.Nested(AuditActorSchema, required=True)
    application_id = fields.UUID(load_default=None, allow_none=True)
    case_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    attachment_id = fields.UUID(load_default=None, allow_none=True)
