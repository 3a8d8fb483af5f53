"""Search latency at 1,000, 10,000 and 100,000 posts: `python -m benchmarks.postings_search`.

First the demo set exactly as `make up` seeds it (deploy/seed.py), then generated posts
(the same generator) at each size, loaded by COPY into a database of its own. Measures
region-only, keyword and combined searches in the store (one caller: wall time, and the
PostgreSQL backend's own CPU time per query read from /proc, so a busy machine inflates the
first but hardly the second) and through the gateway over HTTP (concurrency 16, the postings
service and gateway as their own processes on a RabbitMQ vhost of its own, the gateway's
cache off). Prints p50/p95/p99 in ms.
Query kinds: region (a city, or a city and county), keyword (common words: matches grow
with the table), rare (employers that exist once: matches stay the same), combined (city,
keyword and education), very common (a word in 4 posts of 10: its total is capped at 10,000).
Targets: at most 1 ms of PostgreSQL CPU per keyword query on the demo data; keyword p95 in
the store at most 5 ms at 100,000 posts.
"""

import os
import random
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from common import clock, db, regions
from deploy import system
from services.postings import domain, seed
from services.postings.store import PostingsStore

SIZES = (1_000, 10_000, 100_000)
STORE_SAMPLES = 400
HTTP_REQUESTS = 800
CONCURRENCY = 16
# What people type: occupations, trades, places, an employer's brand; 2 to 4 characters.
KEYWORDS = [
    "会计",
    "护士",
    "软件开发",
    "运维",
    "数据分析",
    "施工员",
    "采矿",
    "教师",
    "电商",
    "酒店",
    "太行",
    "晋阳",
    "质量检验",
    "新媒体",
    "物流",
    "检测员",
    "柜员",
    "康复",
    "造价",
    "幼儿",
]
EDUCATIONS = ["不限", "大专", "本科"]
# Employers that exist once whatever the size: a search whose matches stay the same in
# number shows the cost of finding them, apart from the cost of counting many.
RARE = ["平遥古城文旅", "汾酒酿造", "壶口瀑布景区", "云冈石窟研究", "五台山旅游", "皇城相府", "王家大院", "绵山风景"]
# Words in a large share of all posts (助理 in about 4 of 10): their totals are capped.
VERY_COMMON = ["助理", "有限公司", "见习"]
KINDS = ("region", "keyword", "rare", "combined", "very common")


def queries(kind, rng):
    cities = regions.load()["cities"]
    while True:
        city = rng.choice(cities)
        if kind == "region":
            query = {"city": city["code"]}
            if rng.random() < 0.5:
                query["county"] = rng.choice(city["counties"])["code"]
        elif kind == "keyword":
            query = {"q": rng.choice(KEYWORDS)}
        elif kind == "rare":
            query = {"q": rng.choice(RARE)}
        elif kind == "very common":
            query = {"q": rng.choice(VERY_COMMON)}
        else:
            query = {"city": city["code"], "q": rng.choice(KEYWORDS), "education": rng.choice(EDUCATIONS)}
        yield query


def store_call(store, query):
    store.search(
        clock.today(),
        1,
        20,
        city=query.get("city"),
        county=query.get("county"),
        word=domain.keyword(query.get("q")),
        education=query.get("education"),
    )


def percentiles(samples):
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def backend_cpu(pid):
    """CPU seconds (user + system) PostgreSQL backend `pid` has used; it runs on this machine."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_store(store, kind):
    """(p50, p95, p99) wall ms, and the backend's mean CPU ms per query (the pool holds one connection)."""
    rng = random.Random(f"store-{kind}")
    source = queries(kind, rng)
    for _ in range(20):  # warm caches, the pool and prepared statements
        store_call(store, next(source))
    with store.pool.connection() as conn:
        pid = conn.execute("SELECT pg_backend_pid() AS pid").fetchone()["pid"]
    samples = []
    cpu_before = backend_cpu(pid)
    for _ in range(STORE_SAMPLES):
        query = next(source)
        started = time.perf_counter()
        store_call(store, query)
        samples.append((time.perf_counter() - started) * 1000)
    cpu_ms = (backend_cpu(pid) - cpu_before) * 1000 / STORE_SAMPLES
    return (*percentiles(samples), cpu_ms)


