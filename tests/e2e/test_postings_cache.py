"""The gateway's post cache across replicas: once a post's event has reached a replica, that
replica never answers with the post as it was.

Two gateway replicas of their own run beside the session's system, with a TTL far longer
than the test, so only the events can make their answers fresh.
"""

import re

import pytest

from deploy import system as runner
from tests.e2e.conftest import Client
from tests.e2e.test_postings import create, fields, tag  # noqa: F401 (fixture)
from tests.polling import wait_for

REPLICAS = 2


@pytest.fixture(scope="module")
def replicas(system, tmp_path_factory):
    log_dir = tmp_path_factory.mktemp("gateways")
    started = []
    for i in range(REPLICAS):
        port = runner.free_port()
        env = runner.base_env(S3_ENDPOINT_URL=system.s3_url, GATEWAY_PORT=port, GATEWAY_CACHE_TTL_SECONDS=3600)
        started.append(
            (
                runner.start(runner.service_command("gateway"), env, log_dir / f"gateway-{i}.log"),
                f"http://127.0.0.1:{port}",
            )
        )
    try:
        for _, url in started:
            runner.wait_http(url + "/readyz", timeout=60)
        yield [url for _, url in started]
    finally:
        runner.stop([proc for proc, _ in started])


def metric(url, name, **labels):
    text = Client(url).get("/metrics").text
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    match = re.search(rf"^{name}{{{re.escape(wanted)}}} ([0-9.e+]+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def events_seen(urls, event_type):
    return [metric(url, "gateway_cache_events_total", type=event_type) for url in urls]


def wait_until_every_replica_saw(urls, event_type, before):
    wait_for(
        lambda: all(now > then for now, then in zip(events_seen(urls, event_type), before, strict=True)), timeout=30
    )


def read_everywhere(urls, posting_id, tag):  # noqa: F811
    answers = []
    for url in urls:
        anon = Client(url)
        detail = anon.get(f"/api/v1/postings/{posting_id}")
        page = anon.get("/api/v1/postings", params={"q": tag})
        assert detail.status_code == 200 and page.status_code == 200
        answers.append((detail.json(), page.json()))
    return answers


def test_a_changed_or_closed_post_is_never_served_stale_once_its_event_reached_the_replica(replicas, reviewer, tag):  # noqa: F811
    writer = Client(replicas[0], reviewer.token)
    before = events_seen(replicas, "posting_published")
    created = create(writer, tag)
    wait_until_every_replica_saw(replicas, "posting_published", before)
    key = created["posting_id"]

    read_everywhere(replicas, key, tag)
    hits = [metric(url, "gateway_cache_lookups_total", kind="detail", result="hit") for url in replicas]
    for detail, page in read_everywhere(replicas, key, tag):
        assert detail["title"] == created["title"] and page["total"] == 1
    assert all(
        metric(url, "gateway_cache_lookups_total", kind="detail", result="hit") > hit
        for url, hit in zip(replicas, hits, strict=True)
    ), "the second reads came from the cache"

    before = events_seen(replicas, "posting_changed")
    resp = writer.patch(f"/api/v1/postings/{key}", json={"title": f"护士见习岗{tag}", "headcount": 7})
    assert resp.status_code == 200, resp.text
    wait_until_every_replica_saw(replicas, "posting_changed", before)
    for detail, page in read_everywhere(replicas, key, tag):
        assert (detail["title"], detail["headcount"]) == (f"护士见习岗{tag}", 7)
        assert [i["title"] for i in page["items"]] == [f"护士见习岗{tag}"]

    before = events_seen(replicas, "posting_closed")
    assert writer.post(f"/api/v1/postings/{key}/close").status_code == 200
    wait_until_every_replica_saw(replicas, "posting_closed", before)
    for detail, page in read_everywhere(replicas, key, tag):
        assert detail["status"] == "closed" and page["total"] == 0


def test_the_writing_replica_answers_its_own_change_at_once(replicas, reviewer, tag):  # noqa: F811
    writer = Client(replicas[1], reviewer.token)
    created = create(writer, tag)
    assert Client(replicas[1]).get(f"/api/v1/postings/{created['posting_id']}").json()["headcount"] == 3
    resp = writer.patch(f"/api/v1/postings/{created['posting_id']}", json={"headcount": 9})
    assert resp.status_code == 200
    assert Client(replicas[1]).get(f"/api/v1/postings/{created['posting_id']}").json()["headcount"] == 9


def test_search_pages_mark_capped_totals(anon):
    page = anon.get("/api/v1/postings").json()
    assert page["total_capped"] is False  # far fewer than 10000 posts in a test run
    spec = anon.get("/api/openapi.json").json()["components"]["schemas"]["PostingPageSchema"]
    assert "total_capped" in spec["properties"]
