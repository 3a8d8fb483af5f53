from common import regions


def test_province_has_11_cities_and_117_counties():
    data = regions.load()
    assert data["province"] == {"code": "140000", "name": "山西省"}
    assert len(data["cities"]) == 11
    assert sum(len(c["counties"]) for c in data["cities"]) == 117


def test_jurisdiction_checks():
    assert regions.jurisdiction_problems("140100", "140105") == {}
    assert regions.jurisdiction_problems("140100", None) == {}
    assert "city_code" in regions.jurisdiction_problems("999999", None)
    assert "county_code" in regions.jurisdiction_problems("140100", "999999")
    assert "county_code" in regions.jurisdiction_problems("140200", "140105")  # 小店区 is in 太原


def test_contains():
    taiyuan = {"city_code": "140100", "county_code": None}
    xiaodian = {"city_code": "140100", "county_code": "140105"}
    assert regions.contains(None, xiaodian)
    assert regions.contains(taiyuan, xiaodian)
    assert not regions.contains(xiaodian, taiyuan)
    assert not regions.contains({"city_code": "140200", "county_code": None}, xiaodian)


def test_describe_names_the_places():
    assert regions.describe("140100", "140105") == {
        "city_code": "140100",
        "city_name": "太原市",
        "county_code": "140105",
        "county_name": "小店区",
    }
    assert regions.describe("140100", None)["county_name"] is None
