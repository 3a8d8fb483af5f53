"""The postings store on a real PostgreSQL database: search, status by deadline, edits, bulk load.

The run's database is shared with other tests, so every test tags its posts with a
unique token and searches for it.
"""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from common import db, eventstore
from contracts import postings as contract
from services.postings import domain
from services.postings.store import PostingsStore

TODAY = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
REVIEWER = {"user_id": str(uuid.uuid4()), "roles": ["reviewer"], "jurisdiction": None}


@pytest.fixture(scope="module")
def store(databases):
    databases("postings")
    pool = db.create_pool("postings", max_size=4)
    yield PostingsStore(pool)
    pool.close()


@pytest.fixture
def token():
    """A tag no other test's posts contain; letters only, so it normalises to itself."""
    return "tag" + uuid.uuid4().hex[:10].translate(str.maketrans("0123456789", "ghijklmnop"))


def post(store, token, published=NOW, **overrides):
    data = {
        "title": f"会计助理{token}",
        "employer_name": "太原晋阳会计服务有限公司",
        "employer_credit_code": "91140105MA0K12345X",
        "city_code": "140100",
        "county_code": "140105",
        "industry": "租赁和商务服务业",
        "headcount": 2,
        "education_requirement": "大专",
        "major_requirement": "会计学",
        "duration_months": 6,
        "monthly_subsidy": 2000,
        "address": "太原市小店区长风街1号",
        "contact_name": "王伟",
        "contact_phone": "0351-5551234",
        "description": "协助记账、报税与财务资料整理。",
        "deadline": TODAY + timedelta(days=30),
    }
    data.update(overrides)
    row = domain.new_posting(data, REVIEWER, published)
    return store.create(row)


def search(store, token, q=None, **filters):
    """Search within this test's posts: the token is searched as well, by title."""
    filters.setdefault("page", 1)
    filters.setdefault("page_size", 100)
    rows, total, capped = store.search(TODAY, word=domain.keyword(q) if q else token, **filters)
    assert not capped
    if q:
        rows = [r for r in rows if token in r["title"]]
    return rows, total


@pytest.mark.parametrize(
    "q, hits",
    [
        ("会", 2),
        ("会计", 2),
        ("计助", 2),
        ("会计助理", 2),
        ("晋阳", 1),
        ("科技有限", 1),
        ("护士", 0),
        ("财务资料", 1),
        ("ＧＡＭＭＡ", 1),
    ],
)
def test_keyword_finds_substrings_of_title_employer_and_description(store, token, q, hits):
    post(store, token, employer_name="太原晋阳会计服务有限公司")
    post(
        store,
        token,
        employer_name="大同云冈科技有限公司",
        description="负责gamma项目的数据录入。",
        city_code="140200",
        county_code="140213",
    )
    rows, _ = search(store, token, q=q)
    assert len(rows) == hits


def test_keyword_does_not_match_across_fields(store, token):
    post(store, token, title=f"岗位{token}甲", employer_name="乙公司名称")
    assert search(store, token, q=f"{token}甲乙")[0] == []


def test_keyword_wildcards_are_literal(store, token):
    post(store, token, description="完成率100%以上的任务")
    post(store, token, description="完成率1000以上的任务")
    assert len(search(store, token, q="100%")[0]) == 1
    assert len(search(store, token, q="率1_0")[0]) == 0


def test_region_education_industry_filters(store, token):
    post(store, token)
    post(store, token, county_code="140106", education_requirement="本科")
    post(store, token, city_code="140200", county_code="140213", industry="教育")
    assert search(store, token, city="140100")[1] == 2
    assert search(store, token, county="140106")[1] == 1
    assert search(store, token, education="本科")[1] == 1
    assert search(store, token, industry="教育")[1] == 1
    assert search(store, token, city="140200", education="本科")[1] == 0


def test_past_deadline_and_closed_posts_leave_the_default_search(store, token):
    open_post = post(store, token, deadline=TODAY)
    expired = post(store, token, deadline=TODAY - timedelta(days=1))
    closed = post(store, token)
    store.change(closed["posting_id"], lambda row: domain.closed(row, REVIEWER, NOW))
    ids = lambda rows: {r["posting_id"] for r in rows}  # noqa: E731
    assert ids(search(store, token)[0]) == {open_post["posting_id"]}
    assert ids(search(store, token, status="closed")[0]) == {expired["posting_id"], closed["posting_id"]}
    assert search(store, token, status="all")[1] == 3
    assert domain.summary(expired, TODAY)["status"] == "closed"


