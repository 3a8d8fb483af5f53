"""The Operations table of the contract, through the running gateway."""

import time

from tests.e2e.conftest import assert_error


def test_healthz(anon):
    resp = anon.get("/healthz")
    assert resp.status_code == 200 and resp.json() == {"status": "ok"}


def test_readyz_when_everything_answers(anon):
    resp = anon.get("/readyz")
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "ok"


def test_metrics_count_requests_per_route(anon):
    anon.get("/healthz")
    text = anon.get("/metrics").text
    assert 'http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert "http_request_duration_seconds_bucket" in text


def test_openapi_documents_every_api_route(anon):
    doc = anon.get("/api/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/auth/register" in doc["paths"]
    register = doc["paths"]["/api/v1/auth/register"]["post"]
    schema_ref = register["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    props = doc["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]["properties"]
    assert {"username", "password", "real_name", "id_number", "phone"} <= set(props)


def test_unknown_route_is_json_404(anon):
    assert_error(anon.get("/api/v1/nope"), 404, "NOT_FOUND")


def test_wrong_method_is_json_405(anon):
    assert_error(anon.delete("/api/v1/auth/login"), 405, "METHOD_NOT_ALLOWED")


def test_request_id_is_returned_and_kept_when_supplied(anon):
    rid = "5f0c6c2e-8a7c-4d44-9d0b-7b8d3e0a1f10"
    assert anon.get("/healthz", headers={"X-Request-Id": rid}).headers["X-Request-Id"] == rid
    assert len(anon.get("/healthz").headers["X-Request-Id"]) == 36


def test_each_service_process_serves_its_own_metrics(system):
    import requests

    relay = requests.get(system.metrics_urls["applications"], timeout=10).text
    assert 'outbox_relay_lag_events{relay="applications"}' in relay
    assert 'outbox_relay_oldest_unpublished_age_seconds{relay="applications"}' in relay
    for _ in range(40):  # the favorites gauge is refreshed by a timer
        parked = requests.get(system.metrics_urls["favorites"], timeout=10).text
        if 'event_consumer_parked_messages{service="favorites"}' in parked:
            break
        time.sleep(0.5)
    assert 'event_consumer_parked_messages{service="favorites"}' in parked


def test_each_service_process_serves_its_own_probes(system):
    import requests

    for replica, url in system.health_urls.items():
        assert requests.get(url + "/healthz", timeout=10).json() == {"status": "ok"}
        ready = requests.get(url + "/readyz", timeout=10)
        assert ready.status_code == 200, (replica, ready.text)
        checks = ready.json()["checks"]
        service = replica.split(".")[0]
        assert checks["rabbitmq"] == "ok" and checks[f"database:{service}"] == "ok", (replica, checks)
        if service == "applications":
            assert checks["relay:applications"] in ("leader", "standby")
    assert requests.get(next(iter(system.health_urls.values())) + "/nope", timeout=10).status_code == 404
