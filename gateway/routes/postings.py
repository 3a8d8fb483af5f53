"""Regions and postings endpoints: public search and detail (cached, see gateway/cache.py),
reviewers' maintenance, and the post events that keep this replica's cache fresh."""

import json

from nameko.events import BROADCAST, event_handler

from common import regions
from common.ids import parse_uuid
from common.rpc import call
from common.transport import rpc_proxy
from contracts import postings as schemas
from gateway import inputs
from gateway.cache import DETAIL, EVENTS, SEARCH, PostsCache
from gateway.http import json_response, route

TAG = "见习岗位"


def post_event_handler(event_type):
    """This replica's own queue for `event_type`: every replica sees every event, and the queue
    lives as long as the replica's connection (a cache starts empty anyway)."""
    return event_handler("postings", event_type, handler_type=BROADCAST, reliable_delivery=False)


def cached(cache, kind, key, fetch):
    """The cached body of `key`, or `fetch()`'s answer, encoded and kept for the next caller.
    An answer that is a str is JSON text already (the search's), sent as it is."""
    body = cache.get(kind, key)
    if body is None:
        generation = cache.generation
        answer = fetch()
        body = (answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)).encode("utf-8")
        cache.put(kind, key, body, generation)
    return json_response(body)


class PostingsRoutes:
    postings = rpc_proxy("postings")
    posts_cache = PostsCache()

    # Static data shipped with the code, so no RPC: every process has the same copy.
    @route("GET", "/api/v1/regions", "省内地市及区县", "地区", response=schemas.RegionsSchema)
    def list_regions(self, request):
        return json_response(regions.load())

    @route(
        "GET",
        "/api/v1/postings",
        "查询见习岗位",
        TAG,
        query=schemas.SearchQuery,
        response=schemas.PostingPageSchema,
        errors=(400,),
    )
    def search_postings(self, request):
        query = inputs.query(request, schemas.SearchQuery)
        key = json.dumps(query, sort_keys=True, ensure_ascii=False)
        return cached(self.posts_cache, SEARCH, key, lambda: call(self.postings.search, query))

    @route(
        "GET",
        "/api/v1/postings/<string:posting_id>",
        "见习岗位详情",
        TAG,
        response=schemas.PostingDetailSchema,
        errors=(404,),
    )
    def get_posting(self, request, posting_id):
        key = parse_uuid(posting_id)  # one key per post, however the id is spelled
        if key is None:
            return json_response(call(self.postings.get, posting_id))
        return cached(self.posts_cache, DETAIL, str(key), lambda: call(self.postings.get, posting_id))

    @route(
        "POST",
        "/api/v1/postings",
        "发布见习岗位",
        TAG,
        roles=("reviewer",),
        body=schemas.PostingSchema,
        response=schemas.PostingDetailSchema,
        status=201,
        errors=(400,),
    )
    def create_posting(self, request, principal):
        body = inputs.json_body(request, schemas.PostingSchema())
        return self._changed(call(self.postings.create, principal.as_rpc(), body), 201)

    @route(
        "PATCH",
        "/api/v1/postings/<string:posting_id>",
        "修改见习岗位",
        TAG,
        roles=("reviewer",),
        body=schemas.PostingSchema(partial=True),
        response=schemas.PostingDetailSchema,
        errors=(400, 404),
    )
    def update_posting(self, request, posting_id, principal):
        body = inputs.json_body(request, schemas.PostingSchema(partial=True))
        return self._changed(call(self.postings.update, principal.as_rpc(), posting_id, body))

    @route(
        "POST",
        "/api/v1/postings/<string:posting_id>/close",
        "关闭见习岗位",
        TAG,
        roles=("reviewer",),
        response=schemas.PostingDetailSchema,
        errors=(404,),
    )
    def close_posting(self, request, posting_id, principal):
        return self._changed(call(self.postings.close, principal.as_rpc(), posting_id))

    def _changed(self, detail, status=200):
        # The reviewer reads their own change on this replica at once; others follow the event.
        self.posts_cache.invalidate(detail["posting_id"])
        return json_response(detail, status)

    @post_event_handler(schemas.POSTING_PUBLISHED)
    def on_posting_published(self, event):
        self._invalidate(schemas.POSTING_PUBLISHED, event)

    @post_event_handler(schemas.POSTING_CHANGED)
    def on_posting_changed(self, event):
        self._invalidate(schemas.POSTING_CHANGED, event)

    @post_event_handler(schemas.POSTING_CLOSED)
    def on_posting_closed(self, event):
        self._invalidate(schemas.POSTING_CLOSED, event)

    def _invalidate(self, event_type, event):
        self.posts_cache.invalidate(event["posting_id"])
        EVENTS.labels(event_type).inc()
