"""Applications benchmark, through the gateway of a system of its own (isolated databases, vhost, bucket).

1. Submission: each of CONCURRENCY workers repeatedly uploads an ID card (tiny PNG) and a
   1 MiB diploma PDF, then submits; throughput and p50/p99 latency per step.
2. My cases: with 100,000 cases in the read model, GET /api/v1/applications latency
   (plain, status filter, month filter, second page), sequential and at CONCURRENCY.

    .venv/bin/python -m benchmarks.applications [--submissions 320] [--cases 100000]
"""

import argparse
import random
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import psycopg
import requests

from benchmarks.stats import percentile
from common import clock, config
from deploy import system
from tests import factories
from tests.files import padded_pdf, png

CONCURRENCY = 16
MiB = 1024 * 1024


def row(name, latencies, elapsed=None):
    ms = [v * 1000 for v in latencies]
    rate = f"{len(latencies) / elapsed:8.1f}" if elapsed else " " * 8
    return f"{name:<44} {len(ms):>6} {rate} {statistics.median(ms):9.1f} {percentile(ms, 99):9.1f} {max(ms):9.1f}"


class Failed(Exception):
    """A request that did not succeed; counted, and the benchmark goes on."""

    def __init__(self, resp):
        super().__init__(f"{resp.status_code} {resp.text[:200]}")


class Person:
    def __init__(self, url):
        self.session = requests.Session()
        self.url = url
        birth = date(1990, 1, 1) + timedelta(days=random.randrange(3650))
        body = factories.person(id_number=factories.id_number(birth=birth, male=True))
        resp = self.session.post(url + "/api/v1/auth/register", json=body, timeout=30)
        resp.raise_for_status()
        self.user_id = resp.json()["user_id"]
        token = self.session.post(
            url + "/api/v1/auth/login", json={"username": body["username"], "password": body["password"]}, timeout=30
        ).json()["access_token"]
        self.session.headers["Authorization"] = f"Bearer {token}"

    def upload(self, kind, content, filename):
        resp = self.session.post(
            self.url + "/api/v1/attachments", files={"file": (filename, content)}, data={"kind": kind}, timeout=60
        )
        if resp.status_code != 201:
            raise Failed(resp)
        return resp.json()["attachment_id"]

    def submit(self, attachment_ids):
        resp = self.session.post(
            self.url + "/api/v1/applications",
            timeout=60,
            json={
                "category": "graduate",
                "gender": "男",
                "education": "本科",
                "school": "山西大学",
                "major": "数学",
                "graduation_date": (clock.today() - timedelta(days=100)).isoformat(),
                "household_address": "太原市小店区",
                "current_address": "太原市迎泽区",
                "phone": "13900000000",
                "jurisdiction": {"city_code": "140100", "county_code": "140105"},
                "attachment_ids": attachment_ids,
                "declaration_accepted": True,
            },
        )
        if resp.status_code != 201:
            raise Failed(resp)

    def withdraw_all(self):
        for item in self.session.get(self.url + "/api/v1/applications?status=pending", timeout=30).json()["items"]:
            self.session.post(f"{self.url}/api/v1/applications/{item['application_id']}/withdraw", timeout=30)


def bench_submissions(people, rounds):
    diploma = padded_pdf(MiB)
    steps = {"upload 1 MiB PDF": [], "upload tiny PNG": [], "submit": [], "whole submission": []}
    failures = []
    lock = threading.Lock()

    def work(person):
        for i in range(rounds):
            try:
                started = time.perf_counter()
                id_card = person.upload("id_card", png(seed=i), "id.png")
                t1 = time.perf_counter()
                pdf_id = person.upload("diploma", diploma, "diploma.pdf")
                t2 = time.perf_counter()
                person.submit([id_card, pdf_id])
                t3 = time.perf_counter()
            except Failed as exc:
                with lock:
                    failures.append(str(exc))
                continue
            with lock:
                steps["upload tiny PNG"].append(t1 - started)
                steps["upload 1 MiB PDF"].append(t2 - t1)
                steps["submit"].append(t3 - t2)
                steps["whole submission"].append(t3 - started)
            if i < rounds - 1:
                person.withdraw_all()  # so the same person may submit again

    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(work, people))
    return steps, time.perf_counter() - started, failures


