"""A probe queue bound to every event exchange of the test run's vhost, declared when the
system starts, so the privacy sweep (test_privacy_sweep.py) reads every event published."""

import json
import subprocess
from urllib.parse import unquote, urlsplit

import kombu

PROBE_QUEUE = "privacy_probe"
# Nameko's RPC exchange carries commands to one service (a registration's ID number to
# identity, by design); broadcasts are what every consumer sees.
COMMAND_EXCHANGES = {"nameko-rpc"}


def vhost_of(amqp_uri):
    return unquote(urlsplit(amqp_uri).path.lstrip("/")) or "/"


def exchanges(amqp_uri):
    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_exchanges", "-p", vhost_of(amqp_uri), "name", "type", "--formatter", "json"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return [
        (e["name"], e["type"])
        for e in json.loads(listed.stdout)
        if e["name"] and not e["name"].startswith("amq.") and e["name"] not in COMMAND_EXCHANGES
    ]


def start_probe(amqp_uri):
    with kombu.Connection(amqp_uri) as conn:
        channel = conn.channel()
        # Durable: the suite restarts the broker (test_relay), which drops transient queues.
        queue = kombu.Queue(PROBE_QUEUE, durable=True, auto_delete=False, channel=channel)
        queue.declare()
        for name, kind in exchanges(amqp_uri):
            queue.bind_to(exchange=name, routing_key="#" if kind == "topic" else "")


def drain(amqp_uri):
    """Every message the probe caught, as text (headers and body)."""
    texts = []
    with kombu.Connection(amqp_uri) as conn:
        queue = kombu.Queue(PROBE_QUEUE, durable=True, channel=conn.channel())
        while (message := queue.get(no_ack=True)) is not None:
            body = message.body
            body = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else str(body)
            texts.append(json.dumps(message.headers, ensure_ascii=False, default=str) + body)
    return texts
