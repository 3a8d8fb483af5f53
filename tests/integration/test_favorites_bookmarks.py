"""Bookmarks on real RabbitMQ and PostgreSQL, with the real postings service: the RPC
methods the gateway calls, and the limit of three under concurrent calls spread over
two replicas of the favorites service, each its own process as in production."""

import subprocess
import uuid
from datetime import timedelta

import pytest
from nameko.runners import ServiceRunner
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy

from common import clock, config, db, errors
from deploy import system
from services.postings.service import PostingsService
from tests import factories
from tests.conftest import LOG_DIR, VHOST
from tests.polling import wait_for

REVIEWER = {"user_id": str(uuid.uuid4()), "username": "r", "roles": ["reviewer"], "jurisdiction": None}
REPLICAS = 2
# Fewer workers per replica than concurrent calls: RabbitMQ hands each replica at most
# this many unacknowledged calls, so the calls are necessarily spread over both.
WORKERS_PER_REPLICA = 4
CONCURRENT_CALLS = 8


# A vhost of this module's own: no other test's favorites service (the end-to-end system
# runs one) consumes these calls, so only the two replicas below share them.
MODULE_VHOST = VHOST + "_favorites"
AMQP_URI = f"amqp://guest:guest@127.0.0.1:5672/{MODULE_VHOST}"


def rpc_config():
    return config.nameko_config(AMQP_URI=AMQP_URI)


@pytest.fixture(scope="module")
def cluster(amqp_uri, databases):
    """The postings service (in this process) and two favorites replicas (processes)."""
    databases("postings")
    databases("favorites")
    system.add_vhost(MODULE_VHOST)
    postings = ServiceRunner(rpc_config())
    postings.add_service(PostingsService)
    postings.start()
    env = system.base_env(MAX_WORKERS=WORKERS_PER_REPLICA, AMQP_URI=AMQP_URI)
    replicas = [
        system.start(system.service_command("favorites"), env, LOG_DIR / f"favorites-replica-{i}.log")
        for i in range(REPLICAS)
    ]
    try:
        wait_for(lambda: rpc_consumers("rpc-favorites") == [WORKERS_PER_REPLICA] * REPLICAS, timeout=30)
        with ClusterRpcProxy(rpc_config()) as proxy:
            yield proxy
    finally:
        system.stop(replicas)
        postings.stop()
        system.delete_vhost(MODULE_VHOST)


