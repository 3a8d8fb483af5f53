"""Regions and postings endpoints: public search and detail, reviewers' maintenance."""
from nameko.rpc import RpcProxy

from common import regions
from contracts import postings as schemas
from gateway import inputs
from gateway.http import call, json_response, route

TAG = "见习岗位"


class PostingsRoutes:
    postings = RpcProxy("postings")

    # Static data shipped with the code, so no RPC: every process has the same copy.
    @route("GET", "/api/v1/regions", "省内地市及区县", "地区", response=schemas.RegionsSchema)
    def list_regions(self, request):
        return json_response(regions.load())

    @route("GET", "/api/v1/postings", "查询见习岗位", TAG, query=schemas.SearchQuery,
           response=schemas.PostingPageSchema, errors=(400,))
    def search_postings(self, request):
        query = inputs.query(request, schemas.SearchQuery())
        return json_response(call(self.postings.search, query))

    @route("GET", "/api/v1/postings/<string:posting_id>", "见习岗位详情", TAG,
           response=schemas.PostingDetailSchema, errors=(404,))
    def get_posting(self, request, posting_id):
        return json_response(call(self.postings.get, posting_id))

    @route("POST", "/api/v1/postings", "发布见习岗位", TAG, roles=("reviewer",),
           body=schemas.PostingSchema, response=schemas.PostingDetailSchema, status=201, errors=(400,))
    def create_posting(self, request, principal):
        body = inputs.json_body(request, schemas.PostingSchema())
        return json_response(call(self.postings.create, principal.as_rpc(), body), 201)

    @route("PATCH", "/api/v1/postings/<string:posting_id>", "修改见习岗位", TAG, roles=("reviewer",), body=schemas.PostingSchema, response=schemas.PostingDetailSchema,
           errors=(400, 404))
    def update_posting(self, request, posting_id, principal):
        body = inputs.json_body(request, schemas.PostingSchema(partial=True))
        return json_response(call(self.postings.update, principal.as_rpc(), posting_id, body))

    @route("POST", "/api/v1/postings/<string:posting_id>/close", "关闭见习岗位", TAG, roles=("reviewer",), response=schemas.PostingDetailSchema, errors=(404,))
    def close_posting(self, request, posting_id, principal):
        return json_response(call(self.postings.close, principal.as_rpc(), posting_id))
