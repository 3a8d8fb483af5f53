"""Scale-out: the same load with 1 and with 2 processes per service (and gateway), side by side.

    .venv/bin/python -m benchmarks.scale_out [--replicas 1 2] [--journeys 32] [--concurrency 4] [--seconds 8]

For each replica count it starts a throwaway system (deploy.system.Throwaway: every service
and the gateway as supervised processes, databases, a vhost and a bucket of its own, removed
afterwards) and measures, through the gateway:

1. The mixed workload of the scale-out test (tests/workload.py): people register, upload two
   papers, submit, are approved, wait until they are interns and bookmark; `--concurrency`
   clients run `--journeys` journeys. Figures: journeys/s, requests/s, p50/p95 of each step.
2. One route at a time, closed loop at concurrency 16 (login: 4) for `--seconds`: each route's ceiling
   and the service it loads (requests/s per replica = the figure / replicas, when that
   service is the bottleneck rather than the gateway or the machine). The gateway's post
   cache is off, so post search reaches the postings service.

All processes share this machine's cores, so a second replica adds processes, not CPU: the
gain is bounded by the cores left over (see deploy/README.md, capacity). The load average is
printed before and after each run, since other work on the machine skews every figure.
"""

import argparse
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from benchmarks.stats import percentile
from deploy import system
from tests import workload

ADMIN = "bench_admin"
ROUTE_CONCURRENCY = 16


def load():
    return "load average " + " ".join(f"{v:.1f}" for v in os.getloadavg())


def setup(base_url):
    stats = workload.Stats()
    anon = workload.Client(base_url, stats)
    system.create_admin(ADMIN, workload.PASSWORD)
    admin = workload.login(anon, ADMIN)
    admin.call(
        "staff",
        "POST",
        "/api/v1/admin/users",
        (201,),
        json={
            "username": "bench_reviewer",
            "password": workload.PASSWORD,
            "real_name": "审核员",
            "roles": ["reviewer"],
            "jurisdiction": None,
        },
    )
    reviewer = workload.login(anon, "bench_reviewer")
    return anon, reviewer, workload.create_posts(reviewer, 8)


def mixed(base_url, anon, reviewer, posting_ids, journeys, concurrency):
    stats = workload.Stats()
    anon = workload.Client(base_url, stats)
    reviewer_token = reviewer.token
    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        futures = [
            pool.submit(workload.journey, anon, anon.as_user(reviewer_token), posting_ids) for _ in range(journeys)
        ]
        done, failed = 0, 0
        for future in futures:
            try:
                future.result()
                done += 1
            except workload.GaveUp:  # a step answered 503 for a whole minute: the system is saturated
                failed += 1
    elapsed = time.monotonic() - started
    return {
        "journeys/s": done / elapsed,
        "requests/s": stats.requests / elapsed,
        "failed": failed,
        "retried": stats.retries,
        "steps": stats.latencies,
    }


def closed_loop(client_for, request, seconds):
    """Requests/s and p95 of `request` (method, path, expected, json[, clients]) in a closed loop."""
    method, path, expect, body, *clients = request
    concurrency = clients[0] if clients else ROUTE_CONCURRENCY
    deadline = time.monotonic() + seconds
    stats = workload.Stats()

    def worker(i):
        client = client_for(i, stats)
        while time.monotonic() < deadline:
            client.call("route", method, path, (expect,), json=body)

    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    elapsed = time.monotonic() - started
    return stats.requests / elapsed, percentile(stats.latencies["route"], 95)


def routes(base_url, anon, reviewer, interns, bookmarked, seconds):
    def person(i, stats):
        return workload.Client(base_url, stats, interns[i % len(interns)].token)

    def public(i, stats):
        return workload.Client(base_url, stats)

    def staff(i, stats):
        return workload.Client(base_url, stats, reviewer.token)

    login = {"username": interns[0].person["username"], "password": workload.PASSWORD}
    plan = [
        ("postings: GET /api/v1/postings?city=140100", public, ("GET", "/api/v1/postings?city=140100", 200, None)),
        ("applications: GET /api/v1/applications (my cases)", person, ("GET", "/api/v1/applications", 200, None)),
        (
            "applications: GET /api/v1/review/applications",
            staff,
            ("GET", "/api/v1/review/applications?status=approved", 200, None),
        ),
        ("favorites: GET /api/v1/favorites", person, ("GET", "/api/v1/favorites", 200, None)),
        (
            "favorites: PUT /api/v1/favorites/{id} (already there)",
            person,
            ("PUT", f"/api/v1/favorites/{bookmarked}", 200, None),
        ),
        ("identity + favorites: GET /api/v1/me", person, ("GET", "/api/v1/me", 200, None)),
        # Each login hashes (argon2, CPU-bound): 4 at a time keep it under the RPC timeout.
        (
            "identity: POST /api/v1/auth/login (argon2, 4 clients)",
            public,
            ("POST", "/api/v1/auth/login", 200, login, 4),
        ),
        ("gateway alone: GET /healthz", public, ("GET", "/healthz", 200, None)),
    ]
    return {label: closed_loop(client_for, request, seconds) for label, client_for, request in plan}


def run(replicas, journeys, concurrency, seconds):
    print(f"\n=== {replicas} process(es) per service and gateway; {load()}", flush=True)
    with system.Throwaway("scale", replicas=replicas) as sut:
        anon, reviewer, posting_ids = setup(sut.base_url)
        result = mixed(sut.base_url, anon, reviewer, posting_ids, journeys, concurrency)
        interns = [workload.register(anon) for _ in range(4)]
        for person in interns:
            workload.approve(reviewer, workload.submit(person))
            workload.wait_until_intern(person)
            person.call("bookmark", "PUT", f"/api/v1/favorites/{posting_ids[0]}", (201,))
        result["routes"] = routes(sut.base_url, anon, reviewer, interns, posting_ids[0], seconds)
    print(f"    done; {load()}", flush=True)
    return result


def report(results):
    counts = list(results)
    head = "| | " + " | ".join(f"{n} replica{'s' if n > 1 else ''}" for n in counts) + " |"
    print("\n" + head + "\n|---|" + "---:|" * len(counts))
    for key in ("journeys/s", "requests/s"):
        print(f"| mixed: {key} | " + " | ".join(f"{results[n][key]:.1f}" for n in counts) + " |")
    print("| mixed: requests retried | " + " | ".join(str(results[n]["retried"]) for n in counts) + " |")
    print("| mixed: journeys given up | " + " | ".join(str(results[n]["failed"]) for n in counts) + " |")
    for step in ("register", "upload", "submit", "approve", "approval_to_intern", "bookmark"):
        print(
            f"| mixed: {step} p50 / p95 ms | "
            + " | ".join(
                f"{percentile(results[n]['steps'][step], 50) * 1000:.0f} / "
                f"{percentile(results[n]['steps'][step], 95) * 1000:.0f}"
                for n in counts
            )
            + " |"
        )
    for label in results[counts[0]]["routes"]:
        print(
            f"| {label}: req/s (p95 ms) | "
            + " | ".join(
                f"{results[n]['routes'][label][0]:.0f} ({results[n]['routes'][label][1] * 1000:.0f})" for n in counts
            )
            + " |"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--journeys", type=int, default=32)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8)
    args = parser.parse_args()
    # The gateway's post cache off: the search figure is then the postings service's.
    os.environ["GATEWAY_CACHE_TTL_SECONDS"] = "0"
    print(f"{os.cpu_count()} CPUs; {load()}")
    results = {n: run(n, args.journeys, args.concurrency, args.seconds) for n in args.replicas}
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
