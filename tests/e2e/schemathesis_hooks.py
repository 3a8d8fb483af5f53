"""What JSON Schema cannot say, told to schemathesis (loaded through SCHEMATHESIS_HOOKS).

- `gb11643` (resident ID number) and `gb32100` (unified social credit code) carry check
  characters, `person-name` is "letters of any script": strategies for valid values.
- A county must lie in the chosen city, a post's deadline must not have passed: positive
  cases are adjusted to that.
"""

from datetime import date, timedelta

import schemathesis
from hypothesis import strategies as st

from common import clock, regions
from common.validators import credit_check_char, id_check_char

ALNUM = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@st.composite
def id_numbers(draw):
    born = draw(st.dates(min_value=date(1950, 1, 1), max_value=date(2008, 12, 31)))
    serial = draw(st.integers(min_value=0, max_value=999))
    first17 = f"140105{born:%Y%m%d}{serial:03d}"
    return first17 + id_check_char(first17)


@st.composite
def credit_codes(draw):
    body = "91140100" + "".join(draw(st.lists(st.sampled_from(ALNUM), min_size=9, max_size=9)))
    return body + credit_check_char(body)


schemathesis.openapi.format("gb11643", id_numbers())
schemathesis.openapi.format("gb32100", credit_codes())
schemathesis.openapi.format(
    "person-name", st.text(alphabet="张王李赵刘陈杨黄周吴明华丽芳伟强", min_size=2, max_size=30)
)

PAIRS = (("city_code", "county_code"), ("city", "county"))


def nest(data):
    """Put the county inside the city where both are known codes; a body moving a post to
    another city or county names both (the stored post's other half would not match)."""
    if isinstance(data, dict):
        if "county_code" in data and "city_code" not in data and regions.county(data["county_code"]):
            data["city_code"] = regions.city_of_county(data["county_code"])
        if "city_code" in data and "county_code" not in data and regions.city(data["city_code"]):
            data["county_code"] = regions.city(data["city_code"])["counties"][0]["code"]
        for city_key, county_key in PAIRS:
            city, county = data.get(city_key), data.get(county_key)
            if (
                regions.city(city) is not None
                and regions.county(county) is not None
                and regions.city_of_county(county) != city
            ):
                data[county_key] = regions.city(city)["counties"][0]["code"]
        for value in data.values():
            nest(value)
    return data


@schemathesis.hook
def map_case(context, case):
    if case.meta is None or case.meta.generation.mode.name.lower() == "positive":
        nest(case.body)
        nest(case.query)
        if (
            isinstance(case.body, dict)
            and isinstance(case.body.get("deadline"), str)
            and case.body["deadline"] < clock.today().isoformat()
        ):
            case.body["deadline"] = (clock.today() + timedelta(days=30)).isoformat()
    return case
