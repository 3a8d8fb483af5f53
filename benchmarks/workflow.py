"""Case workflow figures, through the gateway (not a test).

    .venv/bin/python -m benchmarks.workflow [--decisions 300] [--forms 200]
    .venv/bin/python -m benchmarks.workflow --base-url http://127.0.0.1:8000

Without --base-url it starts a throwaway system (as benchmarks.approval_propagation does).

1. Decision -> notification: N people apply (set-up, not measured). A reviewer decides
   each case in turn, cycling through return (退回补正), reject and approve; after each
   decision response the owner's GET /api/v1/notifications is polled back to back until
   the message of that decision is there (outbox, relay, RabbitMQ, the notifications
   consumer, the next list call).
2. form.pdf: the owner downloads the printed form of their case, one at a time, then
   with 4 concurrent clients; the time is the whole HTTP request (detail read, layout,
   font subsetting, the RPC hop with the base64 body, the gateway).
"""

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from benchmarks.approval_propagation import (
    Client,
    applicant,
    make_reviewer,
    summary,
    throughput,
)
from benchmarks.stats import percentile
from common import config
from deploy import system

DECISIONS = (
    (
        "return",
        "application_returned",
        {"reason": "毕业证书照片不清晰", "items": ["重新上传毕业证书", "补充学历认证报告"]},
    ),
    ("reject", "application_rejected", {"reason": "不符合见习人员条件"}),
    ("approve", "application_approved", {"comment": "材料齐全，同意"}),
)


def notification_delays(reviewer, cases):
    delays, polls = [], []
    for n, (client, application_id) in enumerate(cases):
        action, event_type, body = DECISIONS[n % len(DECISIONS)]
        reviewer.call("POST", f"/api/v1/review/applications/{application_id}/{action}", 200, json=body)
        decided, calls = time.perf_counter(), 0
        while True:
            items = client.call("GET", "/api/v1/notifications", 200).json()["items"]
            now, calls = time.perf_counter(), calls + 1
            if any(i["application_id"] == application_id and i["type"] == event_type for i in items):
                break
            if now - decided > 30:
                raise RuntimeError(f"application {application_id}: no notification 30 s after the decision")
        delays.append(now - decided)
        polls.append(calls)
    return delays, polls


def run(base_url, reviewer, decisions, forms, setup_workers):
    print(f"setting up {decisions} applicants with pending applications ...", flush=True)
    with ThreadPoolExecutor(setup_workers) as pool:
        cases = list(pool.map(lambda n: applicant(base_url, n), range(decisions)))

    delays, polls = notification_delays(reviewer, cases)
    print(f"\ndecision -> notification listed ({decisions} decisions: return, reject, approve in turn):")
    print(f"  {summary(delays)}")
    print(f"  list calls needed: 1 in {polls.count(1)} cases, max {max(polls)}")

    client, application_id = cases[0]
    path = f"/api/v1/applications/{application_id}/form.pdf"
    size = len(client.call("GET", path, 200).content)
    times = []
    for _ in range(forms):
        t0 = time.perf_counter()
        client.call("GET", path, 200)
        times.append(time.perf_counter() - t0)
    print(f"\nGET form.pdf ({size / 1024:.0f} KiB), one at a time: {summary(times)}")
    concurrent, elapsed = throughput([client] * 4, 10, lambda c, i: c.call("GET", path, 200))
    print(f"  4 concurrent clients: {len(concurrent) / elapsed:.1f} /s, {summary(concurrent)}")

    met = percentile(delays, 99) < 0.100 and percentile(times, 95) < 0.300
    print(f"\ntargets (notification p99 < 100 ms, form p95 < 300 ms): {'met' if met else 'NOT met'}")
    return 0 if met else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="a running system (make up); default: start a throwaway one")
    parser.add_argument("--reviewer", default="demo_reviewer", help="reviewer username with --base-url")
    parser.add_argument("--password", default=config.env("DEMO_PASSWORD", "Demo-2026"))
    parser.add_argument("--decisions", type=int, default=300)
    parser.add_argument("--forms", type=int, default=200)
    parser.add_argument(
        "--setup-workers", type=int, default=4, help="parallel registrations while setting up (argon2 is CPU-bound)"
    )
    args = parser.parse_args()
    if args.base_url:
        reviewer = Client(args.base_url).login(args.reviewer, args.password)
        return run(args.base_url, reviewer, args.decisions, args.forms, args.setup_workers)
    with system.Throwaway("bench") as sut:
        return run(sut.base_url, make_reviewer(sut.base_url), args.decisions, args.forms, args.setup_workers)


if __name__ == "__main__":
    sys.exit(main())
