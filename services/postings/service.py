"""Postings' Nameko entrypoints: public search and detail, reviewers' maintenance,
and the calls the favorites service makes."""

from common import clock, errors
from common.paging import page_body
from common.relay import OutboxRelay
from common.rpc import Pingable, RequestId, Store, rpc
from common.validation import load
from contracts import postings as schemas
from services.postings import domain
from services.postings.store import PostingsStore

NOT_FOUND = "见习岗位不存在"


class PostingsService(Pingable):
    name = "postings"

    store = Store("postings", PostingsStore)
    # Publishes posting_published / posting_changed / posting_closed, so gateways drop cached copies;
    # only gateways' broadcast queues take them, and with no gateway running there is nothing to drop.
    relay = OutboxRelay(mandatory=False)
    request_id = RequestId()

    @rpc
    def search(self, query):
        """The public search, GET /api/v1/postings: the page as JSON text (`schemas.page_text`)."""
        data = load(schemas.SearchQuery, query)
        return schemas.page_text(
            self._page(
                data,
                status=data["status"],
                sort=data["sort"],
                city=data.get("city"),
                county=data.get("county"),
                education=data.get("education"),
                industry=data.get("industry"),
            )
        )

    @rpc
    def get(self, posting_id):
        row = self.store.get(posting_id)
        if row is None:
            raise errors.NotFound(NOT_FOUND)
        return domain.detail(row, clock.today())

    @rpc
    def create(self, actor, body):
        domain.require_reviewer(actor)
        data = load(schemas.PostingSchema(), body)
        row = self.store.create(domain.new_posting(data, actor, clock.now()), self._metadata())
        return domain.detail(row, clock.today())

    @rpc
    def update(self, actor, posting_id, body):
        domain.require_reviewer(actor)
        changes = load(schemas.PostingSchema(), body, partial=True)
        row = self.store.change(
            posting_id,
            lambda current: domain.edited(current, changes, actor, clock.now()),
            schemas.POSTING_CHANGED,
            self._metadata(),
        )
        if row is None:
            raise errors.NotFound(NOT_FOUND)
        return domain.detail(row, clock.today())

    @rpc
    def close(self, actor, posting_id):
        domain.require_reviewer(actor)
        row = self.store.change(
            posting_id,
            lambda current: domain.closed(current, actor, clock.now()),
            schemas.POSTING_CLOSED,
            self._metadata(),
        )
        if row is None:
            raise errors.NotFound(NOT_FOUND)
        return domain.detail(row, clock.today())

    @rpc
    def open_in_jurisdiction(self, jurisdiction, query):
        """Open posts inside an intern's jurisdiction ({"city_code", "county_code" or None}),
        optionally narrowed to one `county` of it and by keyword `q`; a page of summaries."""
        where = load(schemas.JurisdictionSchema, jurisdiction)
        data = load(schemas.JurisdictionQuery, query)
        city, county = domain.scope(where, data.get("county"))
        return self._page(data, status="open", sort="newest", city=city, county=county)

    @rpc
    def summaries(self, posting_ids):
        """Summaries (with status and region) of the given posts, in the order asked;
        ids that name no post are left out."""
        ids = load(schemas.PostingIds, {"posting_ids": posting_ids})["posting_ids"]
        today = clock.today()
        found = {str(row["posting_id"]): domain.summary(row, today) for row in self.store.by_ids(ids)}
        return {"items": [found[i] for i in dict.fromkeys(i.lower() for i in ids) if i in found]}

    def _metadata(self):
        return {"request_id": self.request_id}

    def _page(self, data, **filters):
        page, page_size = data["page"], data["page_size"]
        today = clock.today()
        rows, total, capped = self.store.search(today, page, page_size, word=domain.keyword(data.get("q")), **filters)
        return page_body([domain.summary(row, today) for row in rows], total, page, page_size, total_capped=capped)
