"""The interns projection on real RabbitMQ and PostgreSQL: applications' events, as the
outbox relay publishes them (Nameko events of source `applications`), consumed by the
favorites service idempotently, in stream order, and across a restart of the service."""

import uuid

import kombu
import pytest
from nameko.runners import ServiceRunner
from nameko.standalone.events import event_dispatcher

from common import db
from deploy.system import add_vhost, delete_vhost
from services.favorites.service import FavoritesService
from tests.conftest import VHOST
from tests.polling import wait_for

# One worker: a queue's messages are handled one at a time, so once a later message
# on the same queue is applied, an earlier duplicate has been handled too.
RETRIES = (0.1, 0.2, 0.3)


# A vhost of this module's own: the end-to-end system's favorites service (same name,
# same queues) must not consume these events, least of all while "favorites is down".
MODULE_VHOST = VHOST + "_favorites_events"


@pytest.fixture(scope="module")
def config(amqp_uri, databases):
    databases("favorites")
    add_vhost(MODULE_VHOST)
    yield {
        "AMQP_URI": f"amqp://guest:guest@127.0.0.1:5672/{MODULE_VHOST}",
        "max_workers": 1,
        "EVENT_RETRY_DELAYS": RETRIES,
    }
    delete_vhost(MODULE_VHOST)


@pytest.fixture
def favorites(config):
    runner = start(config)
    yield runner
    runner.stop()


