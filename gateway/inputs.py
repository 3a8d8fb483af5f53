"""Reading request bodies and query strings, with contract-shaped errors."""

import json
import re

from common import errors, validation


class UnsupportedMediaType(errors.ServiceError):
    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"
    default_message = "请求体必须是 application/json"


MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32
# The tokens that decide nesting: escapes (skipped), quotes (enter/leave text), brackets.
_JSON_TOKEN = re.compile(rb'\\.|["\[\]{}]', re.DOTALL)


class PayloadTooLarge(errors.ServiceError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"
    default_message = "请求体过大"


def json_body(request, schema=None):
    """The JSON object in the body, loaded (validated) by `schema` when given.

    The service re-validates what it receives; the gateway's load is there so
    a bad request costs no RPC and the OpenAPI document comes from the same schema.
    """
    if request.mimetype != "application/json":
        raise UnsupportedMediaType()
    if (request.content_length or 0) > MAX_JSON_BYTES:
        raise PayloadTooLarge(details={"body": [f"JSON 请求体不得超过 {MAX_JSON_BYTES} 字节"]})
    request.max_content_length = MAX_JSON_BYTES
    raw = request.get_data(cache=True)
    if json_depth(raw) > MAX_JSON_DEPTH:
        raise errors.InvalidInput("请求体嵌套过深", details={"body": [f"JSON 嵌套不得超过 {MAX_JSON_DEPTH} 层"]})
    try:
        body = json.loads(raw.decode("utf-8")) if raw else None
    except ValueError as exc:  # bad UTF-8, bad JSON, or an integer too long to convert
        raise errors.InvalidInput("请求体不是有效的 JSON", details={"body": [str(exc)[:200]]}) from None
    if not isinstance(body, dict):
        raise errors.InvalidInput("请求体必须是 JSON 对象", details={"body": ["应为 JSON 对象"]})
    if schema is not None:
        validation.load(schema, body)
    return body


def json_depth(raw):
    """The deepest nesting of arrays and objects in a JSON text, measured before parsing it,
    so a body of 100,000 `[` is refused instead of recursing."""
    depth = deepest = 0
    in_string = False
    for match in _JSON_TOKEN.finditer(raw):
        token = match.group()
        if token == b'"':
            in_string = not in_string
        elif in_string or len(token) == 2:
            continue
        elif token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                break
        else:
            depth -= 1
    return deepest


def query(request, schema):
    """Query parameters (blanks count as absent), checked by `schema` and passed on as given."""
    args = {k: v for k, v in request.args.items() if v != ""}
    validation.load(schema, args)
    return args
