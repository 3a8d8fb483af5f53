"""The OpenAPI 3 document, generated from the route table and the marshmallow
schemas that validate the requests."""
import re
from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from gateway.http import ROUTES

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message", "details"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}}}},
}
STATUS_TEXT = {400: "请求参数有误", 401: "未登录或凭证无效", 403: "无权操作", 404: "不存在", 409: "状态冲突",
               413: "文件过大", 415: "类型不支持", 429: "请求过多", 503: "服务不可用"}
_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def openapi_path(url):
    return _PARAM.sub(r"{\1}", url)


def _schema_ref(spec, schema):
    if schema is None:
        return None
    name = (schema if isinstance(schema, type) else type(schema)).__name__
    if name not in spec.components.schemas:
        spec.components.schema(name, schema=schema)
    return {"$ref": f"#/components/schemas/{name}"}


@lru_cache(maxsize=1)
def document():
    spec = APISpec(title="就业见习 个人网上服务大厅 API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    spec.components.schema("Error", ERROR_SCHEMA)
    paths = {}
    for doc in ROUTES:
        if not doc.path.startswith("/api/v1"):
            continue
        path = openapi_path(doc.path)
        op = {"summary": doc.summary, "tags": [doc.tag], "responses": {}}
        params = [{"in": "path", "name": n, "required": True, "schema": {"type": "string"}}
                  for n in _PARAM.findall(doc.path)]
        if doc.query is not None:
            params.append({"in": "query", "schema": doc.query})
        if params:
            op["parameters"] = params
        if doc.body is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": _schema_ref(spec, doc.body)}}}
        if doc.extra.get("multipart"):
            op["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": doc.extra["multipart"]}}}
        success = {"description": "成功"}
        if doc.response is not None:
            success["content"] = {"application/json": {"schema": _schema_ref(spec, doc.response)}}
        if doc.extra.get("binary"):
            kinds = doc.extra["binary"]
            success["content"] = {kind: {"schema": {"type": "string", "format": "binary"}}
                                  for kind in ((kinds,) if isinstance(kinds, str) else kinds)}
        op["responses"][str(doc.status)] = success
        codes = set(doc.errors) | ({401} if doc.auth else set()) | ({403} if doc.roles else set())
        for code in sorted(codes):
            op["responses"][str(code)] = {"description": STATUS_TEXT.get(code, "错误"),
                                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        if doc.auth:
            op["security"] = [{"bearer": []}]
            if doc.roles:
                op["description"] = "需要角色: " + ", ".join(doc.roles)
        paths.setdefault(path, {})[doc.method.lower()] = op
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
