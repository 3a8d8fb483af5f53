"""Faults survived, on a system of this module's own (databases and vhost), so nothing else is disturbed.

Identity frozen, PostgreSQL backends of one service terminated under load, the
broker closing every connection of the vhost: requests fail fast with 503
(never 500), nothing is half-written, and everything recovers by itself.
"""

import os
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from common import config
from deploy import system
from tests import factories
from tests.conftest import LOG_DIR, VHOST
from tests.e2e.conftest import DEMO_PASSWORD, Client
from tests.e2e.test_applications import form
from tests.e2e.test_favorites import wait_until_intern
from tests.polling import wait_for

RPC_TIMEOUT = 4.0
#: Time for the answer to travel back on a loaded machine, beyond the RPC bound itself.
SLACK = 2.0


class FaultySystem:
    def __init__(self, s3_url):
        run = uuid.uuid4().hex[:8]
        self.vhost = f"{VHOST}_faults_{run}"
        self.env = {
            "DB_SUFFIX": f"{config.env('DB_SUFFIX', '')}_faults{run}",
            "AMQP_URI": f"amqp://guest:guest@127.0.0.1:5672/{self.vhost}",
            "RPC_TIMEOUT_SECONDS": str(RPC_TIMEOUT),
        }
        self.s3_url = s3_url
        self.running = None

    def python(self, *args, **env):
        return subprocess.run(
            [system.PYTHON, *args],
            cwd=system.ROOT,
            env=system.base_env(**self.env, **env),
            check=True,
            capture_output=True,
            text=True,
            timeout=180,
        )

    def start(self):
        system.add_vhost(self.vhost)
        self.python("-m", "common.migrate")  # databases, and every consumer's queue in the vhost
        log_dir = LOG_DIR / f"faults-{self.vhost}"
        log_dir.mkdir()
        self.running = system.LocalSystem(log_dir, self.services(), s3_url=self.s3_url, **self.env).start()
        return self

    def stop(self):
        if self.running:
            self.running.stop()
        self.python("-c", "from common import migrate\nfor s in migrate.existing_services(): migrate.drop_database(s)")
        system.delete_vhost(self.vhost)

    @staticmethod
    def services():
        from common import migrate

        return migrate.existing_services()

    def dsn(self, service):
        return config.with_database(config.env("PG_DSN", config.DEFAULT_PG_DSN), service + self.env["DB_SUFFIX"])

    def terminate_backends(self, service):
        """What a database failover does to one service: every session of its database ends."""
        with psycopg.connect(self.dsn(service), autocommit=True) as conn:
            return conn.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()[0]


@pytest.fixture(scope="module")
def faulty(amqp_uri, s3_endpoint):
    sut = FaultySystem(s3_endpoint).start()
    yield sut
    sut.stop()


@pytest.fixture(scope="module")
def anon(faulty):
    return Client(faulty.running.base_url)


def answered(request, *expect):
    """`request()` until it answers other than 503, which must be one of `expect`: outside the
    faults under test, a loaded machine's slow password hashing may still make a call miss this
    module's short RPC bound."""
    resp = wait_for(lambda: (r := request()).status_code != 503 and r, timeout=60, interval=0.5)
    assert resp.status_code in expect, resp.text
    return resp.json()


def login(anon, username):
    body = answered(
        lambda: anon.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}), 200
    )
    return Client(anon.base_url, body["access_token"])


@pytest.fixture(scope="module")
def reviewer(faulty, anon):
    admin = f"faults_admin_{uuid.uuid4().hex[:8]}"
    faulty.python(
        "-m",
        "services.identity.cli",
        "create-admin",
        "--username",
        admin,
        "--real-name",
        "管理员",
        ADMIN_PASSWORD=DEMO_PASSWORD,
    )
    username = factories.unique_username("faults_reviewer")
    answered(
        lambda: login(anon, admin).post(
            "/api/v1/admin/users",
            json={
                "username": username,
                "password": DEMO_PASSWORD,
                "real_name": "审核员",
                "roles": ["reviewer"],
                "jurisdiction": None,
            },
        ),
        201,
    )
    return login(anon, username)


def ready_to_submit(anon, count):
    """People registered, logged in and with their attachments uploaded: `(client, body)` each."""
    ready = []
    for _ in range(count):
        person = factories.person(password=DEMO_PASSWORD)
        # 409: an attempt that missed the bound had registered the person after all.
        answered(lambda body=person: anon.post("/api/v1/auth/register", json=body), 201, 409)
        client = login(anon, person["username"])
        ready.append((client, form(client)))
    return ready


def case_of(client, body):
    return answered(lambda: client.post("/api/v1/applications", json=body), 201)["application_id"]


def timed(request):
    started = time.monotonic()
    resp = request()
    return resp, time.monotonic() - started


def half_written(faulty):
    """Cases whose event log, read model and particulars disagree (none may)."""
    with psycopg.connect(faulty.dsn("applications"), autocommit=True) as conn:
        return conn.execute(
            """SELECT count(*)
               FROM (SELECT stream_id FROM events WHERE type = 'application_submitted') e
               FULL JOIN applications a ON a.application_id = e.stream_id
               FULL JOIN application_particulars p ON p.application_id = coalesce(e.stream_id, a.application_id)
               WHERE e.stream_id IS NULL OR a.application_id IS NULL OR p.application_id IS NULL"""
        ).fetchone()[0]


