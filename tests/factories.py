"""Valid test data: resident ID numbers, credit codes, people."""
import itertools
import random
from datetime import date

from common.validators import credit_check_char, id_check_char

_counter = itertools.count(1)


def id_number(birth=date(2001, 5, 17), region="140105", male=True, serial=None):
    serial = serial if serial is not None else random.randint(0, 49)
    seq = f"{serial:02d}{(1 if male else 2) + 2 * random.randint(0, 3)}"
    first17 = f"{region}{birth:%Y%m%d}{seq}"
    return first17 + id_check_char(first17)


def credit_code(body=None):
    body = body or "91140100" + "".join(random.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + credit_check_char(body)


def unique_username(prefix="user"):
    return f"{prefix}_{random.randint(10**5, 10**6 - 1)}_{next(_counter)}"


def phone():
    return "13" + "".join(random.choice("0123456789") for _ in range(9))


def person(**overrides):
    body = {
        "username": unique_username(),
        "password": "Passw0rd-2026",
        "real_name": "张三",
        "id_number": id_number(),
        "phone": phone(),
    }
    body.update(overrides)
    return body
