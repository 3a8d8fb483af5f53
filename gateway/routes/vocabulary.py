"""The vocabulary endpoint: codes and labels from the contracts, served without an RPC."""

import hashlib
import json

from contracts.reference import VocabularySchema, vocabulary_document
from gateway.http import json_response, route

# Changes only with a deployment; an ETag lets clients revalidate for free after max-age.
MAX_AGE_SECONDS = 3600
_BODY = vocabulary_document()
_ETAG = hashlib.sha256(json.dumps(_BODY, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:32]


class VocabularyRoutes:
    @route(
        "GET",
        "/api/v1/vocabulary",
        "代码与名称（状态、人员类别、学历、附件类型等）",
        "代码表",
        response=VocabularySchema,
    )
    def vocabulary(self, request):
        response = json_response(_BODY)
        response.headers["Cache-Control"] = f"public, max-age={MAX_AGE_SECONDS}"
        response.set_etag(_ETAG)
        return response.make_conditional(request)
