"""Scale-out and crash: two replicas of every service and of the gateway under the local
runner's supervisor, a steady stream of journeys (register, upload, submit, approve, wait
until intern, bookmark) through the gateway, one replica of each SIGKILLed mid-stream and,
once they are back, the other replica of each SIGTERMed as a rolling update does (each must
drain and exit within 10 s). The supervisor restarts them all; the client retries with
`Idempotency-Key` what the crashes interrupt. Afterwards every
approved person is an intern, no case is duplicated, every event was applied exactly once
by every consumer, and the bookmarks are what the client left.

Runs on databases, a vhost and a bucket of its own (the shared S3 server only), so nothing
it kills or loads touches the rest of the test run.
"""

import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests

from common import config, migrate
from deploy import system
from tests import workload
from tests.conftest import LOG_DIR, VHOST
from tests.polling import wait_for

JOURNEYS = 32
CLIENTS = 4
#: Journeys finished before the SIGKILLs and before the SIGTERMs, so both land mid-stream.
KILL_AFTER = 6
ROLL_AFTER = 16
ADMIN = "scale_admin"


@pytest.fixture(scope="module")
def scaled(amqp_uri, s3_endpoint):
    run = uuid.uuid4().hex[:8]
    vhost = f"{VHOST}_scale"
    isolated = {
        "DB_SUFFIX": f"_scale_{run}",
        "AMQP_URI": f"amqp://guest:guest@127.0.0.1:5672/{vhost}",
        "S3_BUCKET": f"jx-scale-{run}",
    }
    services = migrate.existing_services()
    system.add_vhost(vhost)
    with pytest.MonkeyPatch.context() as patch:
        for key, value in isolated.items():
            patch.setenv(key, value)
        migrate.migrate_all(services)
        log_dir = LOG_DIR / "scale-out"
        log_dir.mkdir(exist_ok=True)
        running = system.LocalSystem(
            log_dir,
            services,
            s3_url=s3_endpoint,
            replicas=2,
            RPC_TIMEOUT_SECONDS="5",
            MAX_WORKERS="5",  # the PostgreSQL server is shared: small pools
            **isolated,
        )
        try:
            running.start()
            system.create_admin(ADMIN, workload.PASSWORD, **isolated)
            yield running
        finally:
            running.stop()
            for name in services:
                migrate.drop_database(name)
            system.delete_vhost(vhost)


def staff(base_url, stats):
    anon = workload.Client(base_url, stats)
    admin = workload.login(anon, ADMIN)
    username = f"scale_reviewer_{uuid.uuid4().hex[:6]}"
    admin.call(
        "staff",
        "POST",
        "/api/v1/admin/users",
        (201,),
        json={
            "username": username,
            "password": workload.PASSWORD,
            "real_name": "审核员",
            "roles": ["reviewer"],
            "jurisdiction": None,
        },
    )
    return anon, username


def kill_one_replica_of_each(running):
    """SIGKILL `<name>.1` of every service and the gateway; returns {replica: killed pid}."""
    names = [f"{name}.1" for name in running.services + ["gateway"]]
    return {replica: running.supervisor.signal(replica, signal.SIGKILL) for replica in names}


