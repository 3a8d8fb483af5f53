"""GET /api/v1/regions through the gateway."""


def test_regions_lists_the_province_its_11_cities_and_117_counties(anon):
    resp = anon.get("/api/v1/regions")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["province"] == {"code": "140000", "name": "山西省"}
    assert len(body["cities"]) == 11
    assert sum(len(city["counties"]) for city in body["cities"]) == 117
    taiyuan = next(city for city in body["cities"] if city["code"] == "140100")
    assert taiyuan["name"] == "太原市" and {"code": "140105", "name": "小店区"} in taiyuan["counties"]


def test_regions_is_documented(anon):
    doc = anon.get("/api/openapi.json").json()
    assert "/api/v1/regions" in doc["paths"]
