"""The event store against real PostgreSQL: optimistic concurrency, gap-free commit order, rebuilds."""

import random
import threading
import time
import uuid
from collections import defaultdict

import psycopg
import pytest

from common import eventstore, projections
from common.eventstore import ConcurrencyConflict, NewEvent


@pytest.fixture(scope="module")
def dsn(databases):
    return databases("applications")


def test_append_is_all_or_nothing_and_checks_the_expected_version(dsn):
    stream = uuid.uuid4()
    with psycopg.connect(dsn) as conn:
        stored = eventstore.append(
            conn, stream, 0, [NewEvent("opened", {"n": 1}, {"actor": "a"}), NewEvent("renamed", {"name": "x"})]
        )
        conn.commit()
        assert [(e.stream_version, e.type) for e in stored] == [(1, "opened"), (2, "renamed")]
        assert stored[0].position < stored[1].position

        for stale in (0, 1, 3):  # behind, and ahead (would leave a hole)
            with pytest.raises(ConcurrencyConflict) as raised, conn.transaction():
                eventstore.append(conn, stream, stale, [NewEvent("a", {}), NewEvent("b", {})])
            assert raised.value.code == "CONCURRENT_UPDATE" and raised.value.status == 409

        assert eventstore.read_stream(conn, stream) == stored
        assert eventstore.read_stream(conn, stream, after_version=1) == stored[1:]
        assert stored[1].metadata == {} and stored[0].metadata == {"actor": "a"}


@pytest.mark.parametrize("serialised", [True, False], ids=["table-lock", "unique-constraint-alone"])
def test_32_writers_at_the_same_expected_version_one_wins_each_round(dsn, monkeypatch, serialised):
    monkeypatch.setattr(eventstore, "serialise_appends", serialised)  # the unique (stream, version) is a backstop
    writers, rounds = 32, 25
    stream = uuid.uuid4()
    outcomes = defaultdict(list)
    barrier = threading.Barrier(writers)
    errors = []

    def writer(i):
        try:
            with psycopg.connect(dsn) as conn:
                for r in range(rounds):
                    barrier.wait()
                    batch = [
                        NewEvent("ticked", {"round": r, "writer": i}),
                        NewEvent("tocked", {"round": r, "writer": i}),
                    ]
                    try:
                        with conn.transaction():
                            eventstore.append(conn, stream, 2 * r, batch)
                        outcomes[r].append(("won", i))
                    except ConcurrencyConflict:
                        outcomes[r].append(("lost", i))
                    barrier.wait()  # the round is decided before anyone reads its version
        except Exception as exc:  # noqa: BLE001  (surfaced below; a broken barrier also ends the others)
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors

    winners = {}
    for r in range(rounds):
        won = [i for outcome, i in outcomes[r] if outcome == "won"]
        assert len(won) == 1 and len(outcomes[r]) == writers, outcomes[r]
        winners[r] = won[0]
    with psycopg.connect(dsn) as conn:
        events = eventstore.read_stream(conn, stream)
    assert [e.stream_version for e in events] == list(range(1, 2 * rounds + 1))
    # Each round's two events are the winner's batch: nothing of a losing batch was written.
    assert [(e.payload["round"], e.payload["writer"]) for e in events] == [
        (r, winners[r]) for r in range(rounds) for _ in range(2)
    ]


def tail_while_writing(dsn, duration, writers=8, readers=3):
    """Writers append with random delays before commit and some rollbacks while readers poll the log.

    Returns (the committed positions, each reader's sequence of seen positions).
    """
    tag = uuid.uuid4().hex
    with psycopg.connect(dsn, autocommit=True) as conn:
        start = conn.execute("SELECT coalesce(max(position), 0) FROM events").fetchone()[0]
    committed = []
    seen = [[] for _ in range(readers)]
    writing_done = threading.Event()
    deadline = time.monotonic() + duration

    def writer(seed):
        rnd = random.Random(seed)
        with psycopg.connect(dsn) as conn:
            while time.monotonic() < deadline:
                roll_back = rnd.random() < 0.2
                with conn.transaction():  # swallows the Rollback it is given
                    stored = eventstore.append(
                        conn, uuid.uuid4(), 0, [NewEvent("tailed", {"tag": tag}) for _ in range(rnd.randint(1, 3))]
                    )
                    time.sleep(rnd.uniform(0, 0.003))
                    if roll_back:
                        raise psycopg.Rollback()
                if not roll_back:
                    committed.extend(e.position for e in stored)

    def reader(out):
        with psycopg.connect(dsn, autocommit=True) as conn:
            last = start
            while True:
                finished = writing_done.is_set()
                batch = eventstore.read_log(conn, last, 50)
                out.extend(e.position for e in batch if e.payload.get("tag") == tag)
                if batch:
                    last = batch[-1].position
                elif finished:
                    return
                else:
                    time.sleep(0.0005)

    reader_threads = [threading.Thread(target=reader, args=(out,)) for out in seen]
    writer_threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(writers)]
    for t in reader_threads + writer_threads:
        t.start()
    for t in writer_threads:
        t.join()
    writing_done.set()
    for t in reader_threads:
        t.join()
    return committed, seen


def test_tailing_readers_see_exactly_the_committed_sequence(dsn):
    committed, seen = tail_while_writing(dsn, duration=2.0)
    assert len(committed) > 300
    for sequence in seen:
        assert sequence == sorted(committed)  # no miss, no duplicate, in order


def test_negative_control_without_the_table_lock_readers_miss_events(dsn, monkeypatch):
    monkeypatch.setattr(eventstore, "serialise_appends", False)
    misses = 0
    for _ in range(5):  # almost always the first round shows it
        committed, seen = tail_while_writing(dsn, duration=1.0)
        misses = sum(len(set(committed) - set(sequence)) for sequence in seen)
        if misses:
            break
    assert misses > 0, "without the lock, readers should have skipped late commits"


