"""The OpenAPI 3 document, generated from the route table and the marshmallow
schemas that validate the requests.

Beyond what apispec derives from each schema, the document states the rules every
endpoint shares, so that a request valid by the document is accepted and an invalid
one refused: free text carries no control characters (common.validation), a blank
query parameter counts as absent and any query may be refused (400), every JSON body may be refused as too large (413),
not JSON (415) or too deep (400), every id in a path may name nothing (404), any
backing service may not answer in time (503). Links lead from what a POST creates
to the operations that take its id, so a client (or schemathesis) can chain them.
"""

import re
from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from common.validation import MULTI_LINE_PATTERN, MULTILINE_FIELDS, SINGLE_LINE_PATTERN
from gateway.http import ROUTES

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}},
        }
    },
}
STATUS_TEXT = {
    400: "请求参数有误",
    401: "未登录或凭证无效",
    403: "无权操作",
    404: "不存在",
    409: "状态冲突",
    413: "请求体或文件过大",
    415: "类型不支持",
    429: "请求过多",
    503: "服务不可用",
}
_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def openapi_path(url):
    return _PARAM.sub(r"{\1}", url)


def _schema_ref(spec, schema):
    if schema is None:
        return None
    name = (schema if isinstance(schema, type) else type(schema)).__name__
    if getattr(schema, "partial", False) is True:  # PATCH bodies: the same fields, none required
        name += "Partial"
    if name not in spec.components.schemas:
        spec.components.schema(name, schema=schema)
    return {"$ref": f"#/components/schemas/{name}"}


@lru_cache(maxsize=1)
def document():
    spec = APISpec(
        title="就业见习 个人网上服务大厅 API", version="1.0.0", openapi_version="3.0.3", plugins=[MarshmallowPlugin()]
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    spec.components.schema("Error", ERROR_SCHEMA)
    paths = {}
    for doc in ROUTES:
        if not doc.path.startswith("/api/v1"):
            continue
        path = openapi_path(doc.path)
        op = {"summary": doc.summary, "tags": [doc.tag], "responses": {}}
        params = [
            {"in": "path", "name": n, "required": True, "schema": {"type": "string"}} for n in _PARAM.findall(doc.path)
        ]
        if doc.query is not None:
            params.append({"in": "query", "schema": doc.query})
        if params:
            op["parameters"] = params
        if doc.body is not None:
            op["requestBody"] = {
                "required": not doc.extra.get("optional_body"),
                "content": {"application/json": {"schema": _schema_ref(spec, doc.body)}},
            }
        if doc.extra.get("multipart"):
            op["requestBody"] = {
                "required": True,
                "content": {"multipart/form-data": {"schema": doc.extra["multipart"]}},
            }
        success = {"description": "成功"}
        if doc.response is not None:
            success["content"] = {"application/json": {"schema": _schema_ref(spec, doc.response)}}
        if doc.extra.get("binary"):
            kinds = doc.extra["binary"]
            success["content"] = {
                kind: {"schema": {"type": "string", "format": "binary"}}
                for kind in ((kinds,) if isinstance(kinds, str) else kinds)
            }
        op["responses"][str(doc.status)] = success
        codes = set(doc.errors) | ({401} if doc.auth else set()) | ({403} if doc.roles else set()) | {503}
        if doc.body is not None:
            codes |= {400, 413, 415}
        if doc.query is not None:
            codes.add(400)
        if _PARAM.search(doc.path):
            codes.add(404)
        for code in sorted(codes):
            op["responses"][str(code)] = {
                "description": STATUS_TEXT.get(code, "错误"),
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        if doc.auth:
            op["security"] = [{"bearer": []}]
            if doc.roles:
                op["description"] = "需要角色: " + ", ".join(doc.roles)
        paths.setdefault(path, {})[doc.method.lower()] = op
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    for schema in document["components"]["schemas"].values():
        _text_rules(schema)
    for operations in document["paths"].values():
        for op in operations.values():
            for param in op.get("parameters", ()):
                _text_rules(param["schema"], param["name"])
                if param["in"] == "query":
                    param["allowEmptyValue"] = True  # a blank parameter counts as absent
    _links(document)
    return document


def _text_rules(schema, name=""):
    """Free text (a string without enum, format or pattern) may not hold control characters."""
    if schema.get("type") == "string" and not {"enum", "format", "pattern"} & set(schema):
        schema["pattern"] = MULTI_LINE_PATTERN if name in MULTILINE_FIELDS else SINGLE_LINE_PATTERN
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        _text_rules(schema["items"], name)
    for key, prop in schema.get("properties", {}).items():
        _text_rules(prop, key)


def _pointer(path, method):
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method


def _links(document):
    """From each creating POST to every operation whose path takes an id its answer carries."""
    schemas = document["components"]["schemas"]
    for operations in document["paths"].values():
        post = operations.get("post")
        created = post and post["responses"].get("201", {}).get("content", {}).get("application/json")
        if not created or "$ref" not in created["schema"]:
            continue
        fields = schemas[created["schema"]["$ref"].rsplit("/", 1)[-1]].get("properties", {})
        links = {}
        for target_path, target_ops in document["paths"].items():
            names = re.findall(r"{(\w+)}", target_path)
            if not names or not all(n in fields for n in names):
                continue
            for method in target_ops:
                key = re.sub(r"\W+", "_", f"{method}_{target_path}").strip("_")
                links[key] = {
                    "operationRef": _pointer(target_path, method),
                    "parameters": {n: f"$response.body#/{n}" for n in names},
                }
        if links:
            post["responses"]["201"]["links"] = links
