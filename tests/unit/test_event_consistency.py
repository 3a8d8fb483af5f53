"""Each published event type is defined once and everything that must know it does.

Adding an event type to `contracts.applications.PUBLISHED` fails here until the
aggregate folds and projects it (`domain.EVENTS`), the history has its label
(`contracts.vocabulary.EVENT_LABELS`, served to the UI by GET /api/v1/vocabulary) and every consumer of the
application streams has a handler for it: `common.consumer` applies a stream's
versions strictly in order, so a type a consumer does not subscribe to would
stall that consumer's streams at that version.
"""

import pytest
from nameko.events import EventHandler
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

from contracts.applications import PUBLISHED
from contracts.reference import vocabulary_document
from contracts.vocabulary import EVENT_LABELS
from deploy.services import SERVICE_CLASSES, service_class
from services.applications import domain

DECISIONS = {"application_approved", "application_rejected", "application_returned"}
#: Consumers and the event types they act on.
MUST_ACT_ON = {
    "favorites": {"application_approved"},
    "notifications": DECISIONS,
    "identity": DECISIONS,  # its audit trail records every decision, once it follows the streams
}
#: Consumers that apply each stream's versions strictly in order (common.consumer.apply_once):
#: they must subscribe to every type, following those they do not need with `consumer.ignore`.
IN_STREAM_ORDER = {"favorites", "notifications"}


def followed_types(cls, source="applications"):
    types = set()
    for name in dir(cls):
        for entrypoint in getattr(getattr(cls, name), ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if isinstance(entrypoint, EventHandler) and entrypoint.source_service == source:
                types.add(entrypoint.event_type)
    return types


FOLLOWERS = {name: followed_types(service_class(name)) for name in SERVICE_CLASSES}
FOLLOWERS = {name: types for name, types in FOLLOWERS.items() if types}


def test_every_published_type_is_folded_projected_and_labelled():
    assert set(domain.EVENTS) == set(PUBLISHED)
    assert set(EVENT_LABELS) >= set(PUBLISHED)
    # The web UI reads the history's labels from GET /api/v1/vocabulary.
    assert set(vocabulary_document()["event_types"]) >= set(PUBLISHED)


def test_the_consumers_that_must_act_follow_the_streams():
    assert set(FOLLOWERS) >= IN_STREAM_ORDER


@pytest.mark.parametrize("consumer", sorted(FOLLOWERS))
def test_every_consumer_of_the_streams_handles_what_it_must(consumer):
    assert MUST_ACT_ON.get(consumer, set()) <= FOLLOWERS[consumer]
    if consumer in IN_STREAM_ORDER:
        missing = set(PUBLISHED) - FOLLOWERS[consumer]
        assert not missing, f"{consumer} would stall its streams at {sorted(missing)}"
