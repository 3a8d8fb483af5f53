"""Applications: request and response schemas, and the events the service publishes.

Schemas check shape and format (the gateway validates and documents with them too); the
rules (eligibility, required attachments, gender against the ID number, regions) are in
`services.applications.domain`.
"""

import re
import uuid
from datetime import datetime
from typing import Any, Protocol

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from common import errors, regions
from common.paging import PageQuery, page_schema
from common.validation import Pattern, multi_line_text
from common.validators import MOBILE_PATTERN, MONTH_PATTERN
from contracts.vocabulary import APPLICATION_STATUSES, ATTACHMENT_KINDS, CATEGORIES, EDUCATION_LEVELS, GENDERS

MONTH = Pattern(MONTH_PATTERN, error="月份格式应为 YYYY-MM（1900年起）")
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,200}")
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
CONTENT_TYPES = ("application/pdf", "image/jpeg", "image/png")


def text(max_length: int, required: bool = True, min_length: int = 1) -> fields.String:
    options: dict[str, Any] = {"required": True} if required else {"load_default": None, "allow_none": True}
    return fields.String(
        validate=validate.Length(min=min_length, max=max_length, error=f"长度应为{min_length}到{max_length}个字符"),
        **options,
    )


def check_idempotency_key(key: object) -> str | None:
    """None, or the key when it is usable; a malformed key is a 400 naming the header."""
    if key is None or key == "":
        return None
    if not isinstance(key, str) or not IDEMPOTENCY_KEY.fullmatch(key):
        raise errors.InvalidInput(details={"Idempotency-Key": ["应为1到200个可见ASCII字符"]})
    return key


class JurisdictionSchema(Schema):
    city_code = fields.String(required=True, metadata={"enum": regions.city_codes()})
    county_code = fields.String(load_default=None, allow_none=True, metadata={"enum": [*regions.county_codes(), None]})


class ApplicationSchema(Schema):
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES, error="未知的人员类别"))
    gender = fields.String(required=True, validate=validate.OneOf(GENDERS, error="性别应为“男”或“女”"))
    education = fields.String(required=True, validate=validate.OneOf(EDUCATION_LEVELS, error="未知的学历"))
    school = text(100, required=False)
    major = text(100, required=False)
    graduation_date = fields.Date(load_default=None, allow_none=True)
    household_address = text(200, min_length=2)
    current_address = text(200, min_length=2)
    phone = fields.String(required=True, validate=Pattern(MOBILE_PATTERN, error="手机号码应为11位大陆手机号"))
    unemployment_registration_number = text(50, required=False)
    jurisdiction = fields.Nested(JurisdictionSchema, required=True)
    attachment_ids = fields.List(
        fields.UUID(), required=True, validate=validate.Length(min=1, max=20, error="附件数量应为1到20个")
    )
    declaration_accepted = fields.Boolean(required=True)


class MyApplicationsQuery(PageQuery):
    status = fields.String(load_default=None, validate=validate.OneOf(APPLICATION_STATUSES, error="未知的审核状态"))
    month = fields.String(load_default=None, validate=MONTH)


class ReviewQuery(PageQuery):
    status = fields.String(
        load_default="pending", validate=validate.OneOf(APPLICATION_STATUSES, error="未知的审核状态")
    )
    city = fields.String(load_default=None, metadata={"enum": regions.city_codes()})
    county = fields.String(load_default=None, metadata={"enum": regions.county_codes()})
    month = fields.String(load_default=None, validate=MONTH)
    q = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=30, error="长度应为1到30个字符"),
        metadata={"description": "完整受理编号，或申请人姓名（精确或前缀）"},
    )

    @validates_schema
    def check_regions(self, data: dict[str, Any], **kwargs: Any) -> None:
        city, county = data.get("city"), data.get("county")
        if city is not None and regions.city(city) is None:
            raise ValidationError({"city": ["未知的地市代码"]})
        if county is not None:
            if regions.county(county) is None:
                raise ValidationError({"county": ["未知的区县代码"]})
            if city is not None and regions.city_of_county(county) != city:
                raise ValidationError({"county": ["该区县不属于所选地市"]})


class ApproveSchema(Schema):
    comment = fields.String(load_default=None, allow_none=True)


class RejectSchema(Schema):
    reason = fields.String(required=True, metadata=multi_line_text(2, 500))


class ReturnSchema(Schema):
    """退回补正; the lengths (after trimming) are the domain's rules."""

    reason = fields.String(
        required=True, metadata={"description": "退回原因（2到500个字符）", **multi_line_text(2, 500)}
    )
    items = fields.List(
        fields.String(metadata=multi_line_text(1, 100)),
        load_default=list,
        metadata={"description": "需补正的事项（至多20项，每项1到100个字符）", "maxItems": 20},
    )


class AttachmentFormSchema(Schema):
    """The non-file part of the multipart upload."""

    kind = fields.String(required=True, validate=validate.OneOf(ATTACHMENT_KINDS, error="未知的附件类型"))


