"""Loading input with marshmallow schemas into the contract's error shape.

Every load first rejects control characters in any text, wherever it sits in the
input, so no schema can forget it: NUL and the other C0/C1 controls are a 400 naming
the field; newline and tab only pass in the multi-line fields.
"""

import re
from functools import cache
from typing import Any

from marshmallow import Schema, ValidationError, validate

from common.errors import InvalidInput

# Fields whose text may span lines (keys, matched on the last part of a dotted name).
MULTILINE_FIELDS = frozenset({"description", "reason", "comment", "items"})
# The same rules as JSON Schema patterns, so the OpenAPI document says what is accepted.
SINGLE_LINE_PATTERN = "^[^\\x00-\\x1f\\x7f-\\x9f]*$"
MULTI_LINE_PATTERN = "^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]*$"
_TEXT = "[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]*"
_VISIBLE = "[^\\s\\x00-\\x1f\\x7f-\\x9f]"
_SINGLE_LINE = re.compile(SINGLE_LINE_PATTERN)
_MULTI_LINE = re.compile(MULTI_LINE_PATTERN)
CONTROL_MESSAGE = "不能包含控制字符"


def multi_line_text(min_visible: int, max_length: int) -> dict[str, Any]:
    """The OpenAPI schema of multi-line text that holds at least `min_visible` characters once
    trimmed (what the domain checks after stripping), for a field's metadata."""
    return {"pattern": "^" + _TEXT + (_VISIBLE + _TEXT) * min_visible + "$", "maxLength": max_length}


class Pattern(validate.Regexp):
    """A regular expression the whole value must match (no trailing newline slips past `$`).

    Write the pattern with explicit ASCII classes ([0-9], not \\d): it is also the
    OpenAPI document's pattern, and \\d matches full-width digits in Python.
    """

    regex: re.Pattern[str]

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, str) or self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


def text_allowed(name: str, value: str) -> bool:
    """Whether `value` (a string in the field `name`) is free of forbidden control characters."""
    leaf = str(name).rsplit(".", 1)[-1]
    checker = _MULTI_LINE if leaf in MULTILINE_FIELDS else _SINGLE_LINE
    return checker.fullmatch(value) is not None


def control_character_problems(data: Any, prefix: str = "") -> dict[str, list[str]]:
    """{field: [message]} for every string in `data` (nested dicts and lists) with a control character."""
    problems: dict[str, list[str]] = {}
    if isinstance(data, dict):
        items = ((f"{prefix}.{key}" if prefix else str(key), value) for key, value in data.items())
    elif isinstance(data, (list, tuple)):
        # A list's elements are named by the list, so `items` keeps its multi-line rule.
        items = ((prefix, value) for value in data)
    else:
        return problems
    for name, value in items:
        if isinstance(value, str):
            if not text_allowed(name, value):
                problems[name] = [CONTROL_MESSAGE]
        else:
            problems.update(control_character_problems(value, name))
    return problems


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
    problems = control_character_problems(data)
    if problems:
        raise InvalidInput(details=problems)
    try:
        return schema.load(data, **kwargs)
    except ValidationError as exc:
        raise InvalidInput(details=flatten(exc.messages)) from None
