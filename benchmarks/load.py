"""Mixed load through the gateway, next to the bare Nameko hop and a FastAPI peer (not a test).

    .venv/bin/python -m benchmarks.load                          # everything below, about 12 minutes
    .venv/bin/python -m benchmarks.load --seconds 30 --levels 8 32 64 --wrk-seconds 10
    .venv/bin/python -m benchmarks.load --memory-minutes 10      # resident memory under 10 minutes of load

Starts a throwaway system (every service and the gateway as `make up` runs them, on
databases, a vhost and a bucket of its own, seeded with the demo posts) and beside it,
under the same supervisor: a second gateway with its cache off, the bare pair
(benchmarks/bare_pair.py: an @http gateway, one RPC, one primary-key SELECT through
psycopg_pool), once with Nameko's persistent RPC messages and once transient, and the
FastAPI peer (benchmarks/fastapi_peer.py, uvicorn, 2 workers, the region query straight
on the postings database).

1. CPU per operation: each operation of the mix run `--cost-repeats` times one at a time,
   with the CPU it took in each process (ours from /proc, PostgreSQL's and RabbitMQ's too).
2. Per-path ratios (wrk, 2 threads, 32 connections, `--wrk-seconds` each, two rounds,
   medians): req/s of each path and its ratio to the bare hop, cache off and on, with each
   process's CPU per request (from /proc) where the process is ours.
3. Mixed load at each concurrency of `--levels` for `--seconds`: public search 60%, post
   detail 10%, login 3%, /me 7%, my cases 7%, submit with uploads 3%, bookmark 5%, review 5%
   (Python client threads, one keep-alive connection each), per operation: throughput,
   p50/p95/p99, error rate, and p50 as a ratio to the bare hop's p50 measured by the same
   client at the same concurrency (and the FastAPI peer beside it). Each bookmark is removed
   and each submission withdrawn afterwards, so the next may start: those requests are timed
   apart and reported as operations of their own. Every worker has a person of its own for
   these, so none waits for one. Meanwhile a reviewer approves pending applications one after
   another: approval -> bookmark allowed and -> notification visible, p50/p99, from the
   approval's transaction to the consumer's transaction that applied it (PostgreSQL's clock at
   both ends), and as a client sees it: the new intern PUTs a bookmark until it is allowed
   while, on another connection, reading their messages until the approval's is there.
4. With `--memory-minutes N`: the mixed load at concurrency 32 for N minutes; the resident
   memory of every process after the first minute and at the end (target: within 20%).
5. With `--profile-seconds N`: only py-spy on every process for N seconds while wrk drives
   cache-off search, detail and /me, or with `--profile-submissions` while 4 workers submit
   (two uploads and the submission) and withdraw; the raw stacks stay for a closer look.
"""

import argparse
import os
import queue
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import psycopg
import requests

from benchmarks import approval_propagation as propagation
from benchmarks.approval_propagation import create_posting, make_reviewer, retried, upload_papers
from benchmarks.stats import percentile
from common import clock, config, db
from contracts.applications import APPROVED
from deploy import system
from services.postings import seed
from services.postings.store import PostingsStore
from tests import factories
from tests.files import pdf, png

JURISDICTION = {"city_code": "140100", "county_code": "140105"}
MIX = [
    ("search", 60),
    ("detail", 10),
    ("login", 3),
    ("me", 7),
    ("my cases", 7),
    ("submit", 3),
    ("bookmark", 5),
    ("review", 5),
]
OPERATIONS = [name for name, _ in MIX]
WEIGHTS = [weight for _, weight in MIX]
# Each bookmark is taken back and each submission withdrawn afterwards, so the next may start;
# those requests are timed and reported as operations of their own.
FOLLOW_UPS = ["remove bookmark", "withdraw"]
KEYWORDS = ["会计", "护士", "软件开发", "运维", "数据分析", "教师", "电商", "酒店", "太行", "物流", "助理", "康复"]
PASSWORD = "Bench-2026x"
BARE = "bare gateway -> RPC -> PK SELECT (plain Nameko)"


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def family(pid):
    """`pid` and its descendants (uvicorn's workers are children of its supervisor process)."""
    found = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listing:
            children = listing.read().split()
    except OSError:
        return found
    for child in children:
        found += family(int(child))
    return found


