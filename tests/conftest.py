"""Test-run isolation: every run gets its own databases and RabbitMQ vhost,
created on first use and dropped at the end, so runs never collide."""

from common import green

green.patch()

import os  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

RUN_ID = uuid.uuid4().hex[:10]
VHOST = f"jx_test_{RUN_ID}"

os.environ["DB_SUFFIX"] = f"_test_{RUN_ID}"
os.environ["AMQP_URI"] = f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"
os.environ.setdefault("JWT_SECRET", "test-secret-" + RUN_ID + "-0123456789abcdef")
os.environ["S3_BUCKET"] = f"jx-test-{RUN_ID}"

from common import config, migrate  # noqa: E402
from deploy import system  # noqa: E402

LOG_DIR = Path(tempfile.mkdtemp(prefix=f"jx-test-{RUN_ID}-"))


def pytest_sessionfinish(session, exitstatus):
    """Service logs stay for a failed run's post-mortem and go after a green one."""
    if exitstatus == 0:
        shutil.rmtree(LOG_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def amqp_uri():
    """A RabbitMQ vhost of this test run's own."""
    system.check_rabbitmq()
    system.add_vhost(VHOST)
    yield config.amqp_uri()
    system.delete_vhost(VHOST)


@pytest.fixture
def private_vhost(amqp_uri):
    """(name, uri) of a vhost of this test's own: faults injected there reach nothing else."""
    name = f"{VHOST}_{uuid.uuid4().hex[:6]}"
    system.add_vhost(name)
    yield name, f"amqp://guest:guest@127.0.0.1:5672/{name}"
    system.delete_vhost(name)


_migrated = set()


@pytest.fixture(scope="session")
def databases():
    """`databases(service)` creates and migrates that service's database for this run."""
    system.check_postgres()

    def ensure(service):
        if service not in _migrated:
            migrate.migrate(service)
            _migrated.add(service)
        return config.database_url(service)

    yield ensure
    for service in _migrated:
        migrate.drop_database(service)


@pytest.fixture(scope="session")
def s3_endpoint():
    """The local S3-compatible store (deploy.objectstore), one per run; this process and the
    ones it starts hold its credentials."""
    port = system.free_port()
    os.environ.update(system.local_s3_credentials())
    proc = system.start(system.s3_command(port), system.base_env(), LOG_DIR / "s3.log")
    url = f"http://127.0.0.1:{port}"
    try:
        system.wait_s3(url)
        os.environ["S3_ENDPOINT_URL"] = url
        yield url
    finally:
        system.stop([proc])


@pytest.fixture(scope="session")
def system_under_test(amqp_uri, databases, s3_endpoint):
    """Every service that exists plus the gateway, each its own process, as `make up` runs them."""
    names = migrate.existing_services()
    for name in names:
        databases(name)
    running = system.LocalSystem(
        LOG_DIR, names, s3_url=s3_endpoint, RPC_TIMEOUT_SECONDS=os.environ.get("RPC_TIMEOUT_SECONDS", "5")
    ).start()
    yield running
    running.stop()