def test_sorts_and_paging_are_stable(store, token):
    posts = [
        post(
            store,
            token,
            published=NOW - timedelta(hours=i),
            monthly_subsidy=1000 + 100 * (i % 3),
            deadline=TODAY + timedelta(days=10 + (i * 7) % 5),
        )
        for i in range(7)
    ]
    newest = [p["posting_id"] for p in posts]
    assert [r["posting_id"] for r in search(store, token)[0]] == newest
    by_deadline = [r["deadline"] for r in search(store, token, sort="deadline")[0]]
    assert by_deadline == sorted(by_deadline)
    by_subsidy = [r["monthly_subsidy"] for r in search(store, token, sort="subsidy")[0]]
    assert by_subsidy == sorted(by_subsidy, reverse=True)
    pages = [search(store, token, page=p, page_size=3) for p in (1, 2, 3, 4)]
    assert [r["posting_id"] for rows, _ in pages for r in rows] == newest
    assert [total for _, total in pages] == [7, 7, 7, 7] and pages[3][0] == []


def test_change_updates_and_reindexes_the_keyword(store, token):
    created = post(store, token)
    changed = store.change(
        created["posting_id"],
        lambda row: domain.edited(row, {"title": f"护士见习岗{token}"}, REVIEWER, NOW + timedelta(hours=1)),
    )
    assert changed["title"].startswith("护士") and changed["updated_at"] > created["updated_at"]
    assert len(search(store, token, q="护士")[0]) == 1
    assert search(store, token, q="会计助理")[0] == []


def test_unknown_or_malformed_ids_are_none(store):
    assert store.get(str(uuid.uuid4())) is None
    assert store.get("not-a-uuid") is None
    assert store.change("not-a-uuid", lambda row: row) is None


def test_by_ids_in_one_query(store, token):
    a, b = post(store, token), post(store, token)
    rows = store.by_ids([str(a["posting_id"]), str(b["posting_id"]), str(uuid.uuid4()), "junk"])
    assert {r["posting_id"] for r in rows} == {a["posting_id"], b["posting_id"]}
    assert "description" not in rows[0]


def test_insert_missing_skips_existing_ids(store, token):
    rows = [domain.new_posting({**post_fields(token), "title": f"批量{token}{i}"}, REVIEWER, NOW) for i in range(5)]
    assert store.insert_missing(rows) == 5
    assert store.insert_missing(rows) == 0
    assert search(store, token)[1] == 5


def post_fields(token):
    return {
        "title": token,
        "employer_name": "太原晋阳会计服务有限公司",
        "employer_credit_code": "91140105MA0K12345X",
        "city_code": "140100",
        "county_code": "140105",
        "industry": "教育",
        "headcount": 2,
        "education_requirement": "大专",
        "major_requirement": "不限",
        "duration_months": 6,
        "monthly_subsidy": 2000,
        "address": "太原市小店区长风街1号",
        "contact_name": "王伟",
        "contact_phone": "0351-5551234",
        "description": "协助记账、报税与财务资料整理。",
        "deadline": TODAY + timedelta(days=30),
    }


@pytest.fixture
def capped_store(store):
    """The same database, counting at most 3 matches."""
    capped = PostingsStore(store.pool)
    capped.total_cap = 3
    return capped


@pytest.mark.parametrize("sort", ["newest", "deadline", "subsidy"])
@pytest.mark.parametrize("keyword", [False, True])
def test_totals_above_the_cap_are_capped_and_pages_still_come_from_every_match(capped_store, token, sort, keyword):
    posts = [
        post(
            capped_store,
            token,
            published=NOW - timedelta(hours=i),
            monthly_subsidy=1000 + 100 * i,
            deadline=TODAY + timedelta(days=10 + i),
        )
        for i in range(5)
    ]
    word = domain.keyword(token if keyword else None)
    region = {} if keyword else {"county": "140105"}

    def page(number):
        rows, total, capped = capped_store.search(TODAY, number, 2, sort=sort, word=word, **region)
        return [r["posting_id"] for r in rows], total, capped

    if not keyword:  # other tests' posts share the county: look at this test's own order only
        first = page(1)
        assert first[1:] == (3, True)
        return
    expected = {"newest": posts, "deadline": posts, "subsidy": posts[::-1]}[sort]
    ids = [p["posting_id"] for p in expected]
    assert page(1) == (ids[:2], 3, True)
    assert page(3) == (ids[4:], 3, True)
    assert page(4) == ([], 3, True)


def test_totals_at_the_cap_are_exact(capped_store, token):
    for _ in range(3):
        post(capped_store, token)
    assert capped_store.search(TODAY, 1, 20, word=domain.keyword(token))[1:] == (3, False)


