"""Approval propagation and bookmark throughput, through the gateway (not a test).

    .venv/bin/python -m benchmarks.approval_propagation [--approvals 500] [--seconds 10]
    .venv/bin/python -m benchmarks.approval_propagation --base-url http://127.0.0.1:8000

Without --base-url it starts the whole system as the end-to-end fixture does (every
service and the gateway as processes, a throwaway RabbitMQ vhost, databases and a
local S3 server, all removed at the end). With --base-url it uses a running
`make up` and its demo reviewer.

1. Propagation: N people register, upload their papers and apply (in parallel, not
   measured). Then a reviewer approves each case in turn; after each approve
   response the person's /api/v1/me is polled back to back until it shows
   `intern.eligible: true`. Figure: approve response -> first /me showing eligible
   (outbox commit, relay woken by NOTIFY, RabbitMQ, favorites' consumer, the next
   /me). The poll loop adds at most one /me round trip, reported beside it.
2. Bookmark throughput: C workers, each an intern of its own, repeatedly bookmark
   (PUT, 201) and remove (DELETE, 204) posts of their jurisdiction for S seconds.
"""

import argparse
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import requests

from benchmarks.stats import percentile
from common import config
from deploy import system
from tests import factories
from tests.files import png

JURISDICTION = {"city_code": "140100", "county_code": "140105"}
# Registration and login hash passwords (argon2): a few at a time keep the set-up off the 503 path.
SETUP_WORKERS = 10


def summary(values, unit=1000, label="ms"):
    return (
        f"p50 {percentile(values, 50) * unit:.1f} {label}, p95 {percentile(values, 95) * unit:.1f} {label}, "
        f"p99 {percentile(values, 99) * unit:.1f} {label}, max {max(values) * unit:.1f} {label} (n={len(values)})"
    )


class Client:
    def __init__(self, base_url, token=None):
        self.base_url, self.session = base_url, requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method, path, expect, **kwargs):
        resp = self.session.request(method, self.base_url + path, timeout=30, **kwargs)
        if resp.status_code not in ((expect,) if isinstance(expect, int) else expect):
            raise RuntimeError(f"{method} {path}: {resp.status_code} {resp.text[:300]}")
        return resp

    def login(self, username, password):
        token = self.call("POST", "/api/v1/auth/login", 200, json={"username": username, "password": password}).json()[
            "access_token"
        ]
        return Client(self.base_url, token)


def upload_papers(client):
    """The two papers every application needs, uploaded as `client`'s person; their ids."""
    return [
        retried(
            client,
            "POST",
            "/api/v1/attachments",
            201,
            files={"file": (f"{kind}.png", png(), "image/png")},
            data={"kind": kind},
        ).json()["attachment_id"]
        for kind in ("id_card", "diploma")
    ]


def applicant(base_url, n):
    """A registered, logged-in person with a pending application; returns (client, application_id)."""
    anon = Client(base_url)
    for _ in range(5):  # a random ID number may already be taken by an earlier run
        person = factories.person(id_number=factories.id_number(birth=date(1999, 1, 1) + timedelta(days=n % 2000)))
        resp = retried(anon, "POST", "/api/v1/auth/register", (201, 409), json=person)
        # USERNAME_TAKEN: an earlier try that timed out did register this person.
        if resp.status_code == 201 or resp.json()["error"]["code"] == "USERNAME_TAKEN":
            break
    else:
        raise RuntimeError("register: no free ID number in 5 tries")
    token = retried(
        anon, "POST", "/api/v1/auth/login", 200, json={"username": person["username"], "password": person["password"]}
    ).json()["access_token"]
    client = Client(base_url, token)
    papers = upload_papers(client)
    application_id = retried(
        client, "POST", "/api/v1/applications", 201, json=factories.application(person["phone"], JURISDICTION, papers)
    ).json()["application_id"]
    return client, application_id


def retried(client, method, path, expect, attempts=8, **kwargs):
    """Set-up calls (not measured) survive a slow moment: a 503 is retried, under the same
    Idempotency-Key where the endpoint honours one, so a retry never creates a second upload or case."""
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    for attempt in range(attempts):
        resp = client.session.request(method, client.base_url + path, headers=headers, timeout=30, **kwargs)
        if resp.status_code != 503:
            break
        time.sleep(min(1 + 2 * attempt, 5))
    if resp.status_code not in ((expect,) if isinstance(expect, int) else expect):
        raise RuntimeError(f"{method} {path}: {resp.status_code} {resp.text[:300]}")
    return resp


def create_posting(reviewer, n):
    return reviewer.call(
        "POST",
        "/api/v1/postings",
        201,
        json=factories.cashier_posting(
            title=f"基准测试见习岗位{n}", description="基准测试用岗位：现金收付与票据整理。", **JURISDICTION
        ),
    ).json()["posting_id"]


