"""Pure parts of the event plumbing: message format, retry schedule, error types."""

import json
import uuid
from datetime import UTC, date, datetime

from common import consumer, errors, relay
from common.eventstore import ConcurrencyConflict, Event


def stored_event(**overrides):
    fields = {
        "position": 7,
        "event_id": uuid.uuid4(),
        "stream_id": uuid.uuid4(),
        "stream_version": 3,
        "type": "application_approved",
        "payload": {"comment": "好"},
        "metadata": {"request_id": "req-1"},
        "occurred_at": datetime(2026, 11, 29, 8, 30, tzinfo=UTC),
    }
    fields.update(overrides)
    return Event(**fields)


def test_a_relayed_message_is_a_nameko_event_with_plain_json():
    event = stored_event()
    message = relay.nameko_message("applications", event, relay.default_payload(event))
    assert message["routing_key"] == "application_approved"
    assert message["delivery_mode"] == 2 and message["message_id"] == str(event.event_id)
    assert (message["content_type"], message["content_encoding"]) == ("application/json", "utf-8")
    assert message["headers"] == {
        "nameko.request_id": "req-1",
        "nameko.call_id_stack": [f"applications.outbox_relay.{event.event_id}"],
    }
    assert json.loads(message["body"]) == {
        "comment": "好",
        "event_id": str(event.event_id),
        "stream_id": str(event.stream_id),
        "stream_version": 3,
        "occurred_at": "2026-11-29T08:30:00+00:00",
    }


def test_a_payload_hook_may_return_dates_and_ids_and_no_request_id_means_no_header():
    event = stored_event(metadata={})
    message = relay.nameko_message(
        "applications", event, {"application_id": event.stream_id, "on": date(2026, 1, 2), "at": event.occurred_at}
    )
    assert json.loads(message["body"]) == {
        "application_id": str(event.stream_id),
        "on": "2026-01-02",
        "at": "2026-11-29T08:30:00+00:00",
    }
    assert "nameko.request_id" not in message["headers"]


def test_failed_attempts_are_retried_on_schedule_then_parked():
    delays = (1, 5, 30)
    assert [consumer.next_step(n, delays) for n in (1, 2, 3, 4, 5)] == [
        ("retry", 1),
        ("retry", 5),
        ("retry", 30),
        ("park", None),
        ("park", None),
    ]


def test_a_retry_queue_dead_letters_back_to_its_handler_queue_after_its_delay():
    queue = consumer.retry_queue("evt-applications-application_approved--favorites.on_approved", 0.05)
    assert queue.name == "evt-applications-application_approved--favorites.on_approved.retry-50ms"
    assert queue.durable and queue.queue_arguments == {
        "x-message-ttl": 50,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": "evt-applications-application_approved--favorites.on_approved",
    }


def test_error_types():
    conflict = ConcurrencyConflict()
    assert isinstance(conflict, errors.Conflict)
    assert (conflict.status, conflict.code) == (409, "CONCURRENT_UPDATE")
    assert consumer.NotNextInStream("s", 3, 2).early
    assert not consumer.NotNextInStream("s", 1, 2).early
