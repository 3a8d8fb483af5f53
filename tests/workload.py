"""A mixed workload through the gateway, as a careful client runs it: shared by the scale-out
and crash test and `benchmarks/scale_out.py`.

One journey: a person registers and logs in, uploads two papers, submits an application, a
reviewer approves it, the person waits until /api/v1/me shows them as an intern, then
bookmarks two posts and removes one. The client retries what a crash or a restart can
interrupt (connection errors, 502/503/504) with back-off, and sends an `Idempotency-Key` with
every upload and submission, so a retry never makes a second object or case. A retried
request that may have taken effect the first time (a client retry, or an RPC that RabbitMQ
redelivered to another replica after the first was killed) is judged by its effect: a
registration answered 409 `USERNAME_TAKEN` must log in, an approval answered 409
`NOT_PENDING` must show the case approved.
"""

import random
import threading
import time
import uuid
from dataclasses import dataclass, field

import requests

from tests import factories
from tests.files import png

RETRYABLE_STATUS = {502, 503, 504}
JURISDICTION = {"city_code": "140100", "county_code": "140105"}
PASSWORD = "Passw0rd-2026"


class GaveUp(Exception):
    """A request still failed when its retry budget ran out."""


@dataclass
class Stats:
    """Requests and retries of a run, and each journey step's latency (seconds)."""

    requests: int = 0
    retries: int = 0
    latencies: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, step, seconds, retries):
        with self.lock:
            self.requests += 1
            self.retries += retries
            self.latencies.setdefault(step, []).append(seconds)


class Client:
    """One person's (or reviewer's) session with the gateway; `retry_for` bounds each request's retries."""

    def __init__(self, base_url, stats, token=None, retry_for=60.0):
        self.base_url = base_url
        self.stats = stats
        self.retry_for = retry_for
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        self.token = token

    def call(self, step, method, path, expect, idempotency_key=None, headers=None, **kwargs):
        """The response once its status is in `expect`; retries interruptions; anything else raises."""
        headers = dict(headers or {})
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        started = time.monotonic()
        deadline = started + self.retry_for
        retries, pause = 0, 0.1
        while True:
            try:
                resp = self.session.request(method, self.base_url + path, headers=headers, timeout=20, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                problem = repr(exc)
            else:
                if resp.status_code in expect:
                    self.stats.record(step, time.monotonic() - started, retries)
                    return resp
                if resp.status_code not in RETRYABLE_STATUS:
                    raise AssertionError(f"{step}: {method} {path} answered {resp.status_code}: {resp.text[:300]}")
                problem = f"{resp.status_code} {resp.text[:200]}"
            if time.monotonic() + pause > deadline:
                raise GaveUp(f"{step}: {method} {path} still failing after {self.retry_for:.0f}s: {problem}")
            retries += 1
            time.sleep(pause)
            pause = min(pause * 2, 1.0)

    def as_user(self, token):
        return Client(self.base_url, self.stats, token, self.retry_for)


def register(anon):
    """A new person, logged in; `.person` holds what they registered with."""
    person = factories.person(password=PASSWORD)
    resp = anon.call("register", "POST", "/api/v1/auth/register", (201, 409), json=person)
    if resp.status_code == 409:  # our own first attempt, or its RPC redelivered after a crash
        assert resp.json()["error"]["code"] == "USERNAME_TAKEN", resp.text
    client = login(anon, person["username"])  # proves the account is ours
    client.person = person
    return client


def login(anon, username, password=PASSWORD):
    resp = anon.call("login", "POST", "/api/v1/auth/login", (200,), json={"username": username, "password": password})
    return anon.as_user(resp.json()["access_token"])


def upload(client, kind):
    resp = client.call(
        "upload",
        "POST",
        "/api/v1/attachments",
        (201,),
        idempotency_key=str(uuid.uuid4()),
        files={"file": (f"{kind}.png", png(seed=random.randrange(1 << 16)), "image/png")},
        data={"kind": kind},
    )
    return resp.json()["attachment_id"]


def submit(client):
    body = factories.application(
        client.person["phone"], JURISDICTION, [upload(client, "id_card"), upload(client, "diploma")]
    )
    resp = client.call("submit", "POST", "/api/v1/applications", (201,), idempotency_key=str(uuid.uuid4()), json=body)
    return resp.json()["application_id"]


def approve(reviewer, application_id):
    resp = reviewer.call(
        "approve",
        "POST",
        f"/api/v1/review/applications/{application_id}/approve",
        (200, 409),
        json={"comment": "材料齐全"},
    )
    if resp.status_code == 409:
        # An earlier attempt, or the RPC redelivered after its service replica was killed,
        # took effect before the answer was lost: the case must say so.
        assert resp.json()["error"]["code"] == "NOT_PENDING", resp.text
        detail = reviewer.call("case", "GET", f"/api/v1/applications/{application_id}", (200,)).json()
        assert detail["status"] == "approved", detail


def wait_until_intern(client, timeout=60):
    deadline = time.monotonic() + timeout
    started = time.monotonic()
    while time.monotonic() < deadline:
        if client.call("me", "GET", "/api/v1/me", (200,)).json()["intern"]["eligible"]:
            client.stats.record("approval_to_intern", time.monotonic() - started, 0)
            return
        time.sleep(0.05)
    raise AssertionError(f"not an intern {timeout}s after approval")


def bookmark(client, posting_ids):
    """Bookmarks two of the posts and removes the first again; returns the set that must remain."""
    first, second = random.sample(posting_ids, 2)
    client.call("bookmark", "PUT", f"/api/v1/favorites/{first}", (200, 201))
    client.call("bookmark", "PUT", f"/api/v1/favorites/{second}", (200, 201))
    client.call("unbookmark", "DELETE", f"/api/v1/favorites/{first}", (204,))
    return {second}


@dataclass
class Outcome:
    username: str
    application_id: str
    bookmarks: set


def journey(anon, reviewer, posting_ids):
    person = register(anon)
    application_id = submit(person)
    approve(reviewer, application_id)
    wait_until_intern(person)
    return Outcome(person.person["username"], application_id, bookmark(person, posting_ids))


def create_posts(reviewer, count):
    ids = []
    for i in range(count):
        resp = reviewer.call(
            "post",
            "POST",
            "/api/v1/postings",
            (201,),
            json=factories.cashier_posting(title=f"出纳见习{i}", **JURISDICTION),
        )
        ids.append(resp.json()["posting_id"])
    return ids
