"""Postings' SQL."""

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from psycopg import Connection, sql

from common import db, eventstore
from common.db import Pool, Row
from common.ids import parse_uuid
from contracts import postings as contract
from services.postings import domain

COLUMNS = domain.FIELDS + (
    "posting_id",
    "published_at",
    "updated_at",
    "closed_at",
    "created_by",
    "closed_by",
    "search_text",
)
SUMMARY_COLUMNS = domain.SUMMARY_FIELDS + ("posting_id", "deadline", "published_at", "closed_at")
# Ties broken by id so paging is stable.
ORDER = {
    "newest": "published_at DESC, posting_id DESC",
    "deadline": "deadline ASC, posting_id DESC",
    "subsidy": "monthly_subsidy DESC, posting_id DESC",
}
OPEN = "(closed_at IS NULL AND deadline >= %(today)s)"


# What a keyword search finds in posting_search before the page's summaries come from postings.
MATCH_COLUMNS = "posting_id, published_at, deadline, monthly_subsidy"
# posting_search's GIN index is on this expression: the grams are not stored.
GRAMS = "posting_grams(search_text) @> %(grams)s::text[]"
SUBSTRING = "search_text LIKE %(pattern)s"

# Planner settings for this transaction only, each in one round trip.
BITMAP_ONLY = (
    "SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true), "
    "set_config('enable_indexonlyscan', 'off', true)"
)
ORDERED_WALK = (
    "SELECT set_config('enable_indexscan', 'on', true), set_config('enable_indexonlyscan', 'on', true), "
    "set_config('enable_bitmapscan', 'off', true)"
)


