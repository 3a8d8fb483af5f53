"""Favorites request and response schemas (the gateway validates and documents with them too)."""

from marshmallow import Schema, fields, validate

from common import regions
from common.paging import PageQuery, capped_total_field, page_schema

# The posts are the postings service's; favorites passes its summaries on as they are.
from contracts.postings import PostingDetailSchema, PostingSummarySchema, check_county
from contracts.vocabulary import BOOKMARK_LIMIT


class FavoritePostingsQuery(PageQuery):
    """Open posts in the intern's jurisdiction; `county` narrows a city-level one."""

    county = fields.String(validate=check_county, metadata={"enum": regions.county_codes()})
    q = fields.String(validate=validate.Length(max=50, error="关键词最多50个字符"))


class FavoritePostingSchema(PostingSummarySchema):
    favorited = fields.Boolean()


class FavoritedPostingSchema(PostingDetailSchema):
    """What PUT answers: the post's detail, now bookmarked."""

    favorited = fields.Boolean()


FavoritePostingPageSchema = page_schema(
    FavoritePostingSchema, "FavoritePostingPageSchema", total_capped=capped_total_field()
)


class FavoritesSchema(Schema):
    items = fields.List(fields.Nested(PostingSummarySchema))
    limit = fields.Integer(metadata={"example": BOOKMARK_LIMIT})
