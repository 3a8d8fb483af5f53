"""Favorites' Nameko entrypoints: the interns projection fed by applications' events,
and interns' bookmarks (at most three) on open posts in their jurisdiction."""

import logging

from nameko.timer import timer

from common import consumer, errors, logs
from common.rpc import Pingable, RequestId, Store, call, rpc
from common.transport import rpc_proxy
from common.validation import load
from contracts import favorites as schemas
from services.favorites import domain
from services.favorites.store import FavoritesStore, record_intern

log = logging.getLogger(__name__)

NOT_FOUND = "见习岗位不存在"


METRICS_INTERVAL_SECONDS = 15


class FavoritesService(Pingable):
    name = "favorites"

    store = Store("favorites", FavoritesStore)
    request_id = RequestId()
    postings = rpc_proxy("postings")

    # --- integration events: every type of the application streams, so versions apply in order

    @consumer.handler("applications", "application_submitted")
    def on_application_submitted(self, event):
        self.store.apply_event(event, consumer.ignore)

    @consumer.handler("applications", "application_withdrawn")
    def on_application_withdrawn(self, event):
        self.store.apply_event(event, consumer.ignore)

    @consumer.handler("applications", "application_rejected")
    def on_application_rejected(self, event):
        self.store.apply_event(event, consumer.ignore)

    @consumer.handler("applications", "application_returned")
    def on_application_returned(self, event):
        self.store.apply_event(event, consumer.ignore)

    @consumer.handler("applications", "application_resubmitted")
    def on_application_resubmitted(self, event):
        self.store.apply_event(event, consumer.ignore)

    @consumer.handler("applications", "application_approved")
    def on_application_approved(self, event):
        if self.store.apply_event(event, record_intern):
            logs.log(
                log,
                logging.INFO,
                "intern recorded",
                applicant_id=event["applicant_id"],
                application_id=event["application_id"],
                event_id=event["event_id"],
            )

    @timer(interval=METRICS_INTERVAL_SECONDS, eager=True)
    def refresh_metrics(self):
        """Parking and replays happen in other processes too; the gauge follows the table."""
        self.store.refresh_parked_metric()

    # --- RPC

    @rpc
    def intern_status(self, applicant_id):
        return domain.intern_status(self.store.intern(applicant_id))

    @rpc
    def open_postings(self, actor, query):
        """GET /api/v1/favorites/postings: a page of open posts inside the intern's
        jurisdiction, one RPC to postings per page, each marked `favorited`."""
        intern = self._intern(actor)
        data = load(schemas.FavoritePostingsQuery, query)
        page = call(self.postings.open_in_jurisdiction, domain.jurisdiction(intern), data)
        favorited = self.store.favorited_among(actor["user_id"], [item["posting_id"] for item in page["items"]])
        return domain.with_flags(page, favorited)

    @rpc
    def favorites(self, actor):
        """GET /api/v1/favorites: the bookmarked posts (closed ones too, so they can be removed)."""
        self._intern(actor)
        ids = self.store.favorite_ids(actor["user_id"])
        items = call(self.postings.summaries, ids)["items"] if ids else []
        return {"items": items, "limit": domain.LIMIT}

    @rpc
    def add(self, actor, posting_id):
        """PUT /api/v1/favorites/{posting_id}: `created` tells a new bookmark from an existing one."""
        self._intern(actor)
        key = domain.posting_key(posting_id)
        if key is None:
            raise errors.NotFound(NOT_FOUND)
        # Fetched before the transaction, so no lock is held across an RPC.
        posting = call(self.postings.get, key)
        created = self.store.add(actor["user_id"], key, lambda intern, held: domain.admit(intern, posting, held))
        return {"created": created, "posting": {**posting, "favorited": True}}

    @rpc
    def remove(self, actor, posting_id):
        """DELETE /api/v1/favorites/{posting_id}: removing an absent bookmark is no error."""
        self._intern(actor)
        key = domain.posting_key(posting_id)
        if key is not None:
            self.store.remove(actor["user_id"], key)

    def _intern(self, actor):
        domain.require_applicant(actor)
        return domain.require_intern(self.store.intern(actor["user_id"]))
