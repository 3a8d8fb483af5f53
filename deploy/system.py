"""Checks and process control shared by `make up`, the test fixtures and the benchmarks."""

import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from common import config, migrate
from deploy.services import declare_event_queues
from deploy.supervisor import Supervisor

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

PG_HINT = "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
RABBIT_HINT = "start it with: rabbitmq-server -detached"
# Above the well-known and most registered services' ports.
FIRST_PICKED_PORT = 20000


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
            raise NotReady(
                f"port {port} needed for {what} is already in use; stop whatever listens there or set another port"
            )


def ephemeral_ports():
    """The range the kernel takes outgoing connections' local ports from."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


_handed_out: set[int] = set()


def free_port():
    """A port nothing listens on, for a child process to bind, picked outside the ephemeral range.

    A port the kernel hands out for bind(0) comes from the ephemeral range, so any outgoing
    connection (a pool filling up, a broker channel) can take it before the child binds it, and
    the child, restarted with the same port, would then fail forever.
    """
    low, high = ephemeral_ports()
    candidates = [
        port for port in range(FIRST_PICKED_PORT, 65536) if not low <= port <= high and port not in _handed_out
    ]
    for port in random.sample(candidates, min(len(candidates), 200)):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise NotReady(f"no free port from {FIRST_PICKED_PORT} outside the ephemeral range {low}-{high}")


def _where(url):
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or 5432}"


def service_command(name):
    return [PYTHON, "-m", "deploy.run_service", name]


def s3_command(port):
    return [PYTHON, "-m", "deploy.objectstore", str(port)]


@lru_cache(maxsize=1)
def local_s3_credentials():
    """The local store's credentials: random for each start, known only to the processes started here."""
    return {
        "AWS_ACCESS_KEY_ID": "LOCAL" + secrets.token_hex(8).upper(),
        "AWS_SECRET_ACCESS_KEY": secrets.token_urlsafe(30),
    }


def wait_s3(url, timeout=30):
    """Until the local store answers a request signed with its credentials."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    credentials = local_s3_credentials()
    s3 = boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
        config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=5),
    )
    deadline = time.monotonic() + timeout
    while True:
        try:
            s3.list_buckets()
            return
        except (BotoCoreError, ClientError) as exc:  # not listening yet, or not yet ready
            if time.monotonic() > deadline:
                raise NotReady(f"the local S3 store at {url} did not answer within {timeout}s ({exc})") from None
            time.sleep(0.2)


def start(command, env, log_path):
    log = open(log_path, "ab")  # noqa: SIM115  (the child process writes to it for its whole life)
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


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
    """The environment of a started process; with no S3_ENDPOINT_URL configured, the local
    store is used, and every process gets its credentials."""
    env = dict(os.environ)
    if not config.s3_endpoint_url():
        env.update(local_s3_credentials())
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONUNBUFFERED"] = "1"
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def create_admin(username, password, **env):
    """An administrator made as an operator makes the first one: with identity's command-line tool."""
    subprocess.run(
        [PYTHON, "-m", "services.identity.cli", "create-admin", "--username", username, "--real-name", "管理员"],
        check=True,
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        env=base_env(ADMIN_PASSWORD=password, **env),
    )


def rabbitmqctl(*args, attempts=3):
    """Run a rabbitmqctl command; the CLI sometimes fails to reach a busy node, so try again before giving up."""
    for attempt in range(1, attempts + 1):
        result = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=60)
        if result.returncode == 0:
            return result.stdout
        if attempt == attempts:
            raise NotReady(
                f"rabbitmqctl {' '.join(args)} failed ({result.returncode}): "
                f"{(result.stderr or result.stdout).strip()[:300]}"
            )
        time.sleep(attempt)


def add_vhost(name):
    rabbitmqctl("add_vhost", name)
    rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")


def delete_vhost(name):
    rabbitmqctl("delete_vhost", name)


def isolate(prefix):
    """Point this process, and every process it starts, at databases, a vhost and a bucket of their own.

    Returns the vhost's name; the caller creates and deletes it.
    """
    run_id = uuid.uuid4().hex[:10]
    vhost = f"jx_{prefix}_{run_id}"
    os.environ.update(
        DB_SUFFIX=f"_{prefix}_{run_id}",
        S3_BUCKET=f"jx-{prefix}-{run_id}",
        AMQP_URI=f"amqp://guest:guest@127.0.0.1:5672/{vhost}",
    )
    os.environ.setdefault("JWT_SECRET", f"{prefix}-secret-{run_id}-0123456789abcdef")
    return vhost