class AttachmentUploadSchema(Schema):
    """The multipart form as OpenAPI documents it."""

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})
    kind = fields.String(required=True, validate=validate.OneOf(ATTACHMENT_KINDS))


class StoredAttachmentSchema(Schema):
    """What the gateway reports about an upload it put into the bucket (RPC input)."""

    kind = fields.String(required=True, validate=validate.OneOf(ATTACHMENT_KINDS, error="未知的附件类型"))
    filename = fields.String(required=True, validate=validate.Length(min=1, max=255, error="文件名应为1到255个字符"))
    size = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ATTACHMENT_BYTES))
    content_type = fields.String(required=True, validate=validate.OneOf(CONTENT_TYPES))
    sha256 = fields.String(required=True, validate=Pattern("^[0-9a-f]{64}$"))


# ---- responses (documentation) ----------------------------------------------------------------


class AttachmentSchema(Schema):
    attachment_id = fields.UUID()
    kind = fields.String()
    filename = fields.String()
    size = fields.Integer()
    content_type = fields.String()
    sha256 = fields.String()
    download_url = fields.String(metadata={"description": "短时有效的下载地址（仅申请详情中返回）"})


class SubmittedSchema(Schema):
    application_id = fields.UUID()
    case_number = fields.String()
    status = fields.String()
    status_label = fields.String()
    message = fields.String()
    submitted_at = fields.DateTime()


class RegionSchema(Schema):
    city_code = fields.String()
    city_name = fields.String()
    county_code = fields.String(allow_none=True)
    county_name = fields.String(allow_none=True)


class ApplicationSummarySchema(Schema):
    application_id = fields.UUID()
    case_number = fields.String()
    category = fields.String()
    category_label = fields.String()
    status = fields.String()
    status_label = fields.String()
    jurisdiction = fields.Nested(RegionSchema)
    applicant_name = fields.String(metadata={"description": "仅审核列表返回"})
    submitted_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)


ApplicationPageSchema = page_schema(ApplicationSummarySchema, "ApplicationPageSchema")


class HistoryStepSchema(Schema):
    type = fields.String()
    at = fields.DateTime()
    by = fields.UUID()
    comment = fields.String(allow_none=True)
    reason = fields.String()
    items = fields.List(fields.String(), metadata={"description": "退回补正的事项"})


class ApplicationDetailSchema(ApplicationSummarySchema):
    applicant_id = fields.UUID()
    real_name = fields.String()
    id_number_masked = fields.String()
    phone_masked = fields.String()
    gender = fields.String()
    education = fields.String()
    school = fields.String()
    major = fields.String(allow_none=True)
    graduation_date = fields.Date(allow_none=True)
    household_address = fields.String()
    current_address = fields.String()
    unemployment_registration_number = fields.String(allow_none=True)
    reviewer_id = fields.UUID(allow_none=True)
    comment = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    return_reason = fields.String(allow_none=True)
    return_items = fields.List(fields.String(), allow_none=True)
    verification_code = fields.String(metadata={"description": "打印申请表的校验码"})
    attachments = fields.List(fields.Nested(AttachmentSchema))
    history = fields.List(fields.Nested(HistoryStepSchema))


class VerifyQuery(Schema):
    code = fields.String(load_default=None, metadata={"description": "申请表上的校验码"})


class VerificationSchema(Schema):
    case_number = fields.String()
    status = fields.String()
    status_label = fields.String()
    real_name_masked = fields.String()
    submitted_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)


# ---- published events (integration events on the `applications` exchange) -------------------

SUBMITTED = "application_submitted"
WITHDRAWN = "application_withdrawn"
APPROVED = "application_approved"
REJECTED = "application_rejected"
RETURNED = "application_returned"
RESUBMITTED = "application_resubmitted"

# The contract's extra fields per published event type.
PUBLISHED = {
    SUBMITTED: ("case_number", "jurisdiction", "category"),
    WITHDRAWN: (),
    APPROVED: ("jurisdiction", "reviewer_id", "comment"),
    REJECTED: ("reviewer_id", "reason"),
    RETURNED: ("reviewer_id", "reason", "items"),
    RESUBMITTED: ("jurisdiction", "category"),
}


class StoredEvent(Protocol):
    """What the publisher knows of a stored event (common.eventstore.Event has these)."""

    @property
    def event_id(self) -> uuid.UUID: ...
    @property
    def stream_id(self) -> uuid.UUID: ...
    @property
    def stream_version(self) -> int: ...
    @property
    def type(self) -> str: ...
    @property
    def payload(self) -> dict[str, Any]: ...
    @property
    def occurred_at(self) -> datetime: ...


def message_payload(event: StoredEvent) -> dict[str, Any]:
    """The published body of a stored event: exactly the contract's fields, nothing personal."""
    data = event.payload
    body = {
        "event_id": str(event.event_id),
        "application_id": str(event.stream_id),
        "applicant_id": data.get("applicant_id"),
        "stream_version": event.stream_version,
        "occurred_at": event.occurred_at.isoformat(),
    }
    body.update({name: data[name] for name in PUBLISHED.get(event.type, ())})
    return body