def measure_http(base_url, kind):
    rng = random.Random(f"http-{kind}")
    source = queries(kind, rng)
    batch = [next(source) for _ in range(HTTP_REQUESTS)]
    local = threading.local()
    errors = []

    def one(query):
        if not hasattr(local, "session"):
            local.session = requests.Session()
        session = local.session
        started = time.perf_counter()
        resp = session.get(base_url + "/api/v1/postings", params=query, timeout=30)
        elapsed = (time.perf_counter() - started) * 1000
        if resp.status_code != 200:
            errors.append(f"{query} -> {resp.status_code} {resp.text[:200]}")
        return elapsed

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(one, batch[: CONCURRENCY * 4]))  # warm-up
        samples = list(pool.map(one, batch))
    if errors:
        print(f"  {kind}: {len(errors)} of {len(batch)} requests failed, e.g. {errors[0]}", flush=True)
    return (*percentiles(samples), None)


def vacuum_analyze():
    with db.connect("postings", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE postings, posting_search")


def main():
    results = []
    # Through HTTP this measures the service's path: the gateway's cache (benchmarks/load.py) stays off.
    os.environ["GATEWAY_CACHE_TTL_SECONDS"] = "0"
    # Only postings and the gateway run, so readiness is the search answering.
    with system.Throwaway("bench", services=["postings"], ready_path="/api/v1/postings?page_size=1") as sut:
        pool = db.create_pool("postings", max_size=1)
        try:
            store = PostingsStore(pool)
            # The demo set as `make up` seeds it (insert_missing refreshes the statistics).
            store.insert_missing(seed.generate(seed.DEMO_COUNT, clock.today(), clock.now()))
            for kind in KINDS:
                results.append(("demo", "store", kind, measure_store(store, kind)))
            with pool.connection() as conn:
                conn.execute("TRUNCATE postings, posting_search")
            started = time.perf_counter()
            rows = list(seed.generate(max(SIZES), clock.today(), clock.now(), label="bench", seed=7))
            for i, name in enumerate(RARE):
                rows[i * 97] = domain.with_search({**rows[i * 97], "employer_name": name + "有限公司"})
            print(f"generated {len(rows):,} posts in {time.perf_counter() - started:.1f}s", flush=True)
            loaded = 0
            for size in SIZES:
                started = time.perf_counter()
                store.insert_missing(rows[loaded:size])
                vacuum_analyze()
                print(f"loaded {size:,} posts (+{size - loaded:,} in {time.perf_counter() - started:.1f}s)", flush=True)
                loaded = size
                for kind in KINDS:
                    results.append((size, "store", kind, measure_store(store, kind)))
                    results.append((size, f"http c={CONCURRENCY}", kind, measure_http(sut.base_url, kind)))
        finally:
            pool.close()
    print_table(results)


def print_table(results):
    def label(size):
        return f"demo {seed.DEMO_COUNT}" if size == "demo" else f"{size:,}"

    def order(result):
        size, layer, kind, _ = result
        return layer, KINDS.index(kind), -1 if size == "demo" else size

    print()
    print(
        f"| {'posts':>8} | {'layer':<10} | {'query':<11} | {'p50 ms':>7} | {'p95 ms':>7} | {'p99 ms':>7} "
        f"| {'PG CPU ms':>9} |"
    )
    print(f"|{'-' * 10}|{'-' * 12}|{'-' * 13}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 11}|")
    for size, layer, kind, (p50, p95, p99, cpu) in sorted(results, key=order):
        cpu_text = "" if cpu is None else f"{cpu:.2f}"
        print(
            f"| {label(size):>8} | {layer:<10} | {kind:<11} | {p50:>7.2f} | {p95:>7.2f} | {p99:>7.2f} | {cpu_text:>9} |"
        )
    print()
    p95 = {(size, layer, kind): cuts[1] for size, layer, kind, cuts in results}
    cpu = {(size, layer, kind): cuts[3] for size, layer, kind, cuts in results}
    for layer in sorted({r[1] for r in results}):
        ratios = ", ".join(
            f"{kind} {p95[(max(SIZES), layer, kind)] / p95[(min(SIZES), layer, kind)]:.2f}x" for kind in KINDS
        )
        print(f"p95 at {max(SIZES):,} / p95 at {min(SIZES):,} posts, {layer}: {ratios}")
    print(
        f"PostgreSQL CPU per keyword query on the demo data: {cpu[('demo', 'store', 'keyword')]:.2f} ms "
        f"(very common {cpu[('demo', 'store', 'very common')]:.2f} ms; target <= 1 ms)"
    )
    keyword = p95[(max(SIZES), "store", "keyword")]
    print(f"keyword p95 in the store at {max(SIZES):,} posts: {keyword:.2f} ms (target <= 5 ms)")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    sys.exit(main())
