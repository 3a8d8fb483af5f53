"""Checks and process control shared by `make up` and the end-to-end test fixtures."""
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from common import config

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

PG_HINT = "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
RABBIT_HINT = "start it with: rabbitmq-server -detached"


class NotReady(Exception):
    """A prerequisite is missing; the message is one line an operator can act on."""


def check_postgres():
    url = config.admin_database_url("identity")
    try:
        with psycopg.connect(url, connect_timeout=3):
            pass
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NotReady(f"PostgreSQL is not reachable at {_where(url)} ({first}); {PG_HINT}") from None


def check_rabbitmq():
    uri = config.amqp_uri()
    parts = urlsplit(uri)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5672
    try:
        with socket.create_connection((host, port), timeout=3):
            pass
    except OSError as exc:
        raise NotReady(f"RabbitMQ is not reachable at {host}:{port} ({exc.strerror or exc}); {RABBIT_HINT}") from None


def check_port_free(port, what):
    """eventlet.listen sets SO_REUSEPORT, so a leftover server would silently share the port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            raise NotReady(f"port {port} needed for {what} is already in use; stop whatever listens there or set another port")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _where(url):
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or 5432}"


def service_command(name):
    return [PYTHON, "-m", "deploy.run_service", name]


def s3_command(port):
    return [PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]


def start(command, env, log_path):
    log = open(log_path, "ab")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(processes, timeout=10):
    for proc in processes:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + timeout
    for proc in processes:
        try:
            proc.wait(max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_http(url, timeout=60, expect=200):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=3) as resp:
                if resp.status == expect:
                    return
                last = resp.status
        except urllib.error.HTTPError as exc:
            last = f"{exc.code} {exc.read()[:200]!r}"
        except OSError as exc:
            last = exc
        time.sleep(0.2)
    raise NotReady(f"{url} did not answer {expect} within {timeout}s (last: {last})")


def base_env(**overrides):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONUNBUFFERED"] = "1"
    env.update({k: str(v) for k, v in overrides.items()})
    return env