def rpc_consumers(queue):
    """The prefetch count of each consumer of `queue` in this run's vhost."""
    out = subprocess.run(
        [
            "rabbitmqctl",
            "-q",
            "list_consumers",
            "-p",
            MODULE_VHOST,
            "--no-table-headers",
            "queue_name",
            "prefetch_count",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    return [int(line.split()[1]) for line in out.splitlines() if line.split()[:1] == [queue]]


@pytest.fixture
def token():
    """Tags a test's posts, so its searches see no other test's posts."""
    return "fav" + uuid.uuid4().hex[:10].translate(str.maketrans("0123456789", "ghijklmnop"))


def new_posting(cluster, token, city="140100", county="140105", **overrides):
    body = {
        "title": f"行政助理{token}",
        "employer_name": "太原晋阳会计服务有限公司",
        "employer_credit_code": factories.credit_code(),
        "city_code": city,
        "county_code": county,
        "industry": "租赁和商务服务业",
        "headcount": 2,
        "education_requirement": "大专",
        "major_requirement": "不限",
        "duration_months": 6,
        "monthly_subsidy": 2000,
        "address": "太原市小店区长风街1号",
        "contact_name": "王伟",
        "contact_phone": "0351-5551234",
        "description": "协助处理日常行政事务与资料整理。",
        "deadline": (clock.today() + timedelta(days=30)).isoformat(),
        **overrides,
    }
    return cluster.postings.create(REVIEWER, body)["posting_id"]


def new_intern(cluster, city="140100", county="140105"):
    """A person approved through applications' events, as the relay publishes them."""
    applicant_id, application_id = str(uuid.uuid4()), str(uuid.uuid4())
    where = {"city_code": city, "county_code": county}
    dispatch = event_dispatcher(rpc_config())
    common = {"application_id": application_id, "applicant_id": applicant_id, "occurred_at": clock.now().isoformat()}
    dispatch(
        "applications",
        "application_submitted",
        {
            **common,
            "event_id": str(uuid.uuid4()),
            "stream_version": 1,
            "case_number": "JX20261129000001",
            "jurisdiction": where,
            "category": "graduate",
        },
    )
    dispatch(
        "applications",
        "application_approved",
        {
            **common,
            "event_id": str(uuid.uuid4()),
            "stream_version": 2,
            "jurisdiction": where,
            "reviewer_id": REVIEWER["user_id"],
            "comment": None,
        },
    )
    wait_for(lambda: cluster.favorites.intern_status(applicant_id)["eligible"])
    return {"user_id": applicant_id, "username": "intern", "roles": ["applicant"], "jurisdiction": None}


def bookmark_count(applicant_id):
    with db.connect("favorites") as conn:
        return conn.execute("SELECT count(*) AS n FROM favorites WHERE applicant_id = %s", (applicant_id,)).fetchone()[
            "n"
        ]


def outcome(reply):
    try:
        return "created" if reply.result()["created"] else "already"
    except errors.Conflict as exc:
        return exc.code


@pytest.mark.parametrize("round_", range(3))
def test_eight_concurrent_bookmarks_over_two_replicas_give_exactly_three(cluster, token, round_):
    intern = new_intern(cluster)
    posts = [new_posting(cluster, token) for _ in range(CONCURRENT_CALLS)]
    replies = [cluster.favorites.add.call_async(intern, post) for post in posts]
    outcomes = sorted(outcome(r) for r in replies)
    assert outcomes == ["FAVORITES_LIMIT_REACHED"] * 5 + ["created"] * 3
    assert bookmark_count(intern["user_id"]) == 3
    assert len(cluster.favorites.favorites(intern)["items"]) == 3


def test_concurrent_repeats_of_one_bookmark_add_it_once(cluster, token):
    intern = new_intern(cluster)
    post = new_posting(cluster, token)
    replies = [cluster.favorites.add.call_async(intern, post) for _ in range(CONCURRENT_CALLS)]
    outcomes = sorted(outcome(r) for r in replies)
    assert outcomes == ["already"] * (CONCURRENT_CALLS - 1) + ["created"]
    assert bookmark_count(intern["user_id"]) == 1


def test_the_bookmark_flow(cluster, token):
    intern = new_intern(cluster, county=None)  # 市本级: the whole of 太原市
    xiaodian, yingze = new_posting(cluster, token), new_posting(cluster, token, county="140106")
    closed = new_posting(cluster, token)
    cluster.postings.close(REVIEWER, closed)
    datong = new_posting(cluster, token, city="140200", county="140212", address="大同市平城区1号")
    favorites = cluster.favorites

    page = favorites.open_postings(intern, {"q": token})
    assert {i["posting_id"] for i in page["items"]} == {xiaodian, yingze}
    assert page["total"] == 2 and not any(i["favorited"] for i in page["items"])
    assert [i["posting_id"] for i in favorites.open_postings(intern, {"q": token, "county": "140106"})["items"]] == [
        yingze
    ]
    with pytest.raises(errors.InvalidInput) as caught:
        favorites.open_postings(intern, {"q": token, "county": "140212"})
    assert "county" in caught.value.details

    first = favorites.add(intern, yingze)
    assert first["created"] is True and first["posting"]["posting_id"] == yingze and first["posting"]["favorited"]
    assert favorites.add(intern, yingze.upper())["created"] is False
    assert favorites.add(intern, xiaodian)["created"] is True
    flags = {i["posting_id"]: i["favorited"] for i in favorites.open_postings(intern, {"q": token})["items"]}
    assert flags == {xiaodian: True, yingze: True}
    mine = favorites.favorites(intern)
    assert [i["posting_id"] for i in mine["items"]] == [yingze, xiaodian] and mine["limit"] == 3

    for post, code in ((closed, "POSTING_CLOSED"), (datong, "OUTSIDE_JURISDICTION")):
        with pytest.raises(errors.Conflict) as caught:
            favorites.add(intern, post)
        assert caught.value.code == code
    for missing in (str(uuid.uuid4()), "not-a-post"):
        with pytest.raises(errors.NotFound):
            favorites.add(intern, missing)
    assert bookmark_count(intern["user_id"]) == 2

    # A bookmarked post that closes stays listed, marked closed, until removed.
    cluster.postings.close(REVIEWER, xiaodian)
    assert [i["status"] for i in favorites.favorites(intern)["items"]] == ["open", "closed"]
    assert favorites.remove(intern, xiaodian) is None
    assert favorites.remove(intern, xiaodian) is None
    assert favorites.remove(intern, "not-a-post") is None
    assert [i["posting_id"] for i in favorites.favorites(intern)["items"]] == [yingze]


def test_non_interns_and_staff_are_refused(cluster, token):
    post = new_posting(cluster, token)
    person = {"user_id": str(uuid.uuid4()), "username": "p", "roles": ["applicant"], "jurisdiction": None}
    assert cluster.favorites.intern_status(person["user_id"]) == {"eligible": False, "jurisdiction": None}
    calls = (
        lambda a: cluster.favorites.add(a, post),
        lambda a: cluster.favorites.remove(a, post),
        lambda a: cluster.favorites.favorites(a),
        lambda a: cluster.favorites.open_postings(a, {}),
    )
    for call in calls:
        with pytest.raises(errors.NotAnIntern) as caught:
            call(person)
        assert caught.value.message == "该人员不是就业见习人员"
        with pytest.raises(errors.Forbidden) as caught:
            call(REVIEWER)
        assert caught.value.code == "FORBIDDEN"
    assert bookmark_count(person["user_id"]) == 0
