"""Favorites endpoints (见习岗位录入及维护): an approved intern's posts and bookmarks.

Only applicants (persons) may call them: staff accounts get 403 FORBIDDEN, persons who
are not approved interns 403 NOT_AN_INTERN.
"""

from werkzeug.wrappers import Response

from common.rpc import call
from common.transport import rpc_proxy
from contracts import favorites as schemas
from gateway import inputs
from gateway.http import json_response, route

TAG = "见习岗位收藏"


# Bookmark paths take a UUID, so /api/v1/favorites/postings is never read as a bookmark
# (a 405 there names only GET in `Allow`).


class FavoritesRoutes:
    favorites = rpc_proxy("favorites")

    @route(
        "GET",
        "/api/v1/favorites/postings",
        "属地内可收藏的见习岗位",
        TAG,
        roles=("applicant",),
        query=schemas.FavoritePostingsQuery,
        response=schemas.FavoritePostingPageSchema,
        errors=(400,),
    )
    def favorite_postings(self, request, principal):
        query = inputs.query(request, schemas.FavoritePostingsQuery)
        return json_response(call(self.favorites.open_postings, principal.as_rpc(), query))

    @route("GET", "/api/v1/favorites", "我收藏的见习岗位", TAG, roles=("applicant",), response=schemas.FavoritesSchema)
    def list_favorites(self, request, principal):
        return json_response(call(self.favorites.favorites, principal.as_rpc()))

    @route(
        "PUT",
        "/api/v1/favorites/<uuid:posting_id>",
        "收藏见习岗位（最多3个）",
        TAG,
        roles=("applicant",),
        response=schemas.FavoritedPostingSchema,
        status=201,
        errors=(404, 409),
    )
    def add_favorite(self, request, posting_id, principal):
        result = call(self.favorites.add, principal.as_rpc(), str(posting_id))
        return json_response(result["posting"], 201 if result["created"] else 200)

    @route("DELETE", "/api/v1/favorites/<uuid:posting_id>", "取消收藏", TAG, roles=("applicant",), status=204)
    def remove_favorite(self, request, posting_id, principal):
        call(self.favorites.remove, principal.as_rpc(), str(posting_id))
        return Response(status=204)
