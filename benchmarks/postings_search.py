"""Search latency at 1,000, 10,000 and 100,000 posts: `python -m benchmarks.postings_search`.

Loads generated posts (the demo generator) by COPY into a database of its own, then
measures region-only, keyword and combined searches, in the store (one caller) and
through the gateway over HTTP (concurrency 16, the postings service and gateway as
their own processes on a RabbitMQ vhost of its own). Prints p50/p95/p99 in ms.
Query kinds: region (a city, or a city and county), keyword (common words: matches grow
with the table), rare (employers that exist once: matches stay the same), combined (city,
keyword and education).
Target: keyword p95 at 100,000 posts under 20 ms in the store, and flat (within 2x)
from 1,000 to 100,000 posts.
"""
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
KEYWORDS = ["会计", "护士", "软件开发", "运维", "数据分析", "施工员", "采矿", "教师", "电商", "酒店",
            "太行", "晋阳", "质量检验", "新媒体", "物流", "检测员", "柜员", "康复", "造价", "幼儿"]
EDUCATIONS = ["不限", "大专", "本科"]
# Employers that exist once whatever the size: a search whose matches stay the same in
# number shows the cost of finding them, apart from the cost of counting many.
RARE = ["平遥古城文旅", "汾酒酿造", "壶口瀑布景区", "云冈石窟研究", "五台山旅游", "皇城相府", "王家大院", "绵山风景"]
KINDS = ("region", "keyword", "rare", "combined")


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
        else:
            query = {"city": city["code"], "q": rng.choice(KEYWORDS), "education": rng.choice(EDUCATIONS)}
        yield query


def store_call(store, query):
    store.search(clock.today(), 1, 20, city=query.get("city"), county=query.get("county"),
                 word=domain.keyword(query.get("q")), education=query.get("education"))


def percentiles(samples):
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def measure_store(store, kind):
    rng = random.Random(f"store-{kind}")
    source = queries(kind, rng)
    for _ in range(20):  # warm caches and the pool
        store_call(store, next(source))
    samples = []
    for _ in range(STORE_SAMPLES):
        query = next(source)
        started = time.perf_counter()
        store_call(store, query)
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def measure_http(base_url, kind):
    rng = random.Random(f"http-{kind}")
    source = queries(kind, rng)
    batch = [next(source) for _ in range(HTTP_REQUESTS)]
    local = threading.local()

    def one(query):
        if not hasattr(local, "session"):
            local.session = requests.Session()
        session = local.session
        started = time.perf_counter()
        resp = session.get(base_url + "/api/v1/postings", params=query, timeout=30)
        elapsed = (time.perf_counter() - started) * 1000
        if resp.status_code != 200:
            raise RuntimeError(f"{query} -> {resp.status_code} {resp.text[:200]}")
        return elapsed

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(one, batch[:CONCURRENCY * 4]))  # warm-up
        samples = list(pool.map(one, batch))
    return percentiles(samples)


def vacuum_analyze():
    with db.connect("postings", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE postings")


def main():
    results = []
    # Only postings and the gateway run, so readiness is the search answering.
    with system.Throwaway("bench", services=["postings"], ready_path="/api/v1/postings?page_size=1") as sut:
        pool = db.create_pool("postings", max_size=2)
        try:
            store = PostingsStore(pool)
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
                print(f"loaded {size:,} posts (+{size - loaded:,} in {time.perf_counter() - started:.1f}s)",
                      flush=True)
                loaded = size
                for kind in KINDS:
                    results.append((size, "store", kind, measure_store(store, kind)))
                    results.append((size, f"http c={CONCURRENCY}", kind, measure_http(sut.base_url, kind)))
        finally:
            pool.close()
    print_table(results)


def print_table(results):
    print()
    print(f"| {'posts':>7} | {'layer':<10} | {'query':<8} | {'p50 ms':>7} | {'p95 ms':>7} | {'p99 ms':>7} |")
    print(f"|{'-' * 9}|{'-' * 12}|{'-' * 10}|{'-' * 9}|{'-' * 9}|{'-' * 9}|")
    for size, layer, kind, (p50, p95, p99) in sorted(results, key=lambda r: (r[1], r[2], r[0])):
        print(f"| {size:>7,} | {layer:<10} | {kind:<8} | {p50:>7.2f} | {p95:>7.2f} | {p99:>7.2f} |")
    print()
    p95 = {(size, layer, kind): cuts[1] for size, layer, kind, cuts in results}
    for layer in sorted({r[1] for r in results}):
        ratios = ", ".join(f"{kind} {p95[(max(SIZES), layer, kind)] / p95[(min(SIZES), layer, kind)]:.2f}x"
                           for kind in KINDS)
        print(f"p95 at {max(SIZES):,} / p95 at {min(SIZES):,} posts, {layer}: {ratios}")
    keyword = p95[(max(SIZES), "store", "keyword")]
    print(f"keyword p95 in the store at {max(SIZES):,} posts: {keyword:.2f} ms (target < 20 ms)")


if __name__ == "__main__":
    sys.exit(main())