def replica_counts(names, default=None):
    """Processes per service: `REPLICAS` for all (default 1), `REPLICAS_<NAME>` for one."""
    fallback = default if default is not None else config.env("REPLICAS", "1")
    counts = {}
    for name in names:
        variable = f"REPLICAS_{name.upper()}"
        raw = config.env(variable, fallback)
        if not str(raw).isdigit() or int(raw) < 1:
            raise NotReady(
                f"{variable if config.env(variable) else 'REPLICAS'} must be a whole number of at least 1, not {raw!r}"
            )
        counts[name] = int(raw)
    return counts


def replica_names(name, count):
    return [f"{name}.{i}" for i in range(1, count + 1)]


def gateway_replica_env(env, count):
    """Gateway replicas on one machine share its port: SO_REUSEPORT, the kernel spreads connections."""
    return dict(env, GATEWAY_REUSE_PORT="1") if count > 1 else env


class LocalSystem:
    """The named services and the gateway, each its own process, as `make up` runs them,
    plus a local S3 server unless one is given. Databases must exist and be migrated.

    `replicas` is a count for every service and the gateway, or {name: count}; each replica
    is a process named `<name>.<n>` under a `Supervisor` that restarts it whenever it exits.
    Gateway replicas share one port (SO_REUSEPORT, which eventlet sets on Linux), each
    service replica serves its probes and metrics on a port of its own (`health_urls`).
    """

    def __init__(self, log_dir, services, s3_url=None, ready_path="/readyz", replicas=1, **env):
        self.log_dir = Path(log_dir)
        self.services = list(services)
        self.s3_url = s3_url
        self.ready_path = ready_path
        self.replicas = replicas
        self.env = env
        self.supervisor = Supervisor(ROOT, say=self._say)
        self.health_urls = {}
        self.metrics_urls = {}
        self.base_url = None

    @property
    def processes(self):
        return self.supervisor.processes

    def replica_count(self, name):
        return self.replicas.get(name, 1) if isinstance(self.replicas, dict) else self.replicas

    def replicas_of(self, name):
        return replica_names(name, self.replica_count(name))

    def start(self):
        declare_event_queues(self.services, config.amqp_uri())
        if self.s3_url is None:
            s3_port = free_port()
            self.s3_url = f"http://127.0.0.1:{s3_port}"
            self.supervisor.add("s3", s3_command(s3_port), base_env(), self.log_dir / "s3.log")
        self.supervisor.start()
        if "s3" in self.processes:
            wait_s3(self.s3_url)
        port = free_port()
        env = base_env(S3_ENDPOINT_URL=self.s3_url, GATEWAY_PORT=port, **self.env)
        for name in self.services:
            for replica in self.replicas_of(name):
                metrics_port = free_port()
                self.health_urls[replica] = f"http://127.0.0.1:{metrics_port}"
                self.metrics_urls.setdefault(name, f"http://127.0.0.1:{metrics_port}/metrics")
                self.supervisor.add(
                    replica,
                    service_command(name),
                    dict(env, METRICS_PORT=str(metrics_port)),
                    self.log_dir / f"{replica}.log",
                )
        gateway_env = gateway_replica_env(env, self.replica_count("gateway"))
        for replica in self.replicas_of("gateway"):
            self.supervisor.add(replica, service_command("gateway"), gateway_env, self.log_dir / f"{replica}.log")
        self.base_url = f"http://127.0.0.1:{port}"
        try:
            for url in self.health_urls.values():
                wait_http(url + "/readyz", timeout=60)
            wait_http(self.base_url + self.ready_path, timeout=60)
        except NotReady:
            self.stop()
            for name in self.processes:
                print(f"--- {name} log ---\n" + self.logs(name)[-3000:])
            raise
        return self

    def stop(self):
        self.supervisor.stop()

    def logs(self, name):
        return (self.log_dir / f"{name}.log").read_text(errors="replace")

    def _say(self, line):
        with open(self.log_dir / "supervisor.log", "a") as out:
            out.write(f"{time.strftime('%H:%M:%S')} {line}\n")


class Throwaway:
    """For benchmarks: `with Throwaway("bench") as sut:` runs the whole system on databases,
    a vhost and a bucket made for it, and removes them afterwards."""

    def __init__(self, prefix, services=None, ready_path="/readyz", replicas=1):
        self.vhost = isolate(prefix)
        self.services = services or migrate.existing_services()
        self.log_dir = Path(tempfile.mkdtemp(prefix=f"jx-{prefix}-"))
        self.system = LocalSystem(self.log_dir, self.services, ready_path=ready_path, replicas=replicas)

    def __enter__(self):
        check_postgres()
        check_rabbitmq()
        add_vhost(self.vhost)
        migrate.migrate_all(self.services)
        return self.system.start()

    def __exit__(self, *exc):
        self.system.stop()
        for name in self.services:
            migrate.drop_database(name)
        delete_vhost(self.vhost)
        print(f"(service logs in {self.log_dir})")