def test_with_identity_frozen_submit_answers_503_in_time_and_everything_else_keeps_answering(faulty, anon, reviewer):
    to_approve, to_withdraw = ready_to_submit(anon, 2)
    approve_id, withdraw_id = case_of(*to_approve), case_of(*to_withdraw)
    waiting = ready_to_submit(anon, 12)  # more than the applications service has workers
    identity = faulty.running.supervisor.signal("identity.1", signal.SIGSTOP)
    try:
        with ThreadPoolExecutor(len(waiting)) as pool:
            submits = [
                pool.submit(timed, lambda c=client, b=body: c.post("/api/v1/applications", json=b))
                for client, body in waiting
            ]
            # While the submissions wait for identity, none holds a transaction (or its locks).
            with psycopg.connect(faulty.dsn("applications"), autocommit=True) as conn:
                holding = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND state LIKE 'idle in transaction%'"
                ).fetchone()[0]
            approved, approve_took = timed(
                lambda: reviewer.post(f"/api/v1/review/applications/{approve_id}/approve", json={"comment": "同意"})
            )
            withdrawn, withdraw_took = timed(
                lambda: to_withdraw[0].post(f"/api/v1/applications/{withdraw_id}/withdraw")
            )
            queue, queue_took = timed(lambda: reviewer.get("/api/v1/review/applications"))
            answers = [future.result() for future in submits]
    finally:
        os.kill(identity, signal.SIGCONT)
    assert holding == 0
    assert [r.status_code for r, _ in answers] == [503] * len(waiting)
    assert {r.json()["error"]["code"] for r, _ in answers} == {"SERVICE_UNAVAILABLE"}
    assert max(took for _, took in answers) < RPC_TIMEOUT + SLACK
    assert (approved.status_code, withdrawn.status_code, queue.status_code) == (200, 200, 200)
    # Even behind a full house of submissions waiting out their bound, the others answer within one bound.
    assert max(approve_took, withdraw_took, queue_took) < 2 * RPC_TIMEOUT + SLACK
    for client, _ in waiting:  # nothing of the refused submissions was written
        assert client.get("/api/v1/applications").json()["total"] == 0
    assert half_written(faulty) == 0
    case_of(*ready_to_submit(anon, 1)[0])  # identity back: submissions go through again


def test_terminated_database_sessions_give_503_or_success_never_500_and_nothing_half_written(faulty, anon):
    people = ready_to_submit(anon, 12)
    statuses = Counter()
    created = []
    stop = threading.Event()
    lock = threading.Lock()

    def record(resp):
        with lock:
            statuses[resp.status_code] += 1
        return resp

    def reader(client):
        while not stop.is_set():
            record(client.get("/api/v1/postings"))
            record(client.get("/api/v1/applications"))

    def submitter(batch):
        for client, body in batch:
            resp = record(client.post("/api/v1/applications", json=body))
            if resp.status_code == 201:
                created.append((client, resp.json()["application_id"]))

    readers = [threading.Thread(target=reader, args=(client,)) for client, _ in people[:3]]
    submitters = [threading.Thread(target=submitter, args=(people[i::3],)) for i in range(3)]
    for thread in readers + submitters:
        thread.start()
    try:
        for service in ("applications", "postings", "applications"):
            before = sum(statuses.values())
            wait_for(lambda seen=before: sum(statuses.values()) > seen + 5, timeout=30)  # requests are in flight
            assert faulty.terminate_backends(service) > 0
        for thread in submitters:
            thread.join(timeout=60)
    finally:
        stop.set()
        for thread in readers + submitters:
            thread.join(timeout=60)
    assert statuses[500] == 0 and set(statuses) <= {200, 201, 503}, statuses
    # Recovered: the pools replaced their dead connections by themselves.
    wait_for(lambda: anon.get("/api/v1/postings").status_code == 200, timeout=30)
    for client, body in people:
        if client.get("/api/v1/applications").json()["total"] == 0:
            case_of(client, body)  # refused ones go through now
    assert half_written(faulty) == 0
    for client, application_id in created:
        assert client.get(f"/api/v1/applications/{application_id}").status_code == 200


def test_broker_connections_closed_requests_fail_fast_and_events_keep_flowing(faulty, anon, reviewer):
    ((person, body),) = ready_to_submit(anon, 1)
    application_id = case_of(person, body)
    statuses = Counter()
    slowest = []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            resp, took = timed(lambda: anon.get("/api/v1/postings"))
            statuses[resp.status_code] += 1
            slowest.append(took)

    readers = [threading.Thread(target=reader) for _ in range(3)]
    for thread in readers:
        thread.start()
    try:
        wait_for(lambda: statuses[200] > 5, timeout=30)
        system.rabbitmqctl("close_all_connections", "-p", faulty.vhost, "fault test: broker connection loss")
        # Everything reconnects by itself: answers come back, and stay.
        wait_for(lambda: anon.get("/api/v1/postings").status_code == 200, timeout=60, interval=0.2)
    finally:
        stop.set()
        for thread in readers:
            thread.join(timeout=60)
    assert statuses[500] == 0 and set(statuses) <= {200, 503}, statuses
    assert max(slowest) < RPC_TIMEOUT + SLACK
    # Events keep flowing: the approval reaches favorites through the reconnected relay and consumer.
    resp = reviewer.post(f"/api/v1/review/applications/{application_id}/approve", json={"comment": "同意"})
    assert resp.status_code == 200, resp.text
    wait_until_intern(person, timeout=30)