SUMMARY_TABLES = ["test_rebuild_summaries", "test_rebuild_history"]


def project_summary(conn, event):
    """A test read model: one row per stream, and a history line per event."""
    if not event.type.startswith("rebuild_"):
        return
    conn.execute(
        """INSERT INTO test_rebuild_summaries (stream_id, events, last_type, total) VALUES (%s, 1, %s, %s)
           ON CONFLICT (stream_id) DO UPDATE SET events = test_rebuild_summaries.events + 1,
               last_type = excluded.last_type, total = test_rebuild_summaries.total + excluded.total""",
        (event.stream_id, event.type, event.payload["amount"]),
    )
    conn.execute(
        "INSERT INTO test_rebuild_history (stream_id, stream_version, type) VALUES (%s, %s, %s)",
        (event.stream_id, event.stream_version, event.type),
    )


def test_rebuild_reproduces_the_live_projections(dsn):
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE test_rebuild_summaries (stream_id uuid PRIMARY KEY, events int NOT NULL,"
            " last_type text NOT NULL, total int NOT NULL)"
        )
        conn.execute(
            "CREATE TABLE test_rebuild_history (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
            " stream_id uuid NOT NULL, stream_version int NOT NULL, type text NOT NULL)"
        )
    rnd = random.Random(7)
    streams = {uuid.uuid4(): 0 for _ in range(20)}
    with psycopg.connect(dsn) as conn:
        for _ in range(200):
            stream = rnd.choice(list(streams))
            expected = streams[stream] - (1 if rnd.random() < 0.1 and streams[stream] else 0)  # some stale writers
            try:
                with conn.transaction():
                    new = [
                        NewEvent(rnd.choice(["rebuild_added", "rebuild_removed"]), {"amount": rnd.randint(1, 9)})
                        for _ in range(rnd.randint(1, 2))
                    ]
                    for event in eventstore.append(conn, stream, expected, new):
                        project_summary(conn, event)
                streams[stream] = expected + len(new)
            except ConcurrencyConflict:
                pass

    def snapshot(conn):
        return [conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in SUMMARY_TABLES]

    with psycopg.connect(dsn, autocommit=True) as conn:
        live = snapshot(conn)
        count = projections.rebuild(conn, SUMMARY_TABLES, project_summary)
        rebuilt = snapshot(conn)
    assert count >= sum(streams.values())
    assert len(live[1]) == sum(streams.values())
    assert rebuilt == live


def project_count(conn, event):
    """A test read model for the rebuild-under-load test: events per stream."""
    if event.type == "busy_added":
        conn.execute(
            "INSERT INTO test_busy_counts (stream_id, events) VALUES (%s, 1) ON CONFLICT (stream_id)"
            " DO UPDATE SET events = test_busy_counts.events + 1",
            (event.stream_id,),
        )


def test_reads_and_writes_proceed_while_the_read_model_is_rebuilt(dsn):
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE test_busy_counts (stream_id uuid PRIMARY KEY, events int NOT NULL)")
    streams = [uuid.uuid4() for _ in range(200)]
    with psycopg.connect(dsn) as conn:  # many cases, a long replay: 10,000 events
        for stream in streams:
            with conn.transaction():
                for event in eventstore.append(conn, stream, 0, [NewEvent("busy_added", {}) for _ in range(50)]):
                    project_count(conn, event)

    rebuilding = threading.Event()
    done = threading.Event()
    slowest = defaultdict(float)
    during = defaultdict(int)

    def timed(kind, operation):
        started = time.monotonic()
        operation()
        slowest[kind] = max(slowest[kind], time.monotonic() - started)
        if rebuilding.is_set() and not done.is_set():
            during[kind] += 1

    def reader():
        with psycopg.connect(dsn, autocommit=True) as conn:
            while not done.is_set():
                timed(
                    "read",
                    lambda: conn.execute(
                        "SELECT events FROM test_busy_counts WHERE stream_id = %s", (random.choice(streams),)
                    ).fetchone(),
                )

    def writer():
        new_stream = uuid.uuid4()
        with psycopg.connect(dsn) as conn:
            version = 0
            while not done.is_set():

                def submit(expected=version):
                    with conn.transaction():
                        for event in eventstore.append(conn, new_stream, expected, [NewEvent("busy_added", {})]):
                            project_count(conn, event)

                timed("write", submit)
                version += 1
        return new_stream

    workers = [threading.Thread(target=reader), threading.Thread(target=reader), threading.Thread(target=writer)]
    for worker in workers:
        worker.start()
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            live_before = conn.execute("SELECT count(*) FROM test_busy_counts").fetchone()[0]
            rebuilding.set()
            started = time.monotonic()
            projections.rebuild(conn, ["test_busy_counts"], project_count)
            took = time.monotonic() - started
    finally:
        done.set()
        for worker in workers:
            worker.join()
    with psycopg.connect(dsn, autocommit=True) as conn:
        rebuilt = conn.execute("SELECT sum(events) FROM test_busy_counts").fetchone()[0]
        logged = conn.execute("SELECT count(*) FROM events WHERE type = 'busy_added'").fetchone()[0]
        assert (
            conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", (projections.SHADOW,)).fetchone()[0]
            == 0
        )
    assert live_before == len(streams)
    assert rebuilt == logged, "the rebuilt model holds every event, those written during the rebuild too"
    # Blocked readers or writers would wait about as long as the whole rebuild.
    assert during["read"] and during["write"], dict(during)
    assert slowest["read"] < took / 2 and slowest["write"] < took / 2, (took, dict(slowest))
