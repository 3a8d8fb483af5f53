"""The two national check characters, written once and tested against known vectors.

GB 11643-1999: the 18-character resident identity number.
GB 32100-2015: the 18-character unified social credit code.
"""

import re
from datetime import date

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"
# Explicit ASCII classes with fullmatch: \d and int() accept full-width digits, `$` a trailing newline.
ID_NUMBER_PATTERN = "^[1-9][0-9]{16}[0-9X]$"
_ID_PATTERN = re.compile(ID_NUMBER_PATTERN)

_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
CREDIT_CODE_PATTERN = "^[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$"
_CREDIT_PATTERN = re.compile(CREDIT_CODE_PATTERN)


def id_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_birth_date(id_number: str) -> date | None:
    """The birth date encoded in an 18-character ID number, or None if not a real date."""
    try:
        return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def id_gender(id_number: str) -> str:
    return "男" if int(id_number[16]) % 2 == 1 else "女"


def id_number_problem(value: object, today: date) -> str | None:
    """None when `value` is a valid resident ID number on `today`, else the reason (Chinese)."""
    if not isinstance(value, str) or not _ID_PATTERN.fullmatch(value):
        return "身份证号码应为18位，前17位为数字，最后一位为数字或X"
    born = id_birth_date(value)
    if born is None:
        return "身份证号码中的出生日期无效"
    if born > today or born.year < 1900:
        return "身份证号码中的出生日期不合理"
    if id_check_char(value[:17]) != value[17]:
        return "身份证号码校验位不正确"
    return None


def credit_check_char(first17: str) -> str:
    total = sum(_CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(value: object) -> str | None:
    """None when `value` is a valid unified social credit code, else the reason (Chinese)."""
    if not isinstance(value, str) or not _CREDIT_PATTERN.fullmatch(value):
        return "统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）"
    if credit_check_char(value[:17]) != value[17]:
        return "统一社会信用代码校验位不正确"
    return None


def mask(value: str, keep_start: int, keep_end: int) -> str:
    if not value:
        return value
    hidden = max(len(value) - keep_start - keep_end, 0)
    return value[:keep_start] + "*" * hidden + value[len(value) - keep_end :]


def mask_id_number(id_number: str) -> str:
    return mask(id_number, 6, 4)


def mask_phone(phone: str) -> str:
    return mask(phone, 3, 4)


# Patterns for common.validation.Pattern (whole-value match) and the OpenAPI document.
MOBILE_PATTERN = "^1[3-9][0-9]{9}$"
USERNAME_PATTERN = "^[A-Za-z0-9_]{4,32}$"
CASE_NUMBER_PATTERN = "^JX[0-9]{14}$"
# Months from 1900 on: year 0000 has no calendar month to search.
MONTH_PATTERN = "^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])$"
