"""The notifications service on real RabbitMQ and PostgreSQL: one message per decision event
however often it is delivered, across restarts, with the event types it ignores never
stalling a stream."""

import uuid

import pytest
from nameko.runners import ServiceRunner
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy

from common import db
from deploy.system import add_vhost, delete_vhost
from services.notifications.service import NotificationsService
from tests.conftest import VHOST
from tests.integration.test_favorites_events import Case
from tests.polling import wait_for

RETRIES = (0.1, 0.2, 0.3)
# A vhost of this module's own, so the end-to-end system's notifications process consumes none of these.
MODULE_VHOST = VHOST + "_notifications_events"


@pytest.fixture(scope="module")
def config(amqp_uri, databases):
    databases("notifications")
    add_vhost(MODULE_VHOST)
    yield {
        "AMQP_URI": f"amqp://guest:guest@127.0.0.1:5672/{MODULE_VHOST}",
        "max_workers": 2,
        "EVENT_RETRY_DELAYS": RETRIES,
    }
    delete_vhost(MODULE_VHOST)


def start(config):
    runner = ServiceRunner(config)
    runner.add_service(NotificationsService)
    runner.start()
    return runner


@pytest.fixture
def notifications(config):
    runner = start(config)
    yield runner
    runner.stop()


@pytest.fixture(scope="module")
def conn(config):
    with db.connect("notifications", autocommit=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def dispatch(config):
    send = event_dispatcher(config)
    return lambda event_type, payload: send("applications", event_type, payload)


def messages(conn, applicant_id):
    return conn.execute(
        "SELECT * FROM notifications WHERE recipient_id = %s ORDER BY created_at", (applicant_id,)
    ).fetchall()


def applied(conn, case):
    return conn.execute(
        "SELECT coalesce(max(version), 0) AS v FROM consumer_streams "
        "WHERE consumer = 'notifications' AND stream_id = %s",
        (case.application_id,),
    ).fetchone()["v"]


def test_each_decision_makes_one_chinese_message_with_case_number_reason_and_items(notifications, conn, dispatch):
    case = Case()
    submitted = case.submitted()
    dispatch("application_submitted", submitted)
    dispatch("application_returned", case.returned())
    dispatch("application_resubmitted", case.resubmitted())
    dispatch("application_rejected", case.rejected())
    rows = wait_for(lambda: len(messages(conn, case.applicant_id)) == 2 and messages(conn, case.applicant_id))
    back, rejected = rows
    assert back["type"] == "application_returned" and back["case_number"] == submitted["case_number"]
    assert submitted["case_number"] in back["title"] and "退回补正" in back["title"]
    assert "毕业证书照片不清晰" in back["body"]
    assert "1. 重新上传毕业证书" in back["body"] and "2. 补充学历认证报告" in back["body"]
    assert rejected["type"] == "application_rejected" and "材料不全" in rejected["body"]
    assert "审核不通过" in rejected["title"]
    approved_case = Case()
    dispatch("application_submitted", approved_case.submitted())
    dispatch("application_approved", approved_case.approved())
    [approved] = wait_for(lambda: messages(conn, approved_case.applicant_id))
    assert "审核通过" in approved["title"] and "符合条件" in approved["body"]


def test_a_redelivered_decision_makes_no_second_message(notifications, conn, dispatch):
    case = Case()
    dispatch("application_submitted", case.submitted())
    decision = case.returned()
    for _ in range(3):
        dispatch("application_returned", decision)
    later = case.resubmitted()
    dispatch("application_resubmitted", later)
    # The stream has moved past the decision, so every copy before it has been handled.
    wait_for(lambda: applied(conn, case) == 3)
    dispatch("application_returned", decision)
    marker = Case()
    dispatch("application_submitted", marker.submitted())
    dispatch("application_returned", marker.returned())
    wait_for(lambda: messages(conn, marker.applicant_id))
    assert len(messages(conn, case.applicant_id)) == 1


def test_events_while_down_are_handled_once_after_a_restart(config, conn, dispatch):
    start(config).stop()  # the durable queues exist from the first start on
    case = Case()
    submitted, approved = case.submitted(), case.approved()
    dispatch("application_submitted", submitted)
    dispatch("application_approved", approved)
    runner = start(config)
    try:
        wait_for(lambda: messages(conn, case.applicant_id))
    finally:
        runner.stop()
    dispatch("application_approved", approved)  # delivered again to the restarted service
    runner = start(config)
    try:
        marker = Case()
        dispatch("application_submitted", marker.submitted())
        dispatch("application_approved", marker.approved())
        wait_for(lambda: messages(conn, marker.applicant_id))
        assert len(messages(conn, case.applicant_id)) == 1
    finally:
        runner.stop()


def test_types_without_a_message_never_stall_a_stream(notifications, conn, dispatch):
    case = Case()
    dispatch("application_submitted", case.submitted())
    dispatch("application_returned", case.returned(items=()))
    dispatch("application_resubmitted", case.resubmitted())
    dispatch("application_withdrawn", case.event())
    wait_for(lambda: applied(conn, case) == 4)
    [message] = messages(conn, case.applicant_id)
    assert "需补正的事项" not in message["body"]
    assert conn.execute("SELECT count(*) AS n FROM dead_letters").fetchone()["n"] == 0


def test_the_inbox_rpc_pages_counts_unread_and_marks_read(notifications, config, conn, dispatch):
    case = Case()
    dispatch("application_submitted", case.submitted())
    dispatch("application_returned", case.returned())
    dispatch("application_resubmitted", case.resubmitted())
    dispatch("application_approved", case.approved())
    wait_for(lambda: len(messages(conn, case.applicant_id)) == 2)
    me = {"user_id": case.applicant_id, "roles": ["applicant"]}
    stranger = {"user_id": str(uuid.uuid4()), "roles": ["applicant"]}
    with ClusterRpcProxy(config) as rpc:
        page = rpc.notifications.notifications(me, {"page_size": "1"})
        assert (page["total"], page["unread"], len(page["items"])) == (2, 2, 1)
        newest = page["items"][0]
        assert newest["type"] == "application_approved" and newest["read"] is False
        assert rpc.notifications.notifications(stranger, {})["items"] == []
        with pytest.raises(Exception) as exc:
            rpc.notifications.mark_read(stranger, newest["notification_id"])
        assert "NOT_FOUND" in str(exc.value)
        rpc.notifications.mark_read(me, newest["notification_id"])
        assert rpc.notifications.notifications(me, {})["unread"] == 1
        rpc.notifications.mark_all_read(me)
        page = rpc.notifications.notifications(me, {})
        assert page["unread"] == 0 and all(item["read"] for item in page["items"])
