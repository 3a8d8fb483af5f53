"""The province's cities and counties, from the project's own copy of the data."""

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, TypedDict

DATA = Path(__file__).resolve().parent / "data" / "shanxi_regions.json"


class Region(TypedDict):
    code: str
    name: str


class City(Region):
    counties: list[Region]


class Regions(TypedDict):
    province: Region
    cities: list[City]


class Jurisdiction(TypedDict):
    """业务办理属地: a city, and a county inside it or None for the city-level bureau (市本级)."""

    city_code: str
    county_code: str | None


@lru_cache(maxsize=1)
def load() -> Regions:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    return {
        "province": {"code": raw["province"]["code"], "name": raw["province"]["name"]},
        "cities": [
            {
                "code": city["code"],
                "name": city["name"],
                "counties": [{"code": c["code"], "name": c["name"]} for c in city["counties"]],
            }
            for city in raw["cities"]
        ],
    }


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, City], dict[str, tuple[Region, str]]]:
    cities: dict[str, City] = {}
    counties: dict[str, tuple[Region, str]] = {}
    for city in load()["cities"]:
        cities[city["code"]] = city
        for county in city["counties"]:
            counties[county["code"]] = (county, city["code"])
    return cities, counties


def city(code: str | None) -> City | None:
    return _index()[0].get(code) if isinstance(code, str) else None


def county(code: str | None) -> Region | None:
    found = _index()[1].get(code) if isinstance(code, str) else None
    return found[0] if found else None


def city_of_county(code: str | None) -> str | None:
    found = _index()[1].get(code) if isinstance(code, str) else None
    return found[1] if found else None


def jurisdiction_problems(
    city_code: str | None, county_code: str | None, city_field: str = "city_code", county_field: str = "county_code"
) -> dict[str, list[str]]:
    """Field errors for a (city, county-or-None) pair; empty when both are known and nested."""
    if city(city_code) is None:
        return {city_field: ["未知的地市代码"]}
    if county_code is not None:
        if county(county_code) is None:
            return {county_field: ["未知的区县代码"]}
        if city_of_county(county_code) != city_code:
            return {county_field: ["该区县不属于所选地市"]}
    return {}


def describe(city_code: str, county_code: str | None) -> dict[str, str | None]:
    """A jurisdiction as the API shows it: codes with names; county null means 市本级."""
    c = city(city_code)
    k = county(county_code) if county_code else None
    return {
        "city_code": city_code,
        "city_name": c["name"] if c else None,
        "county_code": county_code,
        "county_name": k["name"] if k else None,
    }


def contains(outer: Mapping[str, Any] | None, inner: Mapping[str, Any]) -> bool:
    """Whether jurisdiction `inner` lies inside `outer` (None = whole province)."""
    if outer is None or not outer.get("city_code"):
        return True
    if outer["city_code"] != inner.get("city_code"):
        return False
    return outer.get("county_code") is None or outer["county_code"] == inner.get("county_code")


def city_codes() -> list[str]:
    return sorted(_index()[0])


def county_codes() -> list[str]:
    return sorted(_index()[1])