class PostingsStore:
    #: Counting stops here: an exact total above it costs a visit to every matching post.
    total_cap = 10_000

    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    def create(self, row: Mapping[str, Any], metadata: dict[str, Any] | None = None) -> Row:
        """Insert a post and its `posting_published` event in one transaction."""
        with self.pool.connection() as conn, conn.transaction():
            created = conn.execute(
                sql.SQL("INSERT INTO postings ({}) VALUES ({}) RETURNING *").format(
                    sql.SQL(", ").join(map(sql.Identifier, COLUMNS)),
                    sql.SQL(", ").join(sql.Placeholder(c) for c in COLUMNS),
                ),
                row,
            ).fetchone()
            assert created is not None  # INSERT ... RETURNING gives the row
            _record(conn, created, contract.POSTING_PUBLISHED, metadata)
            return created

    def get(self, posting_id: object) -> Row | None:
        key = parse_uuid(posting_id)
        if key is None:
            return None
        with db.reading(self.pool) as conn:
            return conn.execute("SELECT * FROM postings WHERE posting_id = %s", (key,)).fetchone()

    def by_ids(self, posting_ids: Iterable[object]) -> list[Row]:
        keys = [k for k in map(parse_uuid, posting_ids) if k is not None]
        with db.reading(self.pool) as conn:
            return conn.execute(
                sql.SQL("SELECT {} FROM postings WHERE posting_id = ANY(%s)").format(_summary_columns()), (keys,)
            ).fetchall()

    def change(
        self,
        posting_id: object,
        update: Callable[[Row], Mapping[str, Any]],
        event_type: str = contract.POSTING_CHANGED,
        metadata: dict[str, Any] | None = None,
    ) -> Row | None:
        """Apply `update(row) -> row` under a row lock, with an `event_type` event when it changes
        anything; None when there is no such post."""
        key = parse_uuid(posting_id)
        if key is None:
            return None
        with self.pool.connection() as conn, conn.transaction():
            current = conn.execute("SELECT * FROM postings WHERE posting_id = %s FOR UPDATE", (key,)).fetchone()
            if current is None:
                return None
            new = update(current)
            if new is current:
                return current
            changed = [c for c in COLUMNS if c != "posting_id"]
            row = conn.execute(
                sql.SQL("UPDATE postings SET {} WHERE posting_id = %(posting_id)s RETURNING *").format(
                    sql.SQL(", ").join(
                        sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder(c)) for c in changed
                    )
                ),
                new,
            ).fetchone()
            assert row is not None  # the row is locked, so it is still there
            _record(conn, row, event_type, metadata)
            return row

    def search(
        self,
        today: date,
        page: int,
        page_size: int,
        sort: str = "newest",
        status: str = "open",
        city: str | None = None,
        county: str | None = None,
        word: str | None = None,
        education: str | None = None,
        industry: str | None = None,
    ) -> tuple[list[Row], int, bool]:
        """(rows, total, capped): one page of summaries and how many match; above `total_cap` matches
        the count stops there (total = total_cap, capped True). `word` is a normalised keyword."""
        where: list[str] = []
        params: dict[str, Any] = {"today": today}
        if status == "open":
            where.append(OPEN)
        elif status == "closed":
            where.append("NOT " + OPEN)
        for column, value in (
            ("city_code", city),
            ("county_code", county),
            ("education_requirement", education),
            ("industry", industry),
        ):
            if value is not None:
                where.append(f"{column} = %({column})s")
                params[column] = value
        params.update(limit=page_size, offset=(page - 1) * page_size, cap=self.total_cap + 1)
        if not word:
            return self._region_page(sql.SQL(" AND ".join(where) or "TRUE"), ORDER[sort], params)
        params.update(grams=domain.keyword_grams(word), pattern=domain.like_pattern(word))
        # 1-2 characters: the grams decide alone; longer words need the substring too.
        found = sql.SQL(" AND ".join([*where, GRAMS] + ([SUBSTRING] if len(word) > 2 else [])))
        return self._keyword_page(found, sql.SQL(" AND ".join([*where, SUBSTRING])), sort, status, params)

    def _region_page(
        self, condition: sql.Composable, order: str, params: dict[str, Any]
    ) -> tuple[list[Row], int, bool]:
        """The page by walking an index newest first, and its total from the index alone, in one
        statement; only a page past the end needs the count on its own.
        prepare=False: a generic plan cannot know how selective a region is."""
        counted = _counted("postings", condition)
        with db.reading(self.pool) as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT {}, ({}) AS total FROM postings WHERE {} ORDER BY {} LIMIT %(limit)s OFFSET %(offset)s"
                ).format(_summary_columns(), counted, condition, sql.SQL(order)),
                params,
                prepare=False,
            ).fetchall()
            total = rows[0]["total"] if rows else _total(conn.execute(counted, params, prepare=False).fetchone())
        return [_without_total(r) for r in rows], min(total, self.total_cap), total > self.total_cap

    def _keyword_page(
        self, found: sql.Composable, walked: sql.Composable, sort: str, status: str, params: dict[str, Any]
    ) -> tuple[list[Row], int, bool]:
        """Matches come from posting_search, the page's summaries from postings by id.
        `found` uses the gram index; `walked` is the same test row by row (no grams: they
        are not stored, and computing them per row would cost far more than LIKE)."""
        order = sql.SQL(ORDER[sort])
        with self.pool.connection() as conn, conn.transaction():
            # Bitmap scans only, so the GIN index alone decides containment, and one pass
            # collects the matches (up to the cap) for both the count and the page. That plan
            # suits any keyword, so it may be prepared.
            conn.execute(BITMAP_ONLY)
            rows = conn.execute(
                sql.SQL(
                    "WITH matches AS MATERIALIZED (SELECT {match} FROM posting_search WHERE {found} LIMIT %(cap)s), "
                    "page AS (SELECT m.*, (SELECT count(*) FROM matches) AS total FROM matches m "
                    "ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s) "
                    "SELECT {summary}, page.total FROM page JOIN postings p USING (posting_id) ORDER BY {order}"
                ).format(match=sql.SQL(MATCH_COLUMNS), found=found, order=order, summary=_summary_columns("p")),
                params,
            ).fetchall()
            if rows:
                total = rows[0]["total"]
            else:
                total = _total(conn.execute(_counted("posting_search", found), params).fetchone())
            if total <= self.total_cap:
                return [_without_total(r) for r in rows], total, False
            # More matches than the cap: the page must come from all of them. A word this
            # common matches a large share of the posts, so walking the open posts newest
            # first and testing each finds a page after a few rows; other orders have no
            # index to walk and sort every match.
            condition = found
            if sort == "newest" and status == "open":
                conn.execute(ORDERED_WALK)
                condition = walked
            page = conn.execute(
                sql.SQL(
                    "WITH page AS (SELECT {match} FROM posting_search WHERE {condition} "
                    "ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s) "
                    "SELECT {summary} FROM page JOIN postings p USING (posting_id) ORDER BY {order}"
                ).format(match=sql.SQL(MATCH_COLUMNS), condition=condition, order=order, summary=_summary_columns("p")),
                params,
            ).fetchall()
            return page, self.total_cap, True

    def insert_missing(self, rows: Iterable[Mapping[str, Any]]) -> int:
        """Bulk insert by COPY; rows whose id already exists are left as they are."""
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("CREATE TEMPORARY TABLE incoming (LIKE postings) ON COMMIT DROP")
            columns = sql.SQL(", ").join(map(sql.Identifier, COLUMNS))
            with conn.cursor().copy(sql.SQL("COPY incoming ({}) FROM STDIN").format(columns)) as copy:
                for row in rows:
                    copy.write_row([row[c] for c in COLUMNS])
            added = conn.execute(
                sql.SQL(
                    "INSERT INTO postings ({0}) SELECT {0} FROM incoming ON CONFLICT (posting_id) DO NOTHING"
                ).format(columns)
            ).rowcount
        # Fresh statistics, or the planner prices searches on a table it thinks is empty; and the
        # visibility map set, so region counts stay index-only scans.
        with db.reading(self.pool) as conn:
            conn.execute("VACUUM (ANALYZE) postings, posting_search")
        return added


def _record(conn: Connection[Any], row: Row, event_type: str, metadata: dict[str, Any] | None) -> None:
    """Append the post's event; the post's row lock (or its insert) keeps its versions in turn."""
    version = eventstore.stream_version(conn, row["posting_id"])
    eventstore.append(
        conn, row["posting_id"], version, [eventstore.NewEvent(event_type, contract.event_payload(row), metadata or {})]
    )


def _counted(table: str, condition: sql.Composable) -> sql.Composed:
    """How many rows of `table` match, counting no further than the cap (%(cap)s)."""
    return sql.SQL("SELECT count(*) AS total FROM (SELECT 1 FROM {} WHERE {} LIMIT %(cap)s) m").format(
        sql.Identifier(table), condition
    )


def _total(row: Row | None) -> int:
    assert row is not None  # count(*) always gives one row
    return int(row["total"])


def _without_total(row: Row) -> Row:
    row.pop("total")
    return row


def _summary_columns(table: str | None = None) -> sql.Composed:
    return sql.SQL(", ").join(sql.Identifier(table, c) if table else sql.Identifier(c) for c in SUMMARY_COLUMNS)
