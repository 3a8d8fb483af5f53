"""The contract's paging: ?page=1&page_size=20, page_size 1..100."""

from typing import Any

from marshmallow import Schema, fields, validate

DEFAULT_PAGE_SIZE = 20
# Deeper pages are no use to a person and their OFFSET would overflow bigint.
MAX_PAGE = 10000


class PageQuery(Schema):
    page = fields.Integer(
        load_default=1, validate=validate.Range(min=1, max=MAX_PAGE, error=f"页码应在1到{MAX_PAGE}之间")
    )
    page_size = fields.Integer(
        load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=100, error="每页条数应在1到100之间")
    )


def page_schema(item_schema: type[Schema], name: str, **extra: fields.Field[Any]) -> type[Schema]:
    """The schema of a page of `item_schema` (plus `extra` fields), for responses and the OpenAPI document."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema)),
            "total": fields.Integer(),
            "page": fields.Integer(),
            "page_size": fields.Integer(),
            **extra,
        },
        name=name,
    )


def capped_total_field() -> fields.Boolean:
    """`total_capped`: for lists that stop counting at 10000."""
    return fields.Boolean(
        metadata={"description": "true when more than 10000 items match: `total` is then 10000, not the exact count"}
    )


def offset(page: int, page_size: int) -> int:
    return (page - 1) * page_size


def page_body(items: list[Any], total: int, page: int, page_size: int, **extra: Any) -> dict[str, Any]:
    return {"items": items, "total": total, "page": page, "page_size": page_size, **extra}