@pytest.fixture(scope="module")
def conn(config):
    with db.connect("favorites", autocommit=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def dispatch(config):
    send = event_dispatcher(config)
    return lambda event_type, payload: send("applications", event_type, payload)


def start(config):
    runner = ServiceRunner(config)
    runner.add_service(FavoritesService)
    runner.start()
    return runner


class Case:
    """One application's event stream, built as the applications service publishes it."""

    def __init__(self, applicant_id=None, city="140100", county="140105"):
        self.application_id = str(uuid.uuid4())
        self.applicant_id = applicant_id or str(uuid.uuid4())
        self.jurisdiction = {"city_code": city, "county_code": county}
        self.version = 0

    def event(self, **extra):
        self.version += 1
        return {
            "event_id": str(uuid.uuid4()),
            "application_id": self.application_id,
            "applicant_id": self.applicant_id,
            "stream_version": self.version,
            "occurred_at": f"2026-11-29T10:00:{self.version:02d}+08:00",
            **extra,
        }

    def submitted(self):
        return self.event(case_number="JX20261129000001", jurisdiction=self.jurisdiction, category="graduate")

    def approved(self):
        return self.event(jurisdiction=self.jurisdiction, reviewer_id=str(uuid.uuid4()), comment="符合条件")

    def rejected(self):
        return self.event(reviewer_id=str(uuid.uuid4()), reason="材料不全")

    def returned(self, items=("重新上传毕业证书", "补充学历认证报告")):
        return self.event(reviewer_id=str(uuid.uuid4()), reason="毕业证书照片不清晰", items=list(items))

    def resubmitted(self):
        return self.event(jurisdiction=self.jurisdiction, category="graduate")


def waiting(config, event_type):
    """Messages ready in the favorites service's durable queue for `event_type`."""
    with kombu.Connection(config["AMQP_URI"]) as connection:
        queue = f"evt-applications-{event_type}--favorites.on_{event_type}"
        return connection.default_channel.queue_declare(queue, passive=True).message_count


def intern(conn, applicant_id):
    return conn.execute("SELECT * FROM interns WHERE applicant_id = %s", (applicant_id,)).fetchone()


def inbox(conn, application_id):
    return conn.execute(
        "SELECT event_id::text, stream_version FROM consumer_inbox "
        "WHERE consumer = 'favorites' AND stream_id = %s ORDER BY stream_version",
        (application_id,),
    ).fetchall()


def test_an_approval_makes_an_intern_with_the_applications_jurisdiction(favorites, conn, dispatch):
    case = Case(county=None)
    submitted, approved = case.submitted(), case.approved()
    dispatch("application_submitted", submitted)
    dispatch("application_approved", approved)
    row = wait_for(lambda: intern(conn, case.applicant_id))
    assert str(row["application_id"]) == case.application_id
    assert (row["jurisdiction_city"], row["jurisdiction_county"]) == ("140100", None)
    assert [r["event_id"] for r in inbox(conn, case.application_id)] == [submitted["event_id"], approved["event_id"]]


def test_the_same_event_delivered_twice_gives_one_intern(favorites, conn, dispatch):
    case = Case()
    approved = case.submitted(), case.approved()
    dispatch("application_submitted", approved[0])
    dispatch("application_approved", approved[1])
    first = wait_for(lambda: intern(conn, case.applicant_id))
    # The redelivery even claims another place and a later time: only event_id decides.
    dispatch(
        "application_approved",
        {
            **approved[1],
            "jurisdiction": {"city_code": "140200", "county_code": None},
            "occurred_at": "2026-12-01T10:00:00+08:00",
        },
    )
    marker = Case()
    dispatch("application_submitted", marker.submitted())
    dispatch("application_approved", marker.approved())
    wait_for(lambda: intern(conn, marker.applicant_id))
    assert intern(conn, case.applicant_id) == first
    assert (
        conn.execute("SELECT count(*) AS n FROM interns WHERE applicant_id = %s", (case.applicant_id,)).fetchone()["n"]
        == 1
    )
    assert len(inbox(conn, case.application_id)) == 2


def test_events_published_while_favorites_is_down_are_handled_when_it_starts(config, conn, dispatch):
    start(config).stop()  # the service's durable queues exist from its first start on
    case = Case()
    dispatch("application_submitted", case.submitted())
    dispatch("application_approved", case.approved())
    # Kept by the broker while the service is down: each waits in its handler's durable queue.
    wait_for(lambda: waiting(config, "application_submitted") == 1 and waiting(config, "application_approved") == 1)
    runner = start(config)
    try:
        wait_for(lambda: intern(conn, case.applicant_id))
    finally:
        runner.stop()


def test_an_approval_arriving_before_its_submission_waits_for_it(favorites, conn, dispatch):
    """Every event type has its own queue, so version 2 may come first: it is retried."""
    case = Case()
    submitted, approved = case.submitted(), case.approved()
    marker = Case()
    dispatch("application_submitted", marker.submitted())
    wait_for(lambda: inbox(conn, marker.application_id))
    dispatch("application_approved", approved)
    # One worker takes a queue's messages in order: once the marker's approval, queued behind
    # this one, has made its intern, this approval has been handled, and it made none.
    dispatch("application_approved", marker.approved())
    wait_for(lambda: intern(conn, marker.applicant_id))
    assert intern(conn, case.applicant_id) is None
    dispatch("application_submitted", submitted)
    wait_for(lambda: intern(conn, case.applicant_id))
    assert [r["stream_version"] for r in inbox(conn, case.application_id)] == [1, 2]


def test_a_rejected_case_then_an_approved_one(favorites, conn, dispatch):
    """Rejection and withdrawal follow a pending case only: they make no intern and undo
    none, but the consumer follows them so each stream's versions stay in sequence."""
    first = Case()
    dispatch("application_submitted", first.submitted())
    dispatch("application_rejected", first.rejected())
    wait_for(lambda: len(inbox(conn, first.application_id)) == 2)
    assert intern(conn, first.applicant_id) is None
    withdrawn = Case(applicant_id=first.applicant_id)
    dispatch("application_submitted", withdrawn.submitted())
    dispatch("application_withdrawn", withdrawn.event())
    wait_for(lambda: len(inbox(conn, withdrawn.application_id)) == 2)
    assert intern(conn, first.applicant_id) is None
    second = Case(applicant_id=first.applicant_id, county="140106")
    dispatch("application_submitted", second.submitted())
    dispatch("application_approved", second.approved())
    row = wait_for(lambda: intern(conn, first.applicant_id))
    assert (str(row["application_id"]), row["jurisdiction_county"]) == (second.application_id, "140106")


def test_a_malformed_approval_is_parked_and_the_queue_keeps_draining(favorites, conn, dispatch):
    bad = Case(city="999999", county=None)
    dispatch("application_submitted", bad.submitted())
    poison = bad.approved()
    dispatch("application_approved", poison)
    good = Case()
    dispatch("application_submitted", good.submitted())
    dispatch("application_approved", good.approved())
    wait_for(lambda: intern(conn, good.applicant_id))
    letter = wait_for(
        lambda: conn.execute("SELECT * FROM dead_letters WHERE event_id = %s", (poison["event_id"],)).fetchone()
    )
    assert letter["service"] == "favorites" and letter["event_type"] == "application_approved"
    assert letter["attempts"] == len(RETRIES) + 1
    assert intern(conn, bad.applicant_id) is None
    assert len(inbox(conn, bad.application_id)) == 1


def test_a_returned_and_resubmitted_case_then_approved_makes_an_intern(favorites, conn, dispatch):
    """Favorites ignores returns and resubmissions but follows them, so the approval (version 4) applies."""
    case = Case()
    dispatch("application_submitted", case.submitted())
    dispatch("application_returned", case.returned())
    dispatch("application_resubmitted", case.resubmitted())
    dispatch("application_approved", case.approved())
    wait_for(lambda: intern(conn, case.applicant_id))
    assert [r["stream_version"] for r in inbox(conn, case.application_id)] == [1, 2, 3, 4]