def fill_cases(people, total):
    """`total` cases in the read model: 30 past (withdrawn) cases per benchmark person over the
    last 30 months, the rest spread over 25,000 other applicants."""
    own = 30
    with psycopg.connect(config.database_url("applications"), autocommit=True) as conn:
        conn.execute(
            """
            INSERT INTO applications (application_id, case_number, applicant_id, category, status,
                jurisdiction_city, jurisdiction_county, gender, education, school, major, graduation_date,
                submitted_at, decided_at, version)
            SELECT gen_random_uuid(), 'JXB' || lpad(n::text, 12, '0'),
                   CASE WHEN n <= %(owned)s THEN (%(people)s::uuid[])[1 + (n - 1) %% %(count)s]
                        ELSE md5('other' || (n %% 25000))::uuid END,
                   'graduate', CASE WHEN n <= %(owned)s OR n %% 4 > 0 THEN 'withdrawn'
                                    ELSE (ARRAY['rejected', 'withdrawn'])[1 + n %% 2] END,
                   '140100', '140105', '男', '本科', '山西大学', '数学', date '2025-06-30',
                   now() - ((n %% 900) || ' days')::interval - ((n %% 86400) || ' seconds')::interval,
                   now() - ((n %% 900) || ' days')::interval, 2
            FROM generate_series(1, %(total)s) AS n""",
            {"owned": own * len(people), "people": [p.user_id for p in people], "count": len(people), "total": total},
        )
        conn.execute("ANALYZE applications")
        return conn.execute("SELECT count(*) FROM applications").fetchone()[0]


def bench_queries(people, requests_per_query):
    month = (clock.today().replace(day=1) - timedelta(days=40)).strftime("%Y-%m")
    queries = {
        "my cases, page 1": "",
        "my cases, status=withdrawn": "?status=withdrawn",
        f"my cases, month={month}": f"?month={month}",
        "my cases, page 2 of 20": "?page=2&page_size=20",
    }
    results = {}
    for name, query in queries.items():
        latencies = []
        for i in range(requests_per_query):
            person = people[i % len(people)]
            started = time.perf_counter()
            resp = person.session.get(person.url + "/api/v1/applications" + query, timeout=30)
            latencies.append(time.perf_counter() - started)
            assert resp.status_code == 200, resp.text
        results[name + " (sequential)"] = (latencies, None)

    latencies, lock = [], threading.Lock()

    def work(person):
        for _ in range(requests_per_query // CONCURRENCY):
            started = time.perf_counter()
            resp = person.session.get(person.url + "/api/v1/applications", timeout=30)
            assert resp.status_code == 200
            with lock:
                latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(work, people[:CONCURRENCY]))
    results[f"my cases, page 1 (concurrency {CONCURRENCY})"] = (latencies, time.perf_counter() - started)
    return results


def sql_plan(person):
    with psycopg.connect(config.database_url("applications")) as conn:
        plan = conn.execute(
            "EXPLAIN (ANALYZE, FORMAT TEXT) SELECT * FROM applications WHERE applicant_id = %s "
            "ORDER BY submitted_at DESC, application_id DESC LIMIT 20",
            (person.user_id,),
        ).fetchall()
    return [line[0] for line in plan]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=320, help="total submissions (multiple of 16)")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=400, help="requests per my-cases query")
    args = parser.parse_args()
    rounds = max(1, args.submissions // CONCURRENCY)
    with system.Throwaway("bench") as sut:
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            people = list(pool.map(lambda _: Person(sut.base_url), range(CONCURRENCY)))
        steps, elapsed, failures = bench_submissions(people, rounds)
        cases = fill_cases(people, args.cases)
        queries = bench_queries(people, args.queries)
        plan = sql_plan(people[0])

    header = f"{'operation':<44} {'count':>6} {'per s':>8} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9}"
    print(f"\nSubmissions through the gateway, concurrency {CONCURRENCY}, 1 MiB PDF + tiny PNG each")
    print(header)
    print("-" * len(header))
    for name, latencies in steps.items():
        print(row(name, latencies, elapsed if name == "whole submission" else None))
    print(f"failed submissions: {len(failures)}" + (f" (first: {failures[0]})" if failures else ""))
    print(f"\nMy cases through the gateway with {cases:,} cases in the read model (30 per queried person)")
    print(header)
    print("-" * len(header))
    for name, (latencies, took) in queries.items():
        print(row(name, latencies, took))
    print("\nPostgreSQL plan of the my-cases page query:")
    print("\n".join("  " + line for line in plan))


if __name__ == "__main__":
    sys.exit(main())
