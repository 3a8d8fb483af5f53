"""Applications' boundary: the shape and format of forms and queries (contracts.applications).

The rules that need the person or their uploads (eligibility, gender, attachments) are
the domain's and tested in test_applications_domain; through HTTP a few paths remain.
"""

import uuid

import pytest

from common import errors
from common.validation import load
from contracts import applications


def body(**overrides):
    form = {
        "category": "graduate",
        "gender": "男",
        "education": "本科",
        "school": "山西大学",
        "major": "软件工程",
        "graduation_date": "2026-06-30",
        "household_address": "山西省太原市小店区坞城路92号",
        "current_address": "山西省太原市迎泽区迎泽大街1号",
        "phone": "13912345678",
        "jurisdiction": {"city_code": "140100", "county_code": "140105"},
        "attachment_ids": [str(uuid.uuid4())],
        "declaration_accepted": True,
    }
    form.update(overrides)
    return form


def problems(schema, data):
    with pytest.raises(errors.InvalidInput) as caught:
        load(schema, data)
    return caught.value.details


def test_a_complete_form_loads():
    loaded = load(applications.ApplicationSchema(), body())
    assert loaded["graduation_date"].isoformat() == "2026-06-30" and loaded["unemployment_registration_number"] is None


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"category": "pilot"}, "category"),
        ({"gender": "其他"}, "gender"),
        ({"education": "小学"}, "education"),
        ({"phone": "12345"}, "phone"),
        ({"attachment_ids": []}, "attachment_ids"),
        ({"attachment_ids": ["not-a-uuid"]}, "attachment_ids.0"),
        ({"attachment_ids": [str(uuid.uuid4()) for _ in range(21)]}, "attachment_ids"),
        ({"household_address": "太"}, "household_address"),
        ({"graduation_date": "2026-13-01"}, "graduation_date"),
        ({"jurisdiction": {"county_code": "140105"}}, "jurisdiction.city_code"),
        ({"declaration_accepted": "maybe"}, "declaration_accepted"),
    ],
)
def test_each_malformed_field_is_named(overrides, field):
    assert field in problems(applications.ApplicationSchema(), body(**overrides))


def test_missing_fields_are_named_together():
    form = body()
    del form["household_address"], form["phone"]
    assert {"household_address", "phone"} <= set(problems(applications.ApplicationSchema(), form))


@pytest.mark.parametrize(
    "query,field",
    [
        ({"month": "2026-13"}, "month"),
        ({"month": "202611"}, "month"),
        ({"status": "done"}, "status"),
        ({"page_size": "101"}, "page_size"),
        ({"page": "0"}, "page"),
    ],
)
def test_my_cases_query_names_each_bad_parameter(query, field):
    assert field in problems(applications.MyApplicationsQuery(), query)


@pytest.mark.parametrize(
    "query,field",
    [
        ({"city": "990000"}, "city"),
        ({"county": "999999"}, "county"),
        ({"city": "140100", "county": "140212"}, "county"),
        ({"status": "done"}, "status"),
    ],
)
def test_review_query_names_each_bad_parameter(query, field):
    assert field in problems(applications.ReviewQuery(), query)


@pytest.mark.parametrize(
    "key,usable",
    [
        (None, None),
        ("", None),
        ("abc-123", "abc-123"),
        ("k" * 200, "k" * 200),
    ],
)
def test_idempotency_keys(key, usable):
    assert applications.check_idempotency_key(key) == usable


@pytest.mark.parametrize("key", ["k" * 201, "有中文", "with space", "tab\t"])
def test_malformed_idempotency_keys_name_the_header(key):
    with pytest.raises(errors.InvalidInput) as caught:
        applications.check_idempotency_key(key)
    assert "Idempotency-Key" in caught.value.details
