"""Events published before the consumer's first start wait in queues declared at deploy time."""

import subprocess
import uuid
from contextlib import contextmanager

import pytest
from kombu import Connection
from nameko.events import get_event_exchange
from nameko.runners import ServiceRunner
from nameko.standalone.events import event_dispatcher

from common import consumer, db
from deploy import system
from services.favorites.service import FavoritesService
from tests.polling import wait_for


@pytest.fixture
def fresh_vhost(private_vhost, databases):
    databases("favorites")
    return private_vhost[1]


def approve(uri):
    """A case's submission and approval, published as applications would; returns
    (application_id, applicant_id)."""
    application_id, applicant_id = str(uuid.uuid4()), str(uuid.uuid4())
    jurisdiction = {"city_code": "140100", "county_code": None}
    base = {"application_id": application_id, "applicant_id": applicant_id, "occurred_at": "2026-11-29T10:00:00+08:00"}
    send = event_dispatcher({"AMQP_URI": uri})
    send(
        "applications",
        "application_submitted",
        {
            **base,
            "event_id": str(uuid.uuid4()),
            "stream_version": 1,
            "case_number": "JX20261129000001",
            "jurisdiction": jurisdiction,
            "category": "graduate",
        },
    )
    send(
        "applications",
        "application_approved",
        {
            **base,
            "event_id": str(uuid.uuid4()),
            "stream_version": 2,
            "jurisdiction": jurisdiction,
            "reviewer_id": str(uuid.uuid4()),
            "comment": "",
        },
    )
    return application_id, applicant_id


def is_intern(conn, applicant_id):
    return conn.execute("SELECT 1 FROM interns WHERE applicant_id = %s", (applicant_id,)).fetchone() is not None


def handled(conn, application_id):
    """Events of the case favorites has handled (its inbox)."""
    return conn.execute(
        "SELECT count(*) AS n FROM consumer_inbox WHERE consumer = 'favorites' AND stream_id = %s", (application_id,)
    ).fetchone()["n"]


@contextmanager
def favorites_started(uri, queue_type="classic"):
    """Favorites running in this process; yields a connection to its database."""
    runner = ServiceRunner({"AMQP_URI": uri, consumer.QUEUE_TYPE_CONFIG_KEY: queue_type})
    runner.add_service(FavoritesService)
    runner.start()
    try:
        with db.connect("favorites", autocommit=True) as conn:
            yield conn
    finally:
        runner.stop()


def queue_types(vhost):
    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_queues", "-p", vhost, "name", "type"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return dict(line.split("\t") for line in listed.splitlines() if "\t" in line)


APPROVED_QUEUE = "evt-applications-application_approved--favorites.on_application_approved"


@pytest.mark.parametrize("queue_type", ["classic", "quorum"])
def test_the_migration_step_declares_queues_that_keep_events_published_before_the_first_start(
    private_vhost, databases, queue_type
):
    databases("favorites")
    vhost, uri = private_vhost
    migrated = subprocess.run(
        [system.PYTHON, "-m", "common.migrate", "favorites"],
        cwd=system.ROOT,
        env=system.base_env(AMQP_URI=uri, EVENT_QUEUE_TYPE=queue_type),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrated.returncode == 0, migrated.stderr
    types = queue_types(vhost)
    assert types[APPROVED_QUEUE] == queue_type
    favorites_queues = {
        name
        for name in types
        if name.endswith(
            tuple(
                f"--favorites.{method}"
                for method in (
                    "on_application_submitted",
                    "on_application_withdrawn",
                    "on_application_rejected",
                    "on_application_approved",
                )
            )
        )
    }
    assert len(favorites_queues) == 4
    _, applicant_id = approve(uri)  # before favorites ever ran
    with favorites_started(uri, queue_type) as conn:
        wait_for(lambda: is_intern(conn, applicant_id))  # published before the first start, kept


def test_quorum_queues_by_configuration_classic_by_default():
    quorum = consumer.durable_queues(FavoritesService, {"AMQP_URI": "memory://", "EVENT_QUEUE_TYPE": "quorum"})
    classic = consumer.durable_queues(FavoritesService, {"AMQP_URI": "memory://"})
    assert APPROVED_QUEUE in {q.name for q in quorum}
    assert {q.queue_arguments["x-queue-type"] for q in quorum} == {"quorum"}
    assert all("x-queue-type" not in (q.queue_arguments or {}) for q in classic)
    assert {q.name for q in quorum} == {q.name for q in classic}


def test_without_declaring_such_events_are_lost(fresh_vhost):
    """The negative control: why deploy declares the queues."""
    with Connection(fresh_vhost) as conn:  # the exchange exists, as the relay declares it
        get_event_exchange("applications", {})(conn.default_channel).declare()
    application_id, applicant_id = approve(fresh_vhost)  # before favorites ever ran
    with favorites_started(fresh_vhost) as conn:
        # A second case, published after the start, travels the same queues behind the first
        # one's events, had they been kept: one worker takes a queue's messages in order.
        _, marker = approve(fresh_vhost)
        wait_for(lambda: is_intern(conn, marker))
        assert handled(conn, application_id) == 0 and not is_intern(conn, applicant_id)
