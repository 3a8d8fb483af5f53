"""Input hygiene in the shared layers: ASCII-only digits, whole-value patterns, no control
characters, bounded pages and nesting (API.md, "Input and response hygiene")."""

from datetime import date

import pytest
from marshmallow import Schema, fields

from common import errors, validation, validators
from common.paging import PageQuery
from gateway import inputs

TODAY = date(2026, 11, 29)
ID_NUMBER = "140105200405178814"


def test_id_number_with_full_width_digits_is_refused():
    assert validators.id_number_problem(ID_NUMBER, TODAY) is None
    assert validators.id_number_problem("140105２００４05178814", TODAY) is not None
    assert validators.id_number_problem(ID_NUMBER + "\n", TODAY) is not None


def test_credit_code_with_full_width_digits_or_newline_is_refused():
    code = "91140100MA0K000000"
    code = code[:17] + validators.credit_check_char(code[:17])
    assert validators.credit_code_problem(code) is None
    assert validators.credit_code_problem(code.replace("1401", "１４０１")) is not None
    assert validators.credit_code_problem(code + "\n") is not None


class Sample(Schema):
    phone = fields.String(validate=validation.Pattern(validators.MOBILE_PATTERN))
    username = fields.String(validate=validation.Pattern(validators.USERNAME_PATTERN))
    month = fields.String(validate=validation.Pattern(validators.MONTH_PATTERN))
    case_number = fields.String(validate=validation.Pattern(validators.CASE_NUMBER_PATTERN))
    description = fields.String()
    title = fields.String()
    items = fields.List(fields.String())
    nested = fields.Dict()


@pytest.mark.parametrize(
    "field, good, bad",
    [
        ("phone", "13800001234", "13800001234\n"),
        ("phone", "13800001234", "13８００００１２３４"),
        ("username", "demo_admin", "demo_admin\n"),
        ("username", "demo_admin", "démo_admin"),
        ("month", "2026-11", "0000-01"),
        ("month", "2026-11", "２０２６-11"),
        ("case_number", "JX20261129000042", "JX2026112900004２"),
        ("case_number", "JX20261129000042", "JX20261129000042\n"),
    ],
)
def test_patterns_match_the_whole_value_in_ascii(field, good, bad):
    assert validation.load(Sample(), {field: good}) == {field: good}
    with pytest.raises(errors.InvalidInput) as caught:
        validation.load(Sample(), {field: bad})
    assert field in caught.value.details


@pytest.mark.parametrize(
    "data, field",
    [
        ({"title": "a\x00b"}, "title"),
        ({"title": "a\nb"}, "title"),
        ({"title": "a\x85b"}, "title"),
        ({"description": "a\x00b"}, "description"),
        ({"description": "a\x1bb"}, "description"),
        ({"items": ["ok", "x\x00"]}, "items"),
        ({"nested": {"inner": "\x07"}}, "nested.inner"),
    ],
)
def test_control_characters_are_a_400_naming_the_field(data, field):
    with pytest.raises(errors.InvalidInput) as caught:
        validation.load(Sample(), data)
    assert caught.value.details == {field: [validation.CONTROL_MESSAGE]}


def test_newline_and_tab_pass_only_in_multi_line_fields():
    data = {"description": "第一行\n\t第二行", "items": ["补充\n材料"]}
    assert validation.load(Sample(), data) == data


def test_openapi_patterns_agree_with_the_check():
    import re

    assert re.fullmatch(validation.SINGLE_LINE_PATTERN, "普通文本 ok") and not re.fullmatch(
        validation.SINGLE_LINE_PATTERN, "a\tb"
    )
    assert re.fullmatch(validation.MULTI_LINE_PATTERN, "a\tb\nc") and not re.fullmatch(
        validation.MULTI_LINE_PATTERN, "a\x00b"
    )


@pytest.mark.parametrize("page", ["10001", "99999999999999999999", "1" * 5000])
def test_pages_above_10000_are_refused(page):
    with pytest.raises(errors.InvalidInput) as caught:
        validation.load(PageQuery(), {"page": page})
    assert "page" in caught.value.details
    assert validation.load(PageQuery(), {"page": "10000"})["page"] == 10000


@pytest.mark.parametrize(
    "raw, depth",
    [
        (b"{}", 1),
        (b'{"a": [1, {"b": []}]}', 4),
        (b'{"a": "[[[[\\"[["}', 1),
        (b"[" * 100000, 33),
        (b"", 0),
    ],
)
def test_json_depth_is_measured_without_parsing(raw, depth):
    assert inputs.json_depth(raw) == depth


def test_json_depth_of_escaped_quotes_is_linear():
    import time

    started = time.perf_counter()
    inputs.json_depth(b'"' + b'\\"' * 500000)
    assert time.perf_counter() - started < 5
