"""What a user might pick instead, for comparison only (not part of the product): a FastAPI app
answering the public region search straight from the postings database, with the product's
own query (PostingsStore.search) and summaries, no gateway, no RPC.

    .venv/bin/python -m uvicorn benchmarks.fastapi_peer:app --workers 2 --port 18090 --log-level warning

GET /api/v1/postings?city=140100[&county=...][&page=1&page_size=20]
"""

from contextlib import asynccontextmanager

from fastapi import FastAPI, Query

from common import clock, db
from common.paging import page_body
from services.postings import domain
from services.postings.store import PostingsStore

STORE = {}


@asynccontextmanager
async def lifespan(app):
    pool = db.create_pool("postings", max_size=5, name="fastapi-peer")
    STORE["postings"] = PostingsStore(pool)
    yield
    pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/api/v1/postings")
def search(
    city: str | None = None,
    county: str | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
):
    today = clock.today()
    rows, total, capped = STORE["postings"].search(today, page, page_size, city=city, county=county)
    return page_body([domain.summary(row, today) for row in rows], total, page, page_size, total_capped=capped)
