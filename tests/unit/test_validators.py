from datetime import date

import pytest

from common import validators as v

TODAY = date(2026, 11, 29)


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the GB 11643 standard's own example
        "110101199003077678",
    ],
)
def test_known_valid_id_numbers(number):
    assert v.id_check_char(number[:17]) == number[17]
    assert v.id_number_problem(number, TODAY) is None


def test_check_character_vectors_cover_x_and_every_digit():
    seen = {v.id_check_char(f"14010520000101{n:03d}") for n in range(200)}
    assert seen == set("0123456789X")


def test_wrong_check_character_is_rejected():
    assert "校验位" in v.id_number_problem("110101199003077677", TODAY)


@pytest.mark.parametrize(
    "number", ["", "12345", "11010519491231002x", "01010519491231002X", "1101051949123100AX", 1234]
)
def test_malformed_id_numbers(number):
    assert v.id_number_problem(number, TODAY) is not None


def _valid(first17):
    return first17 + v.id_check_char(first17)


def test_impossible_birth_dates():
    assert "出生日期无效" in v.id_number_problem(_valid("14010520010229123"), TODAY)  # 2001 not leap
    assert "出生日期无效" in v.id_number_problem(_valid("14010520001301123"), TODAY)
    assert v.id_number_problem(_valid("14010520000229123"), TODAY) is None  # 2000 is leap


def test_checksum_valid_but_implausibly_old_birth_year_is_rejected():
    assert v.id_check_char("44052418800101001") == "4"
    assert "不合理" in v.id_number_problem("440524188001010014", TODAY)


def test_birth_date_in_the_future_is_rejected_and_today_is_fine():
    assert "不合理" in v.id_number_problem(_valid("14010520261130123"), TODAY)
    assert v.id_number_problem(_valid("14010520261129123"), TODAY) is None


def test_birth_date_and_gender_from_the_number():
    number = _valid("14010520010517122")
    assert v.id_birth_date(number) == date(2001, 5, 17)
    assert v.id_gender(number) == "女"  # the 17th digit, 2, is even
    assert v.id_gender(_valid("14010520010517113")) == "男"


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # widely published example
        "91110000600037341L",
        "911101087921231234"[:17] + v.credit_check_char("911101087921231234"[:17]),
    ],
)
def test_known_valid_credit_codes(code):
    assert v.credit_code_problem(code) is None


def test_credit_codes_with_legal_prefixes_a_n_y():
    for prefix in ("A1", "N1", "Y1"):
        body = prefix + "140100MA0000001"
        assert v.credit_code_problem(body + v.credit_check_char(body)) is None


def test_credit_code_wrong_check_and_bad_letters():
    assert "校验位" in v.credit_code_problem("91350100M000100Y44")
    assert v.credit_code_problem("91350100M000100I43") is not None  # I is not in the alphabet
    assert v.credit_code_problem("9135010") is not None


def test_masking():
    assert v.mask_id_number("140105200105171234") == "140105********1234"
    assert v.mask_phone("13812345678") == "138****5678"