def propagation(reviewer, cases):
    """Per case: seconds from the approve response to the first /me showing eligible,
    the start of that /me (a lower bound), and how many /me calls it took."""
    delays, lower, polls, approve_times, me_times = [], [], [], [], []
    for client, application_id in cases:
        started = time.perf_counter()
        reviewer.call("POST", f"/api/v1/review/applications/{application_id}/approve", 200, json={})
        approved = time.perf_counter()
        approve_times.append(approved - started)
        calls = 0
        while True:
            before = time.perf_counter()
            eligible = client.call("GET", "/api/v1/me", 200).json()["intern"]["eligible"]
            now = time.perf_counter()
            me_times.append(now - before)
            calls += 1
            if eligible:
                break
            if now - approved > 30:
                raise RuntimeError(f"application {application_id}: not eligible 30 s after approval")
        delays.append(now - approved)
        lower.append(before - approved)
        polls.append(calls)
    return delays, lower, polls, approve_times, me_times


def throughput(clients, seconds, request):
    """Requests per second of `request(client, i)` with one worker per client, and each one's latency."""
    stop = time.monotonic() + seconds
    times, lock = [], threading.Lock()

    def worker(client):
        mine, i = [], 0
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            request(client, i)
            mine.append(time.perf_counter() - t0)
            i += 1
        with lock:
            times.extend(mine)

    started = time.monotonic()
    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(worker, clients))
    return times, time.monotonic() - started


def bookmark_pair(postings):
    """One bookmark (PUT, 201) and its removal (DELETE, 204), cycling through `postings`."""

    def request(client, i):
        posting = postings[i % len(postings)]
        client.call("PUT", f"/api/v1/favorites/{posting}", 201)
        client.call("DELETE", f"/api/v1/favorites/{posting}", 204)

    return request


def run(base_url, reviewer, approvals, concurrency, seconds):
    print(f"setting up {approvals} applicants with pending applications ...", flush=True)
    t0 = time.monotonic()
    with ThreadPoolExecutor(SETUP_WORKERS) as pool:
        cases = list(pool.map(lambda n: applicant(base_url, n), range(approvals)))
    postings = [create_posting(reviewer, n) for n in range(8)]
    print(f"  done in {time.monotonic() - t0:.1f} s", flush=True)

    delays, lower, polls, approve_times, me_times = propagation(reviewer, cases)
    print(f"\napproval -> /api/v1/me eligible ({approvals} approvals, one at a time):")
    print(f"  propagation      : {summary(delays)}")
    print(f"  start of that /me: {summary(lower)}  (lower bound)")
    print(f"  /me calls needed : 1 in {polls.count(1)} cases, max {max(polls)}")
    print(f"  approve call     : {summary(approve_times)}")
    print(f"  /me call         : {summary(me_times)}")

    interns = [client for client, _ in cases[:concurrency]]
    pairs, elapsed = throughput(interns, seconds, bookmark_pair(postings))
    print(f"\nbookmarks at concurrency {concurrency} ({elapsed:.1f} s, one intern per worker):")
    print(
        f"  PUT + DELETE pairs: {len(pairs) / elapsed:.0f} /s ({2 * len(pairs) / elapsed:.0f} requests/s), "
        f"{summary(pairs)}"
    )
    reads, elapsed = throughput(interns, seconds, lambda client, i: client.call("GET", "/api/v1/me", 200))
    print(f"  for scale, GET /api/v1/me (identity + favorites RPCs): {len(reads) / elapsed:.0f} /s, {summary(reads)}")
    target = percentile(delays, 99) < 0.100
    print(f"\ntarget p99 propagation < 100 ms: {'met' if target else 'NOT met'}")
    return 0 if target else 1


def make_reviewer(base_url):
    """A province-wide reviewer, made as an operator would: first admin by the CLI, then by the API."""
    password = "Bench-2026"
    admin_name = factories.unique_username("admin")
    system.create_admin(admin_name, password)
    admin = Client(base_url).login(admin_name, password)
    username = factories.unique_username("reviewer")
    admin.call(
        "POST",
        "/api/v1/admin/users",
        201,
        json={
            "username": username,
            "password": password,
            "real_name": "审核员",
            "roles": ["reviewer"],
            "jurisdiction": None,
        },
    )
    return Client(base_url).login(username, password)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="a running system (make up); default: start a throwaway one")
    parser.add_argument("--reviewer", default="demo_reviewer", help="reviewer username with --base-url")
    parser.add_argument("--password", default=config.env("DEMO_PASSWORD", "Demo-2026"))
    parser.add_argument("--approvals", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    if args.base_url:
        reviewer = Client(args.base_url).login(args.reviewer, args.password)
        return run(args.base_url, reviewer, args.approvals, args.concurrency, args.seconds)
    with system.Throwaway("bench") as sut:
        return run(sut.base_url, make_reviewer(sut.base_url), args.approvals, args.concurrency, args.seconds)


if __name__ == "__main__":
    sys.exit(main())
