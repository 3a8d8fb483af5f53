"""Notifications' Nameko entrypoints: messages made from applications' events, and the
person's inbox (list, mark read, mark all read)."""

from nameko.timer import timer

from common import consumer, errors
from common.ids import parse_uuid
from common.paging import page_body
from common.rpc import Pingable, RequestId, Store, rpc
from common.validation import load
from contracts import notifications as schemas
from contracts.applications import APPROVED, REJECTED, RESUBMITTED, RETURNED, SUBMITTED, WITHDRAWN
from services.notifications import domain
from services.notifications.store import NotificationsStore, notifier, record_case

METRICS_INTERVAL_SECONDS = 15
NOT_FOUND = "消息不存在"


class NotificationsService(Pingable):
    name = "notifications"

    store = Store("notifications", NotificationsStore)
    request_id = RequestId()

    # --- integration events: every type of the application streams, so versions apply in order

    @consumer.handler("applications", SUBMITTED)
    def on_application_submitted(self, event):
        self.store.apply_event(event, record_case)

    @consumer.handler("applications", WITHDRAWN)
    def on_application_withdrawn(self, event):
        self.store.apply_event(event, consumer.ignore)

    @consumer.handler("applications", RESUBMITTED)
    def on_application_resubmitted(self, event):
        self.store.apply_event(event, consumer.ignore)

    @consumer.handler("applications", APPROVED)
    def on_application_approved(self, event):
        self.store.apply_event(event, notifier(APPROVED))

    @consumer.handler("applications", REJECTED)
    def on_application_rejected(self, event):
        self.store.apply_event(event, notifier(REJECTED))

    @consumer.handler("applications", RETURNED)
    def on_application_returned(self, event):
        self.store.apply_event(event, notifier(RETURNED))

    @timer(interval=METRICS_INTERVAL_SECONDS, eager=True)
    def refresh_metrics(self):
        """Parking and replays happen in other processes too; the gauge follows the table."""
        self.store.refresh_parked_metric()

    # --- RPC

    @rpc
    def notifications(self, actor, query):
        q = load(schemas.NotificationsQuery(), query)
        rows, total, unread = self.store.page(actor["user_id"], q["page"], q["page_size"])
        return {**page_body([domain.view(r) for r in rows], total, q["page"], q["page_size"]), "unread": unread}

    @rpc
    def mark_read(self, actor, notification_id):
        key = parse_uuid(notification_id)
        if key is None or not self.store.mark_read(actor["user_id"], key):
            raise errors.NotFound(NOT_FOUND)

    @rpc
    def mark_all_read(self, actor):
        self.store.mark_all_read(actor["user_id"])
