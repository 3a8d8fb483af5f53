"""Events published before the consumer's first start wait in queues declared at deploy time."""
import time
import uuid

import pytest
from kombu import Connection
from nameko.events import get_event_exchange
from nameko.runners import ServiceRunner
from nameko.standalone.events import event_dispatcher

from common import consumer, db
from deploy.system import add_vhost, delete_vhost
from services.favorites.service import FavoritesService
from tests.conftest import VHOST


@pytest.fixture
def fresh_vhost(amqp_uri, databases):
    databases("favorites")
    vhost = f"{VHOST}_declare_{uuid.uuid4().hex[:6]}"
    add_vhost(vhost)
    yield f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    delete_vhost(vhost)


def approve_before_favorites_ever_ran(uri):
    application_id, applicant_id = str(uuid.uuid4()), str(uuid.uuid4())
    jurisdiction = {"city_code": "140100", "county_code": None}
    base = {"application_id": application_id, "applicant_id": applicant_id,
            "occurred_at": "2026-11-29T10:00:00+08:00"}
    send = event_dispatcher({"AMQP_URI": uri})
    send("applications", "application_submitted", {**base, "event_id": str(uuid.uuid4()), "stream_version": 1,
         "case_number": "JX20261129000001", "jurisdiction": jurisdiction, "category": "graduate"})
    send("applications", "application_approved", {**base, "event_id": str(uuid.uuid4()), "stream_version": 2,
         "jurisdiction": jurisdiction, "reviewer_id": str(uuid.uuid4()), "comment": ""})
    return applicant_id


def intern_after_start(uri, applicant_id, wait):
    runner = ServiceRunner({"AMQP_URI": uri})
    runner.add_service(FavoritesService)
    runner.start()
    try:
        deadline = time.monotonic() + wait
        with db.connect("favorites", autocommit=True) as conn:
            while time.monotonic() < deadline:
                row = conn.execute("SELECT 1 FROM interns WHERE applicant_id = %s", (applicant_id,)).fetchone()
                if row:
                    return True
                time.sleep(0.05)
        return False
    finally:
        runner.stop()


def test_declared_queues_keep_events_published_before_the_first_start(fresh_vhost):
    names = consumer.declare_queues(FavoritesService, fresh_vhost)
    assert "evt-applications-application_approved--favorites.on_application_approved" in names
    applicant_id = approve_before_favorites_ever_ran(fresh_vhost)
    assert intern_after_start(fresh_vhost, applicant_id, wait=10)


def test_without_declaring_such_events_are_lost(fresh_vhost):
    """The negative control: why deploy declares the queues."""
    with Connection(fresh_vhost) as conn:  # the exchange exists, as the relay declares it
        get_event_exchange("applications", {})(conn.default_channel).declare()
    applicant_id = approve_before_favorites_ever_ran(fresh_vhost)
    assert not intern_after_start(fresh_vhost, applicant_id, wait=2)
