"""Valid test data: resident ID numbers, credit codes, people, posts, applications."""

import itertools
import random
from datetime import date, timedelta

from common import clock
from common.validators import credit_check_char, id_check_char

_counter = itertools.count(1)


def birth_date():
    """A birth date making the person 18 to 23 years old in 2026 (eligible as unemployed youth)."""
    return date(2003, 1, 1) + timedelta(days=random.randint(0, 5 * 365))


def id_number(birth=None, region="140105", male=True):
    """A checksum-valid number; random birth date and serial keep collisions negligible."""
    birth = birth or birth_date()
    seq = f"{random.randint(0, 99):02d}{(1 if male else 2) + 2 * random.randint(0, 3)}"
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


def posting(**overrides):
    """A post as a reviewer writes it: every field valid, open for another 30 days."""
    body = {
        "title": "软件开发见习生",
        "employer_name": "太原晋阳网络科技有限公司",
        "employer_credit_code": credit_code(),
        "city_code": "140100",
        "county_code": "140105",
        "industry": "信息传输、软件和信息技术服务业",
        "headcount": 3,
        "education_requirement": "本科",
        "major_requirement": "计算机科学与技术",
        "duration_months": 6,
        "monthly_subsidy": 2300,
        "address": "太原市小店区长风街100号",
        "contact_name": "刘洋",
        "contact_phone": "0351-7001234",
        "description": "参与Web应用的需求分析、代码编写与单元测试，见习期满择优留用。",
        "deadline": (clock.today() + timedelta(days=30)).isoformat(),
    }
    body.update(overrides)
    return body


def cashier_posting(**overrides):
    """A 出纳 post open to any education and major in 太原市 小店区 (the bookmark and workload
    tests' post), every field valid."""
    return posting(
        **{
            "title": "出纳见习",
            "employer_name": "太原晋阳会计服务有限公司",
            "industry": "租赁和商务服务业",
            "headcount": 2,
            "education_requirement": "不限",
            "major_requirement": "不限",
            "monthly_subsidy": 1800,
            "address": "太原市小店区长风街1号",
            "contact_name": "王伟",
            "contact_phone": "0351-5551234",
            "description": "现金收付、票据整理与日常账务协助。",
            **overrides,
        }
    )


def application(phone, jurisdiction, attachment_ids, **overrides):
    """A graduate's application as the contract describes it, graduated 200 days ago."""
    body = {
        "category": "graduate",
        "gender": "男",
        "education": "本科",
        "school": "山西大学",
        "major": "会计学",
        "graduation_date": (clock.today() - timedelta(days=200)).isoformat(),
        "household_address": "山西省太原市小店区坞城路92号",
        "current_address": "山西省太原市小店区坞城路92号",
        "phone": phone,
        "jurisdiction": jurisdiction,
        "attachment_ids": attachment_ids,
        "declaration_accepted": True,
    }
    body.update(overrides)
    return body