def restarted_and_ready(running, replica, old_pid):
    """Back under a new pid and, for a service, answering its own /readyz."""
    process = running.processes[replica]
    if process.pid == old_pid or not process.running():
        return False
    url = running.health_urls.get(replica)
    try:
        return url is None or requests.get(url + "/readyz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def roll_the_other_replica_of_each(running):
    """SIGTERM `<name>.2` of each, as a rolling update does: {replica: (pid, exit code, seconds to exit)}."""
    names = [f"{name}.2" for name in running.services + ["gateway"]]
    procs = {replica: running.processes[replica].proc for replica in names}
    started = time.monotonic()
    for proc in procs.values():
        proc.send_signal(signal.SIGTERM)
    drained = {}
    for replica, proc in procs.items():
        code = proc.wait(timeout=30)
        drained[replica] = (proc.pid, code, time.monotonic() - started)
    return drained


def connect(service):
    """A connection to a service database, waiting out a moment when the shared server is full."""

    def attempt():
        try:
            return psycopg.connect(config.database_url(service), connect_timeout=10)
        except psycopg.OperationalError as exc:
            if "too many clients" not in str(exc):
                raise
            return None

    return wait_for(attempt, timeout=60, interval=0.5)


def consumer_databases(services):
    """The service databases that consume events (they have a consumer inbox)."""
    found = []
    for name in services:
        with connect(name) as conn:
            if conn.execute("SELECT to_regclass('consumer_inbox')").fetchone()[0]:
                found.append(name)
    return found


def test_replicas_survive_a_crash_of_one_of_each_mid_stream(scaled):
    stats = workload.Stats()
    anon, reviewer_name = staff(scaled.base_url, stats)
    reviewer = workload.login(anon, reviewer_name)
    posting_ids = workload.create_posts(reviewer, 4)

    with ThreadPoolExecutor(CLIENTS) as pool:
        # Each journey gets its own reviewer session: requests.Session is not shared across threads.
        futures = [
            pool.submit(workload.journey, anon, reviewer.as_user(reviewer.token), posting_ids) for _ in range(JOURNEYS)
        ]

        def finished(count):
            wait_for(lambda: sum(f.done() for f in futures) >= count, timeout=240, interval=0.1)
            assert not any(f.done() for f in futures[-CLIENTS:]), "the stream ended too early"

        finished(KILL_AFTER)
        killed = kill_one_replica_of_each(scaled)
        for replica, pid in killed.items():
            wait_for(lambda replica=replica, pid=pid: restarted_and_ready(scaled, replica, pid), timeout=90)
        finished(ROLL_AFTER)
        drained = roll_the_other_replica_of_each(scaled)
        outcomes = [f.result() for f in futures]

    log = scaled.logs("supervisor")
    for replica, pid in killed.items():
        assert f"{replica} (pid {pid}) exited with signal SIGKILL" in log
    for replica, (pid, code, seconds) in drained.items():
        assert code == 0 and seconds < 10, (replica, code, seconds)  # drained, not killed
        wait_for(lambda replica=replica, pid=pid: restarted_and_ready(scaled, replica, pid), timeout=90)

    # No case duplicated, every approved person an intern, bookmarks as the client left them.
    for outcome in outcomes:
        person = workload.login(anon, outcome.username)
        cases = person.call("mine", "GET", "/api/v1/applications", (200,)).json()
        assert cases["total"] == 1 and cases["items"][0]["application_id"] == outcome.application_id, cases
        assert cases["items"][0]["status"] == "approved"
        assert person.call("me", "GET", "/api/v1/me", (200,)).json()["intern"]["eligible"] is True
        favorites = person.call("favorites", "GET", "/api/v1/favorites", (200,)).json()["items"]
        assert {item["posting_id"] for item in favorites} == outcome.bookmarks

    # Every event of these cases applied exactly once by every consumer, in full.
    application_ids = [o.application_id for o in outcomes]
    with connect("applications") as conn:
        events = dict(
            conn.execute(
                "SELECT event_id::text, stream_id::text FROM events WHERE stream_id::text = ANY(%s)", (application_ids,)
            ).fetchall()
        )
    assert len(events) == 2 * JOURNEYS  # submitted, approved
    consumers = consumer_databases(scaled.services)
    assert "favorites" in consumers
    for name in consumers:
        with connect(name) as conn:
            applied = conn.execute(
                "SELECT consumer, event_id::text FROM consumer_inbox WHERE stream_id = ANY(%s)", (application_ids,)
            ).fetchall()
            versions = conn.execute(
                "SELECT consumer, stream_id, version FROM consumer_streams WHERE stream_id = ANY(%s)",
                (application_ids,),
            ).fetchall()
        for consumer in {c for c, _ in applied} | {c for c, _, _ in versions}:
            assert sorted(e for c, e in applied if c == consumer) == sorted(events), (name, consumer)
            assert {s: v for c, s, v in versions if c == consumer} == dict.fromkeys(application_ids, 2), consumer
    with connect("favorites") as conn:
        interns = conn.execute("SELECT count(*) FROM interns").fetchone()[0]
    assert interns == JOURNEYS
    print(
        f"\n{stats.requests} requests, {stats.retries} retried; SIGKILLed {', '.join(killed)}; drained in "
        + ", ".join(f"{replica} {seconds:.1f}s" for replica, (_, _, seconds) in drained.items())
    )