def family_cpu(pid):
    total = 0.0
    for member in family(pid):
        try:
            total += cpu_seconds(member)
        except OSError:
            pass
    return total


def rss_mib(pid):
    total = 0
    for member in family(pid):
        try:
            with open(f"/proc/{member}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


# ---- the system under test and its neighbours ---------------------------------------------------


class Bench:
    """The throwaway system's processes (under its supervisor) and the neighbours started here."""

    def __init__(self, sut):
        self.sut = sut
        self.base_url = sut.base_url
        self.extra = {}

    def add(self, name, command, ready_url, **env):
        self.extra[name] = system.start(
            command, system.base_env(S3_ENDPOINT_URL=self.sut.s3_url, **env), self.sut.log_dir / f"{name}.log"
        )
        system.wait_http(ready_url, timeout=60, expect=200)

    def remove(self, name):
        system.stop([self.extra.pop(name)])

    def stop(self):
        system.stop(list(self.extra.values()))

    def pids(self):
        pids = {name: process.pid for name, process in self.sut.supervisor.processes.items() if process.pid}
        pids.update({name: proc.pid for name, proc in self.extra.items()})
        return pids


def seed_demo_posts():
    pool = db.create_pool("postings", max_size=1)
    try:
        PostingsStore(pool).insert_missing(seed.generate(seed.DEMO_COUNT, clock.today(), clock.now()))
        with pool.connection() as conn:
            return [str(r["posting_id"]) for r in conn.execute("SELECT posting_id FROM postings")]
    finally:
        pool.close()


def start_uncached_gateway(bench):
    port = system.free_port()
    bench.add(
        "gateway-nocache",
        system.service_command("gateway"),
        f"http://127.0.0.1:{port}/healthz",
        GATEWAY_PORT=port,
        GATEWAY_CACHE_TTL_SECONDS=0,
    )
    return f"http://127.0.0.1:{port}"


def start_bare_pair(bench, transient, posting_id):
    port = system.free_port()
    mode = "1" if transient else "0"
    bench.add(
        "bare-service",
        [sys.executable, "-m", "benchmarks.bare_pair", "service"],
        bench.base_url + "/healthz",
        BARE_TRANSIENT=mode,
    )
    bench.add(
        "bare-gateway",
        [sys.executable, "-m", "benchmarks.bare_pair", "gateway"],
        f"http://127.0.0.1:{port}/bare/{posting_id}",
        BARE_PORT=port,
        BARE_TRANSIENT=mode,
    )
    return f"http://127.0.0.1:{port}"


def stop_bare_pair(bench):
    bench.remove("bare-gateway")
    bench.remove("bare-service")


def start_fastapi(bench):
    port = system.free_port()
    bench.add(
        "fastapi",
        [
            sys.executable,
            "-m",
            "uvicorn",
            "benchmarks.fastapi_peer:app",
            "--workers",
            "2",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        f"http://127.0.0.1:{port}/api/v1/postings?city=140100",
    )
    return f"http://127.0.0.1:{port}"


# ---- people -----------------------------------------------------------------------------------


class Client(propagation.Client):
    def __init__(self, base_url, token=None):
        super().__init__(base_url, token)
        self.token = token

    def request(self, method, path, **kwargs):
        return self.session.request(method, self.base_url + path, timeout=30, **kwargs)


def register(base_url, n):
    anon = Client(base_url)
    for _ in range(5):  # a random ID number may already be taken
        person = factories.person(
            id_number=factories.id_number(birth=date(1999, 1, 1) + timedelta(days=n % 2000)), password=PASSWORD
        )
        resp = retried(anon, "POST", "/api/v1/auth/register", (201, 409), json=person)
        # USERNAME_TAKEN: an earlier try that timed out did register this person.
        if resp.status_code == 201 or resp.json()["error"]["code"] == "USERNAME_TAKEN":
            break
    else:
        raise RuntimeError("register: no free ID number in 5 tries")
    token = retried(
        anon, "POST", "/api/v1/auth/login", 200, json={"username": person["username"], "password": PASSWORD}
    ).json()["access_token"]
    return person, Client(base_url, token)


def application_body(person, papers):
    return factories.application(person["phone"], JURISDICTION, papers)


def applicant_with_case(base_url, n):
    person, client = register(base_url, n)
    case = retried(
        client, "POST", "/api/v1/applications", 201, json=application_body(person, upload_papers(client))
    ).json()["application_id"]
    return person, client, case


class People:
    """Everyone the load needs, made through the API before it starts (not measured). There are
    `size` interns for bookmarks and `size` applicants for submissions, each used by one worker at
    a time: at least the concurrency, so no worker waits for a person."""

    def __init__(self, base_url, reviewer, pending, size):
        self.reviewer = reviewer
        # A few at a time: registration and login hash passwords (argon2), which a busy machine queues.
        with ThreadPoolExecutor(4) as pool:
            interns = list(pool.map(lambda n: applicant_with_case(base_url, n), range(size)))
            submitters = list(pool.map(lambda n: register(base_url, 1000 + n), range(size)))
            self.pending = list(pool.map(lambda n: applicant_with_case(base_url, 3000 + n), range(pending)))
        for _, _, case in interns:
            retried(reviewer, "POST", f"/api/v1/review/applications/{case}/approve", 200, json={})
        self.postings = [create_posting(reviewer, n) for n in range(8)]
        self.interns = queue.Queue()
        for _, client, _ in interns:
            self.interns.put(client)
        self.submitters = queue.Queue()
        for person, client in submitters:
            self.submitters.put((person, client))
        self.logins = [person for person, _ in submitters]
        self.readers = [client for _, client, _ in interns] + [client for _, client in submitters]
        self.pending_lock = threading.Lock()

    def next_pending(self):
        with self.pending_lock:
            return self.pending.pop() if self.pending else None


# ---- operations: each returns True when the answer was the expected one -------------------------


def search_query(rng):
    cities = [
        "140100",
        "140200",
        "140300",
        "140400",
        "140500",
        "140600",
        "140700",
        "140800",
        "140900",
        "141000",
        "141100",
    ]
    roll = rng.random()
    if roll < 0.5:
        return {"city": rng.choice(cities)}
    if roll < 0.8:
        return {"q": rng.choice(KEYWORDS)}
    return {"city": rng.choice(cities), "q": rng.choice(KEYWORDS)}


def timed(name, call):
    """(name, call()'s verdict, seconds it took)."""
    started = time.perf_counter()
    ok = call()
    return name, ok, time.perf_counter() - started


class Operations:
    """Each operation answers True when the answer was the expected one; `bookmark` and `submit`
    time their own requests and answer [(name, ok, seconds), ...] (their follow-ups included)."""

    COMPOUND = ("bookmark", "submit")

    def __init__(self, base_url, people, posting_ids):
        self.base_url, self.people, self.posting_ids = base_url, people, posting_ids

    def run(self, name, session, rng):
        operation = getattr(self, name.replace(" ", "_"))
        if name in self.COMPOUND:
            return operation(session, rng)
        return [timed(name, lambda: operation(session, rng))]

    def search(self, session, rng):
        return session.get(self.base_url + "/api/v1/postings", params=search_query(rng), timeout=30).status_code == 200

    def detail(self, session, rng):
        return (
            session.get(f"{self.base_url}/api/v1/postings/{rng.choice(self.posting_ids)}", timeout=30).status_code
            == 200
        )

    def login(self, session, rng):
        person = rng.choice(self.people.logins)
        return (
            session.post(
                self.base_url + "/api/v1/auth/login",
                timeout=30,
                json={"username": person["username"], "password": PASSWORD},
            ).status_code
            == 200
        )

    def me(self, session, rng):
        return self._as(session, rng.choice(self.people.readers), "/api/v1/me") == 200

    def my_cases(self, session, rng):
        return self._as(session, rng.choice(self.people.readers), "/api/v1/applications") == 200

    def review(self, session, rng):
        return self._as(session, self.people.reviewer, "/api/v1/review/applications") == 200

    def bookmark(self, session, rng):
        """A bookmark (PUT), then its removal (DELETE), timed apart."""
        intern = self.people.interns.get()
        try:
            path = f"/api/v1/favorites/{rng.choice(self.people.postings)}"
            return [
                timed("bookmark", lambda: intern.request("PUT", path).status_code == 201),
                timed("remove bookmark", lambda: intern.request("DELETE", path).status_code == 204),
            ]
        finally:
            self.people.interns.put(intern)

    def submit(self, session, rng):
        """Two uploads (a PDF and a PNG) and the submission, then the case's withdrawal, timed
        apart, so the same person can submit again."""
        person, client = self.people.submitters.get()
        try:
            created = []
            outcomes = [timed("submit", lambda: self._submit(client, person, created))]
            if created:
                path = f"/api/v1/applications/{created[0]}/withdraw"
                outcomes.append(timed("withdraw", lambda: client.request("POST", path).status_code == 200))
            else:  # not timed: any case a failed or timed-out submission may have left goes
                mine = client.request("GET", "/api/v1/applications", params={"status": "pending"})
                for item in mine.json().get("items", []) if mine.status_code == 200 else []:
                    client.request("POST", f"/api/v1/applications/{item['application_id']}/withdraw")
            return outcomes
        finally:
            self.people.submitters.put((person, client))

    @staticmethod
    def _submit(client, person, created):
        papers = []
        for kind, (name, body, kind_type) in (
            ("id_card", ("id.pdf", pdf(), "application/pdf")),
            ("diploma", ("diploma.png", png(), "image/png")),
        ):
            resp = client.request(
                "POST",
                "/api/v1/attachments",
                files={"file": (name, body, kind_type)},
                data={"kind": kind},
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
            if resp.status_code != 201:
                return False
            papers.append(resp.json()["attachment_id"])
        resp = client.request(
            "POST",
            "/api/v1/applications",
            json=application_body(person, papers),
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        if resp.status_code != 201:
            return False
        created.append(resp.json()["application_id"])
        return True

    def _as(self, session, client, path):
        """GET `path` as `client`'s person, on the worker's own connection."""
        return session.get(
            self.base_url + path, headers={"Authorization": f"Bearer {client.token}"}, timeout=30
        ).status_code


def closed_loop(concurrency, seconds, step):
    """`concurrency` workers each calling `step(session, rng) -> [(name, ok, seconds), ...]` back to
    back for `seconds`; returns ({name: [latency, ...]}, {name: errors}, elapsed)."""
    stop = time.monotonic() + seconds
    latencies, failures, lock = {}, {}, threading.Lock()

    def worker(n):
        rng, session = random.Random(n), requests.Session()
        mine, bad = {}, {}
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                outcomes = step(session, rng)
            except Exception:  # noqa: BLE001  (a refused connection, a timeout, a body that is not JSON: an error)
                outcomes = [(step.last_name(rng), False, time.perf_counter() - started)]
            for name, ok, took in outcomes:
                mine.setdefault(name, []).append(took)
                if not ok:
                    bad[name] = bad.get(name, 0) + 1
        with lock:
            for name, values in mine.items():
                latencies.setdefault(name, []).extend(values)
            for name, count in bad.items():
                failures[name] = failures.get(name, 0) + count

    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    return latencies, failures, time.monotonic() - started


class MixedStep:
    def __init__(self, operations):
        self.operations = operations
        self.local = threading.local()

    def __call__(self, session, rng):
        name = rng.choices(OPERATIONS, WEIGHTS)[0]
        self.local.name = name
        return self.operations.run(name, session, rng)

    def last_name(self, rng):
        return getattr(self.local, "name", "search")


class SinglePath:
    def __init__(self, name, url):
        self.name, self.url = name, url

    def __call__(self, session, rng):
        return [timed(self.name, lambda: session.get(self.url, timeout=30).status_code == 200)]

    def last_name(self, rng):
        return self.name


def first_success(check, since, limit=30):
    """Seconds from `since` until `check()` first holds (polling back to back), or None."""
    while time.perf_counter() - since < limit:
        if check():
            return time.perf_counter() - since
    return None


def watch_approval(client, case, posting, approved):
    """Seconds from `approved` to the new intern's first allowed bookmark and, watched at the same
    time on a connection of its own, to the approval's message in their inbox."""
    inbox = Client(client.base_url, client.token)

    def bookmarked():
        return client.request("PUT", f"/api/v1/favorites/{posting}").status_code in (200, 201)

    def notified():
        resp = inbox.request("GET", "/api/v1/notifications")
        return resp.status_code == 200 and any(
            n["application_id"] == case and n["type"] == "application_approved" for n in resp.json()["items"]
        )

    with ThreadPoolExecutor(2) as pool:
        watched = {
            name: pool.submit(first_success, check, approved)
            for name, check in (("bookmark", bookmarked), ("notification", notified))
        }
        found = {name: future.result() for name, future in watched.items()}
    client.request("DELETE", f"/api/v1/favorites/{posting}")
    return {name: seconds for name, seconds in found.items() if seconds is not None}


def approvals_while(people, stop_event, delays, limit):
    """Approve up to `limit` pending cases one after another until `stop_event`; `delays` gets
    {"bookmark": [...], "notification": [...]}, seconds from each approve response (watch_approval),
    and "cases": every case approved."""
    for _ in range(limit):
        if stop_event.is_set():
            return
        pending = people.next_pending()
        if pending is None:
            return
        _, client, case = pending
        resp = people.reviewer.request("POST", f"/api/v1/review/applications/{case}/approve", json={})
        if resp.status_code != 200:
            continue
        delays.setdefault("cases", []).append(case)
        for name, seconds in watch_approval(client, case, people.postings[0], time.perf_counter()).items():
            delays.setdefault(name, []).append(seconds)
        stop_event.wait(0.2)


def propagated(cases):
    """{"bookmark": [...], "notification": [...]}: seconds from each approval's transaction to the
    transaction in favorites (which allows the bookmark from then on) and in notifications that
    applied its event. Both ends are PostgreSQL's now() on the same server: the approval event's
    `occurred_at` and the consumer inbox's `handled_at`."""
    with psycopg.connect(config.database_url("applications")) as conn:
        approved = dict(
            conn.execute(
                "SELECT event_id, occurred_at FROM events WHERE type = %s AND stream_id = ANY(%s::uuid[])",
                (APPROVED, cases),
            ).fetchall()
        )
    found = {}
    for name, service in (("bookmark", "favorites"), ("notification", "notifications")):
        with psycopg.connect(config.database_url(service)) as conn:
            rows = conn.execute(
                "SELECT event_id, handled_at FROM consumer_inbox WHERE event_id = ANY(%s)", (list(approved),)
            ).fetchall()
        found[name] = [(handled - approved[event]).total_seconds() for event, handled in rows]
    return found


# ---- reports ----------------------------------------------------------------------------------


def wrk(url, seconds, token=None):
    """(req/s, non-2xx count) of `url` under wrk -t2 -c32."""
    command = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", url]
    if token:
        command[1:1] = ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    return rate, (int(errors.group(1)) if errors else 0) + (int(timeouts.group(1)) if timeouts else 0)


def per_path(bench, paths, seconds, rounds=2):
    """{label: (median req/s, errors, {process: CPU ms per request})}, rounds interleaved."""
    runs = {label: [] for label, _, _ in paths}
    for _ in range(rounds):
        for label, url, token in paths:
            pids = bench.pids()
            before = {name: family_cpu(pid) for name, pid in pids.items()}
            wall = time.monotonic()
            rate, errors = wrk(url, seconds, token)
            elapsed = time.monotonic() - wall
            requests_done = max(rate * elapsed, 1)
            cpu = {name: (family_cpu(pid) - before[name]) * 1000 / requests_done for name, pid in pids.items()}
            runs[label].append((rate, errors, cpu))
    result = {}
    for label, samples in runs.items():
        rates = [s[0] for s in samples]
        busiest = {name: statistics.median(s[2][name] for s in samples) for name in samples[0][2]}
        result[label] = (
            statistics.median(rates),
            sum(s[1] for s in samples),
            {k: v for k, v in busiest.items() if v >= 0.05},
        )
    return result


def print_per_path(result, bare_label):
    bare = result[bare_label][0]
    print("\n| path | req/s | ratio to the bare hop | errors | CPU ms per request (processes over 0.05) |")
    print("|---|---:|---:|---:|---|")
    for label, (rate, errors, cpu) in result.items():
        cpu_text = ", ".join(f"{k} {v:.2f}" for k, v in sorted(cpu.items(), key=lambda kv: -kv[1]))
        print(f"| {label} | {rate:,.0f} | {rate / bare:.2f} | {errors} | {cpu_text} |")


def print_mixed(level, mixed, bare, peer, approvals):
    latencies, failures, elapsed = mixed
    bare_p50 = percentile(bare[0]["bare hop"], 50)
    bare_rate = len(bare[0]["bare hop"]) / bare[2]
    total = sum(len(latencies.get(name, [])) for name in OPERATIONS)  # of the mix: follow-ups not counted
    errors_total = sum(failures.values())
    print(
        f"\n**concurrency {level}** ({elapsed:.0f} s): {total / elapsed:,.0f} operations/s "
        f"({total / elapsed / bare_rate:.2f}x the bare hop's {bare_rate:,.0f}/s at the same concurrency; "
        f"FastAPI region search {len(peer[0]['fastapi']) / peer[2]:,.0f}/s), error rate "
        f"{errors_total / max(sum(len(v) for v in latencies.values()), 1):.2%} (of every timed request)"
    )
    print("\n| operation | per s | p50 ms | p95 ms | p99 ms | errors | p50 / bare p50 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in OPERATIONS + FOLLOW_UPS:
        values = latencies.get(name, [])
        print(
            f"| {name} | {len(values) / elapsed:,.1f} | {percentile(values, 50) * 1000:.1f} | "
            f"{percentile(values, 95) * 1000:.1f} | {percentile(values, 99) * 1000:.1f} | "
            f"{failures.get(name, 0) / max(len(values), 1):.2%} | {percentile(values, 50) / bare_p50:.2f} |"
        )
    for label, run in (("bare hop", bare), ("fastapi", peer)):
        values = run[0][label]
        print(
            f"| ({label}) | {len(values) / run[2]:,.1f} | {percentile(values, 50) * 1000:.1f} | "
            f"{percentile(values, 95) * 1000:.1f} | {percentile(values, 99) * 1000:.1f} | "
            f"{run[1].get(label, 0) / max(len(values), 1):.2%} | |"
        )
    observed = {name: values for name, values in approvals.items() if name != "cases"}
    for name, values in propagated(approvals.get("cases", [])).items():
        print(
            f"\napproval -> {name} allowed under this load, from the approval's transaction to the "
            f"{'favorites' if name == 'bookmark' else 'notifications'} transaction that applied it: "
            f"p50 {percentile(values, 50) * 1000:.1f} ms, p99 {percentile(values, 99) * 1000:.1f} ms "
            f"(n={len(values)}; target p99 < 100 ms); seen by a client polling through the gateway from "
            f"the approve response: p50 {percentile(observed[name], 50) * 1000:.1f} ms, "
            f"p99 {percentile(observed[name], 99) * 1000:.1f} ms"
        )


def mixed_level(operations, people, level, seconds, approvals):
    stop_event, delays = threading.Event(), {}
    approver = threading.Thread(target=approvals_while, args=(people, stop_event, delays, approvals))
    approver.start()
    try:
        return closed_loop(level, seconds, MixedStep(operations)), delays
    finally:
        stop_event.set()
        approver.join()


def memory(bench, operations, people, minutes):
    """RSS of every process after the first minute and after `minutes` of mixed load at 32."""
    samples = {}

    def sample(label):
        samples[label] = {name: rss_mib(pid) for name, pid in bench.pids().items()}

    timer = threading.Timer(60, sample, args=("1 min",))
    timer.start()
    closed_loop(32, minutes * 60, MixedStep(operations))
    timer.cancel()
    sample(f"{minutes} min")
    first, last = samples["1 min"], samples[f"{minutes} min"]
    print(f"\n| process | RSS after 1 min (MiB) | after {minutes} min (MiB) | change |")
    print("|---|---:|---:|---:|")
    worst = 0.0
    for name in sorted(last):
        if first.get(name):
            change = last[name] / first[name] - 1
            worst = max(worst, abs(change))
            print(f"| {name} | {first[name]:.1f} | {last[name]:.1f} | {change:+.1%} |")
    print(f"\nlargest change {worst:.1%} (target within 20%)")


def servers():
    """{name: pid} of PostgreSQL's and RabbitMQ's processes on this machine (shared servers)."""
    found = {}
    for command, label in (("postgres", "postgresql"), ("beam.smp", "rabbitmq")):
        listing = subprocess.run(["pgrep", "-x", command], capture_output=True, text=True).stdout.split()
        found.update({f"{label} {pid}": int(pid) for pid in listing})
    return found


def costs(bench, operations, repeats):
    """CPU per operation and process, each operation run `repeats` times one at a time on a quiet
    system (a bookmark with its removal, a submission with its withdrawal): under saturation an
    operation's latency grows with the CPU it needs."""
    pids = {**bench.pids(), **servers()}
    session, rng = requests.Session(), random.Random(7)
    print(
        "\n| operation | alone, ms | CPU ms in all | gateway | services | object store | PostgreSQL | RabbitMQ | client |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in OPERATIONS:
        for _ in range(3):
            operations.run(name, session, rng)
        before = {label: cpu_seconds(pid) for label, pid in pids.items()}
        client_before, wall = time.process_time(), time.perf_counter()
        for _ in range(repeats):
            operations.run(name, session, rng)
        elapsed = (time.perf_counter() - wall) * 1000 / repeats
        spent = {label: (cpu_seconds(pid) - before[label]) * 1000 / repeats for label, pid in pids.items()}
        groups = {
            # Supervised replicas are named "<service>.<n>": every replica counts.
            "gateway": sum(v for k, v in spent.items() if k.startswith("gateway.")),
            "services": sum(v for k, v in spent.items() if "." in k and not k.startswith("gateway.")),
            "object store": spent.get("s3", 0.0),
            "PostgreSQL": sum(v for k, v in spent.items() if k.startswith("postgresql")),
            "RabbitMQ": sum(v for k, v in spent.items() if k.startswith("rabbitmq")),
            "client": (time.process_time() - client_before) * 1000 / repeats,
        }
        cells = " | ".join(f"{v:.1f}" for v in groups.values())
        print(f"| {name} | {elapsed:.1f} | {sum(groups.values()):.1f} | {cells} |")


def profile(bench, seconds, drive):
    """Where each process spends its CPU while `drive(seconds)` loads the system: py-spy samples
    every process of ours (idle time excluded) and the ten functions with the most own samples print."""
    pids = {name: pid for name, pid in bench.pids().items() if name != "s3"}
    out = Path(tempfile.mkdtemp(prefix="jx-profile-"))
    spies = {
        name: subprocess.Popen(
            [
                str(Path(sys.executable).parent / "py-spy"),
                "record",
                "--format",
                "raw",
                "--rate",
                "200",
                "-d",
                str(seconds),
                "-p",
                str(pid),
                "-o",
                str(out / f"{name}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, pid in pids.items()
    }
    drive(seconds)
    for spy in spies.values():
        spy.wait()
    for name in sorted(pids):
        own, total = {}, 0
        path = out / f"{name}.txt"
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack:
                continue
            leaf = stack.rsplit(";", 1)[-1]
            own[leaf] = own.get(leaf, 0) + int(count)
            total += int(count)
        if total < 50:
            continue
        print(f"\n**{name}** ({total} samples of CPU)\n")
        for leaf, count in sorted(own.items(), key=lambda kv: -kv[1])[:10]:
            print(f"- {count / total:5.1%} {leaf}")
    print(f"\n(raw py-spy stacks in {out})")


def wrk_at_once(urls, seconds, token):
    """wrk on each of `urls` at once, 8 connections each, for `seconds`."""
    loads = [
        subprocess.Popen(
            ["wrk", "-t1", "-c8", f"-d{seconds}s", "-H", f"Authorization: Bearer {token}", url],
            stdout=subprocess.DEVNULL,
        )
        for url in urls
    ]
    for proc in loads:
        proc.wait()


def submissions(operations, seconds, workers=4):
    """`workers` submitting (two uploads and the submission) and withdrawing back to back for
    `seconds`; prints the rate and the latencies."""
    latencies, failures, elapsed = closed_loop(workers, seconds, lambda s, r: operations.run("submit", s, r))
    print(f"{len(latencies.get('submit', [])) / elapsed:.1f} submissions/s, failures {failures}")
    for name in ("submit", "withdraw"):
        values = sorted(latencies.get(name, []))
        print(f"{name}: p50 {percentile(values, 50) * 1000:.1f} ms, p99 {percentile(values, 99) * 1000:.1f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[8, 32, 64])
    parser.add_argument("--seconds", type=float, default=30, help="mixed load per concurrency level")
    parser.add_argument("--reference-seconds", type=float, default=10, help="bare hop and peer per level")
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--approvals", type=int, default=40, help="pending applications per level")
    parser.add_argument("--memory-minutes", type=float, default=0)
    parser.add_argument("--cost-repeats", type=int, default=50, help="runs of each operation for its CPU cost")
    parser.add_argument(
        "--profile-seconds",
        type=int,
        default=0,
        help="only profile every process under wrk load (uncached search, detail, /me)",
    )
    parser.add_argument(
        "--profile-submissions",
        action="store_true",
        help="with --profile-seconds: profile under 4 workers submitting and withdrawing instead",
    )
    args = parser.parse_args()
    if args.profile_submissions and not args.profile_seconds:
        parser.error("--profile-submissions needs --profile-seconds")
    print(f"machine: {os.cpu_count()} cores, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    with system.Throwaway("load") as sut:
        bench = Bench(sut)
        try:
            return run(args, sut, bench)
        finally:
            bench.stop()


def run(args, sut, bench):
    posting_ids = seed_demo_posts()
    reviewer = make_reviewer(sut.base_url)
    reviewer = Client(sut.base_url, reviewer.session.headers["Authorization"].split(" ", 1)[1])
    pending = 0 if args.memory_minutes or args.profile_seconds else args.approvals * len(args.levels)
    print("setting up people ...", flush=True)
    people = People(sut.base_url, reviewer, pending, 32 if args.memory_minutes else max(args.levels))
    operations = Operations(sut.base_url, people, posting_ids)
    if args.memory_minutes:
        memory(bench, operations, people, args.memory_minutes)
        return 0
    if not args.profile_seconds:
        print("\n## CPU per operation (one at a time, ms)", flush=True)
        costs(bench, operations, args.cost_repeats)
    if args.profile_submissions:
        profile(bench, args.profile_seconds, lambda seconds: submissions(operations, seconds))
        return 0
    nocache = start_uncached_gateway(bench)
    if args.profile_seconds:
        urls = [
            f"{nocache}/api/v1/postings?city=140100",
            f"{nocache}/api/v1/postings/{posting_ids[0]}",
            f"{nocache}/api/v1/me",
            f"{nocache}/api/v1/postings?q=%E5%8A%A9%E7%90%86",
        ]
        profile(bench, args.profile_seconds, lambda seconds: wrk_at_once(urls, seconds, people.readers[0].token))
        return 0
    peer = start_fastapi(bench)
    reader_token = people.readers[0].token
    post = posting_ids[0]
    print("\n## Per path (wrk -t2 -c32)", flush=True)
    transient = start_bare_pair(bench, True, post)
    ratios = per_path(bench, [("bare hop, transient RPC messages", f"{transient}/bare/{post}", None)], args.wrk_seconds)
    stop_bare_pair(bench)
    bare = start_bare_pair(bench, False, post)  # plain Nameko: the base of every ratio
    table = [(BARE, f"{bare}/bare/{post}", None)]
    for cache, base in (("cache off", nocache), ("cache on", sut.base_url)):
        table += [
            (f"GET /api/v1/postings/{{id}} ({cache})", f"{base}/api/v1/postings/{post}", None),
            (f"GET /api/v1/postings?city=140100 ({cache})", f"{base}/api/v1/postings?city=140100", None),
            (f"GET /api/v1/postings?q=助理 ({cache})", f"{base}/api/v1/postings?q=%E5%8A%A9%E7%90%86", None),
        ]
    table += [
        ("GET /api/v1/me (identity's part cached, favorites asked)", f"{sut.base_url}/api/v1/me", reader_token),
        ("GET /healthz (no RPC)", f"{sut.base_url}/healthz", None),
        ("FastAPI peer: region search, 2 workers", f"{peer}/api/v1/postings?city=140100", None),
    ]
    ratios = {**per_path(bench, table, args.wrk_seconds), **ratios}
    print_per_path(ratios, BARE)
    print("\n## Mixed load", flush=True)
    for level in args.levels:
        bare_run = closed_loop(level, args.reference_seconds, SinglePath("bare hop", f"{bare}/bare/{post}"))
        peer_run = closed_loop(
            level, args.reference_seconds, SinglePath("fastapi", f"{peer}/api/v1/postings?city=140100")
        )
        mixed, delays = mixed_level(operations, people, level, args.seconds, args.approvals)
        print_mixed(level, mixed, bare_run, peer_run, delays)
        sys.stdout.flush()
    print(f"\nload average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
