"""The vocabulary document: every code the API accepts or returns, with its label, so clients
(the web UI first) read them from `GET /api/v1/vocabulary` instead of copying them."""

from typing import Any

from marshmallow import Schema, fields

from contracts import vocabulary


def _labels(description: str | None = None) -> fields.Dict:
    metadata: dict[str, Any] = {"description": description} if description else {}
    return fields.Dict(keys=fields.String(), values=fields.String(), metadata=metadata)


def _values() -> fields.List[str]:
    return fields.List(fields.String())


def vocabulary_document() -> dict[str, Any]:
    return {
        "application_statuses": dict(vocabulary.APPLICATION_STATUSES),
        "categories": dict(vocabulary.CATEGORIES),
        "genders": list(vocabulary.GENDERS),
        "education_levels": list(vocabulary.EDUCATION_LEVELS),
        "education_requirements": list(vocabulary.EDUCATION_REQUIREMENTS),
        "attachment_kinds": dict(vocabulary.ATTACHMENT_KINDS),
        "required_attachment_kinds": {c: list(k) for c, k in vocabulary.REQUIRED_ATTACHMENT_KINDS.items()},
        "posting_statuses": dict(vocabulary.POSTING_STATUSES),
        "roles": dict(vocabulary.ROLES),
        "event_types": dict(vocabulary.EVENT_LABELS),
        "bookmark_limit": vocabulary.BOOKMARK_LIMIT,
    }


class VocabularySchema(Schema):
    application_statuses = _labels()
    categories = _labels()
    genders = _values()
    education_levels = _values()
    education_requirements = _values()
    attachment_kinds = _labels()
    required_attachment_kinds = fields.Dict(
        keys=fields.String(), values=_values(), metadata={"description": "每个人员类别须上传的附件类型"}
    )
    posting_statuses = _labels()
    roles = _labels()
    event_types = _labels("办件历史中各事件类型的名称")
    bookmark_limit = fields.Integer(metadata={"description": "每位见习人员最多收藏的岗位数"})
