"""A backing service that does not answer makes a 503 in bounded time, never a hang."""

import subprocess
import time
import uuid

import pytest
import requests
from kombu import Connection, Exchange, Queue

from deploy import system
from tests.conftest import LOG_DIR
from tests.e2e.conftest import assert_error


@pytest.fixture(scope="module")
def lonely_gateway(amqp_uri):
    """A gateway on a vhost where identity's RPC queue exists but nobody consumes it."""
    vhost = f"jx_lonely_{uuid.uuid4().hex[:8]}"
    system.add_vhost(vhost)
    uri = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    with Connection(uri) as conn:
        exchange = Exchange("nameko-rpc", type="topic", durable=True)
        Queue("rpc-identity", exchange, routing_key="identity.*", durable=True)(conn.channel()).declare()
    port = system.free_port()
    env = system.base_env(AMQP_URI=uri, GATEWAY_PORT=port, RPC_TIMEOUT_SECONDS=1)
    proc = system.start(system.service_command("gateway"), env, LOG_DIR / "lonely-gateway.log")
    base = f"http://127.0.0.1:{port}"
    system.wait_http(base + "/healthz", timeout=30)
    yield base
    system.stop([proc])
    system.delete_vhost(vhost)


def test_silent_service_gives_503_within_the_rpc_timeout(lonely_gateway):
    started = time.monotonic()
    resp = requests.post(lonely_gateway + "/api/v1/auth/login", json={"username": "abcd", "password": "x1"}, timeout=10)
    assert time.monotonic() - started < 3
    assert_error(resp, 503, "SERVICE_UNAVAILABLE")


def test_readyz_names_the_services_that_did_not_answer(lonely_gateway):
    resp = requests.get(lonely_gateway + "/readyz", timeout=10)
    assert resp.status_code == 503
    details = resp.json()["error"]["details"]
    assert "identity" in details
    assert "rabbitmq" not in details


def test_rabbitmq_unreachable_is_reported_in_one_line():
    result = subprocess.run(
        [system.PYTHON, "-m", "deploy.preflight"],
        cwd=system.ROOT,
        capture_output=True,
        text=True,
        env=system.base_env(AMQP_URI="amqp://guest:guest@127.0.0.1:1/"),
        timeout=30,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "RabbitMQ is not reachable" in lines[0] and "rabbitmq-server" in lines[0]


def test_postgres_unreachable_is_reported_in_one_line():
    result = subprocess.run(
        [system.PYTHON, "-m", "deploy.preflight"],
        cwd=system.ROOT,
        capture_output=True,
        text=True,
        env=system.base_env(PG_DSN="postgresql://postgres@127.0.0.1:1/"),
        timeout=30,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "PostgreSQL is not reachable" in lines[0] and "pg_ctlcluster" in lines[0]


def test_make_up_refuses_a_taken_port(system_under_test):
    port = int(system_under_test.base_url.rsplit(":", 1)[1])
    result = subprocess.run(
        [system.PYTHON, "-m", "deploy.up"],
        cwd=system.ROOT,
        capture_output=True,
        text=True,
        env=system.base_env(GATEWAY_PORT=port),
        timeout=60,
    )
    assert result.returncode == 1
    assert f"port {port}" in result.stderr and "already in use" in result.stderr
