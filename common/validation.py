"""Loading input with marshmallow schemas into the contract's error shape."""
from functools import cache
from typing import Any

from marshmallow import Schema, ValidationError

from common.errors import InvalidInput


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """{"jurisdiction": {"city_code": [..]}} -> {"jurisdiction.city_code": [..]}"""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict):
                flat.update(flatten(value, name))
            else:
                flat[name] = [str(m) for m in (value if isinstance(value, list) else [value])]
    else:
        flat[prefix or "_schema"] = [str(m) for m in (messages if isinstance(messages, list) else [messages])]
    return flat


@cache
def _schema(cls: type[Schema]) -> Schema:
    # Building a schema copies its declared fields; one instance per class serves every load
    # (loading keeps no state on the instance).
    return cls()


def load(schema: Schema | type[Schema], data: Any, **kwargs: Any) -> Any:
    """`data` loaded by `schema`, an instance or a class (whose one shared instance is used)."""
    if isinstance(schema, type):
        schema = _schema(schema)
    if data is None:
        data = {}
    try:
        return schema.load(data, **kwargs)
    except ValidationError as exc:
        raise InvalidInput(details=flatten(exc.messages)) from None