def test_keyword_and_region_conditions_can_use_their_indexes(store, token):
    """The planner may scan a tiny table; with scans off it shows the conditions match an index.
    benchmarks/postings_search.py measures the real plans at 100,000 posts."""
    post(store, token)
    with store.pool.connection() as conn:
        conn.execute("SET enable_seqscan = off")
        plan = "\n".join(
            r["QUERY PLAN"]
            for r in conn.execute(
                "EXPLAIN SELECT count(*) FROM posting_search WHERE posting_grams(search_text) @> %s::text[]",
                (domain.keyword_grams("会计"),),
            )
        )
        assert "posting_search_grams" in plan
        plan = "\n".join(
            r["QUERY PLAN"]
            for r in conn.execute(
                "EXPLAIN SELECT posting_id FROM postings WHERE city_code = '140100' AND closed_at IS NULL "
                "AND deadline >= %s ORDER BY published_at DESC, posting_id DESC LIMIT 20",
                (TODAY,),
            )
        )
        # With fresh statistics (every test posts in this city) the newest-first index may win.
        assert "postings_open_city" in plan or "postings_open_newest" in plan


def test_publishing_changing_and_closing_each_record_one_event_without_contact_details(store, token):
    created = post(store, token)
    key = created["posting_id"]
    store.change(
        key,
        lambda row: domain.edited(row, {"headcount": 3}, REVIEWER, NOW),
        contract.POSTING_CHANGED,
        {"request_id": "req-1"},
    )
    for _ in range(2):  # closing a closed post changes nothing and says nothing
        store.change(key, lambda row: domain.closed(row, REVIEWER, NOW), contract.POSTING_CLOSED)
    with store.pool.connection() as conn:
        events = eventstore.read_stream(conn, key)
    assert [(e.type, e.stream_version) for e in events] == [
        (contract.POSTING_PUBLISHED, 1),
        (contract.POSTING_CHANGED, 2),
        (contract.POSTING_CLOSED, 3),
    ]
    assert events[1].metadata == {"request_id": "req-1"}
    assert events[0].payload == {
        "posting_id": str(key),
        "city_code": "140100",
        "county_code": "140105",
        "deadline": (TODAY + timedelta(days=30)).isoformat(),
    }
    assert "0351" not in repr([e.payload for e in events])


def test_reads_run_without_a_transaction_and_hand_the_connection_back_as_it_was(store):
    pool = db.create_pool("postings", max_size=1)
    try:
        with db.reading(pool) as conn:
            assert conn.autocommit
            conn.execute("SELECT 1")
        with pool.connection() as conn:
            assert not conn.autocommit
    finally:
        pool.close()


def test_the_keyword_index_never_has_grams_pending(store, token):
    """Grams waiting in a GIN index's pending list would be scanned whole by every keyword search
    until a vacuum merged them: posts published one at a time, edited, or loaded in bulk go
    straight into the index."""
    created = post(store, token)
    store.change(created["posting_id"], lambda row: domain.edited(row, {"title": f"护士{token}"}, REVIEWER, NOW))
    store.insert_missing(
        [domain.new_posting({**post_fields(token), "title": f"待合并{token}{i}"}, REVIEWER, NOW) for i in range(5)]
    )
    with store.pool.connection() as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        pending = conn.execute(
            "SELECT n_pending_tuples FROM gin_metapage_info(get_raw_page('posting_search_grams', 0))"
        ).fetchone()["n_pending_tuples"]
    assert pending == 0


def grams_in_database(store, text):
    with store.pool.connection() as conn:
        return set(conn.execute("SELECT posting_grams(%s) AS grams", (text,)).fetchone()["grams"])


def test_a_posts_grams_are_every_one_and_two_character_substring_within_a_field(store):
    expected = {"会", "计", "师", "会计", "计师", "a", "b", "c", "ab", "b ", " c"}
    assert grams_in_database(store, "会计师\nab c") == expected


def test_every_substring_of_a_post_has_its_keyword_grams_in_the_post(store):
    """The query's grams (domain.keyword_grams) and a post's (the database's posting_grams) agree."""
    text = domain.search_text(
        {
            "title": "Java开发工程师助理",
            "employer_name": "太原晋阳科技有限公司",
            "description": "参与需求分析与代码编写，Ｐｙｔｈｏｎ 优先",
        }
    )
    grams = grams_in_database(store, text)
    for part in text.split("\n"):
        for start in range(len(part)):
            for end in range(start + 1, min(len(part), start + 6) + 1):
                word = domain.keyword(part[start:end])
                if word:
                    assert set(domain.keyword_grams(word)) <= grams, word


def test_the_search_table_follows_every_write_to_postings(store, token):
    """posting_search is kept by a trigger: the old release's writes during a rolling update, and
    direct SQL, land there as the store's do."""
    created = post(store, token)
    added = token + "x"
    with store.pool.connection() as conn:
        conn.execute(
            "UPDATE postings SET city_code = '140200', county_code = '140202', search_text = search_text || %s "
            "WHERE posting_id = %s",
            (" " + added, created["posting_id"]),
        )
    assert search(store, token, city="140200")[1] == 1
    assert search(store, token, city="140100")[1] == 0
    assert search(store, added)[1] == 1
    store.change(created["posting_id"], lambda row: domain.closed(row, REVIEWER, NOW))
    assert search(store, token)[1] == 0
    assert search(store, token, status="closed")[1] == 1
