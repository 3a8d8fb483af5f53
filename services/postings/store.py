"""Postings' SQL."""

from psycopg import sql

from common.ids import parse_uuid

from services.postings import domain

COLUMNS = domain.FIELDS + (
    "posting_id", "published_at", "updated_at", "closed_at", "created_by", "closed_by",
    "search_text", "search_grams",
)
SUMMARY_COLUMNS = domain.SUMMARY_FIELDS + ("posting_id", "deadline", "published_at", "closed_at")
# Ties broken by id so paging is stable.
ORDER = {
    "newest": "published_at DESC, posting_id DESC",
    "deadline": "deadline ASC, posting_id DESC",
    "subsidy": "monthly_subsidy DESC, posting_id DESC",
}
OPEN = "(closed_at IS NULL AND deadline >= %(today)s)"


class PostingsStore:
    def __init__(self, pool):
        self.pool = pool

    def create(self, row):
        with self.pool.connection() as conn:
            return conn.execute(
                sql.SQL("INSERT INTO postings ({}) VALUES ({}) RETURNING *").format(
                    sql.SQL(", ").join(map(sql.Identifier, COLUMNS)),
                    sql.SQL(", ").join(sql.Placeholder(c) for c in COLUMNS)),
                row).fetchone()

    def get(self, posting_id):
        key = parse_uuid(posting_id)
        if key is None:
            return None
        with self.pool.connection() as conn:
            return conn.execute("SELECT * FROM postings WHERE posting_id = %s", (key,)).fetchone()

    def by_ids(self, posting_ids):
        keys = [k for k in map(parse_uuid, posting_ids) if k is not None]
        with self.pool.connection() as conn:
            return conn.execute(
                sql.SQL("SELECT {} FROM postings WHERE posting_id = ANY(%s)").format(_summary_columns()),
                (keys,)).fetchall()

    def change(self, posting_id, update):
        """Apply `update(row) -> row` under a row lock; None when there is no such post."""
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
            return conn.execute(
                sql.SQL("UPDATE postings SET {} WHERE posting_id = %(posting_id)s RETURNING *").format(
                    sql.SQL(", ").join(sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder(c))
                                       for c in changed)),
                new).fetchone()

    def search(self, today, page, page_size, sort="newest", status="open", city=None, county=None,
               word=None, education=None, industry=None):
        """One page of summaries and the total; `word` is a normalised keyword."""
        where, params = [], {"today": today}
        if status == "open":
            where.append(OPEN)
        elif status == "closed":
            where.append("NOT " + OPEN)
        for column, value in (("city_code", city), ("county_code", county),
                              ("education_requirement", education), ("industry", industry)):
            if value is not None:
                where.append(f"{column} = %({column})s")
                params[column] = value
        if word:
            where.append("search_grams @> %(grams)s::text[]")
            params["grams"] = domain.keyword_grams(word)
            if len(word) > 2:
                where.append("search_text LIKE %(pattern)s")
                params["pattern"] = domain.like_pattern(word)
        condition = sql.SQL(" AND ".join(where) or "TRUE")
        params.update(limit=page_size, offset=(page - 1) * page_size)
        page_query = sql.SQL("SELECT {}{} FROM postings WHERE {} ORDER BY {} LIMIT %(limit)s OFFSET %(offset)s")
        count_query = sql.SQL("SELECT count(*) AS total FROM postings WHERE {}").format(condition)
        with self.pool.connection() as conn, conn.transaction():
            if word:
                # The planner cannot price reading each post's grams (kept out of line): left
                # free it may walk the newest-first index and test every post's grams, seconds
                # at 100,000 posts. Bitmap scans only: the GIN index finds the matches, and
                # the page and the total come from that one pass.
                for knob in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
                    conn.execute(f"SET LOCAL {knob} = off")
                rows = conn.execute(page_query.format(_summary_columns(), sql.SQL(", count(*) OVER () AS total"),
                                                      condition, sql.SQL(ORDER[sort])),
                                    params, prepare=False).fetchall()
                if rows:
                    return rows, rows[0]["total"]
                # A page past the end: count on its own.
                return [], conn.execute(count_query, params, prepare=False).fetchone()["total"]
            # Region pages: the total from the index alone, the page by walking it newest first.
            # prepare=False: a generic plan cannot know how selective a region is.
            total = conn.execute(count_query, params, prepare=False).fetchone()["total"]
            rows = []
            if total > params["offset"]:
                rows = conn.execute(page_query.format(_summary_columns(), sql.SQL(""), condition,
                                                      sql.SQL(ORDER[sort])), params, prepare=False).fetchall()
        return rows, total

    def insert_missing(self, rows):
        """Bulk insert by COPY; rows whose id already exists are left as they are."""
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("CREATE TEMPORARY TABLE incoming (LIKE postings) ON COMMIT DROP")
            columns = sql.SQL(", ").join(map(sql.Identifier, COLUMNS))
            with conn.cursor().copy(sql.SQL("COPY incoming ({}) FROM STDIN").format(columns)) as copy:
                for row in rows:
                    copy.write_row([row[c] for c in COLUMNS])
            return conn.execute(sql.SQL("INSERT INTO postings ({0}) SELECT {0} FROM incoming "
                                        "ON CONFLICT (posting_id) DO NOTHING").format(columns)).rowcount


def _summary_columns():
    return sql.SQL(", ").join(map(sql.Identifier, SUMMARY_COLUMNS))
