"""Event store benchmark (not a test): append throughput and relay commit-to-consumer latency.

    .venv/bin/python -m benchmarks.event_store [--seconds 5] [--samples 300]

Runs as the services do: one eventlet-patched process, writers as green
threads with a connection each. Uses a throwaway database and a throwaway
event source on the configured RabbitMQ (AMQP_URI), both removed at the end.
"""

from benchmarks.stats import percentile
from common import green

green.patch()

import argparse  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

import eventlet  # noqa: E402
import kombu  # noqa: E402
import psycopg  # noqa: E402
from nameko.standalone.events import get_event_exchange  # noqa: E402

RUN = uuid.uuid4().hex[:8]
os.environ["DB_SUFFIX"] = f"_bench_{RUN}"

from common import config, eventstore, migrate, relay  # noqa: E402
from common.eventstore import NewEvent  # noqa: E402


def append_throughput(writers, seconds):
    """Appends (one event each, to a new stream) per second, and each append's latency."""
    dsn = config.database_url("applications")
    latencies = []
    deadline = time.monotonic() + seconds

    def writer():
        with psycopg.connect(dsn) as conn:
            while time.monotonic() < deadline:
                started = time.monotonic()
                with conn.transaction():
                    eventstore.append(conn, uuid.uuid4(), 0, [NewEvent("benchmarked", {"n": 1})])
                latencies.append(time.monotonic() - started)

    threads = [threading.Thread(target=writer) for _ in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / seconds, latencies


def relay_latency(listen, poll_interval, samples):
    """Seconds from an append's commit to its message reaching a consumer, per sample."""
    source = f"bench{RUN}{'n' if listen else 'p'}{int(poll_interval * 1000)}"
    dsn = config.database_url("applications")
    with psycopg.connect(dsn, autocommit=True) as conn:  # start the relay at the head of the log
        conn.execute(
            "INSERT INTO relay_checkpoints (name, position) SELECT %s, coalesce(max(position), 0) FROM events",
            (source,),
        )
    committed, received = {}, {}
    queue = kombu.Queue(
        f"bench-probe-{source}", exchange=get_event_exchange(source, {}), routing_key="#", auto_delete=True
    )
    worker = relay.Relay("applications", source, listen=listen, poll_interval=poll_interval)
    relay_thread = eventlet.spawn(worker.run)
    done = threading.Event()

    def consume():
        with kombu.Connection(config.amqp_uri()) as conn:

            def on_message(body, message):
                received[body["event_id"]] = time.monotonic()
                message.ack()

            with conn.Consumer(queue, callbacks=[on_message], accept=["json"]):
                ready.set()
                while not done.is_set():
                    try:
                        conn.drain_events(timeout=0.2)
                    except TimeoutError:
                        pass

    ready = threading.Event()
    consumer_thread = eventlet.spawn(consume)
    ready.wait()
    time.sleep(1.5)  # the relay is leading and listening
    with psycopg.connect(dsn) as conn:
        for _ in range(samples):
            with conn.transaction():
                [event] = eventstore.append(conn, uuid.uuid4(), 0, [NewEvent("benchmarked", {})])
            committed[str(event.event_id)] = time.monotonic()
            time.sleep(random.uniform(0, 0.04))
    deadline = time.monotonic() + poll_interval + 10
    while len(received) < samples and time.monotonic() < deadline:
        time.sleep(0.05)
    done.set()
    worker.stop()
    relay_thread.wait()
    consumer_thread.wait()
    with kombu.Connection(config.amqp_uri()) as conn:
        conn.default_channel.exchange_delete(worker.exchange.name)
    return [received[i] - committed[i] for i in committed if i in received], samples - len(received)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each throughput run")
    parser.add_argument("--samples", type=int, default=300, help="events per latency run")
    args = parser.parse_args()
    migrate.migrate("applications")
    try:
        print(f"append throughput ({args.seconds:.0f} s per run, one event per append, green-thread writers)")
        print(f"{'writers':>8} {'appends/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
        for writers in (1, 4, 16):
            rate, latencies = append_throughput(writers, args.seconds)
            print(
                f"{writers:>8} {rate:>10.0f} {percentile(latencies, 50) * 1000:>8.2f} "
                f"{percentile(latencies, 99) * 1000:>8.2f}"
            )
        print(f"\nrelay commit-to-consumer latency ({args.samples} events, 0-40 ms apart)")
        print(f"{'wake-up':<28} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'lost':>5}")
        for label, listen, poll in (
            ("LISTEN/NOTIFY (poll 1 s)", True, 1.0),
            ("polling alone, every 1 s", False, 1.0),
            ("polling alone, every 0.1 s", False, 0.1),
        ):
            latencies, lost = relay_latency(listen, poll, args.samples)
            print(
                f"{label:<28} {statistics.median(latencies) * 1000:>8.1f} "
                f"{percentile(latencies, 99) * 1000:>8.1f} {max(latencies) * 1000:>8.1f} {lost:>5}"
            )
    finally:
        migrate.drop_database("applications")


if __name__ == "__main__":
    main()
