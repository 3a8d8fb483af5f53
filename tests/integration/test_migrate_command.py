"""The image's `migrate` command, run as an init container or Job would run it."""

import subprocess
import sys
import uuid

import psycopg
from kombu import Connection

from common import config, migrate
from deploy import system
from tests.conftest import VHOST


def test_migrate_prepares_databases_and_event_queues_and_can_run_again(amqp_uri, monkeypatch):
    suffix = f"_migcmd_{uuid.uuid4().hex[:8]}"
    vhost = f"{VHOST}_migcmd"
    system.add_vhost(vhost)
    uri = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    env = system.base_env(DB_SUFFIX=suffix, AMQP_URI=uri)
    monkeypatch.setenv("DB_SUFFIX", suffix)
    try:
        for _ in range(2):  # a Job retried, or the next release: nothing to do the second time
            done = subprocess.run(
                [sys.executable, "-m", "deploy.entrypoint", "migrate", "favorites"],
                cwd=system.ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, done.stderr
            assert "migrated favorites" in done.stdout
        with psycopg.connect(config.database_url("favorites")) as conn:
            assert conn.execute("SELECT to_regclass('consumer_inbox')").fetchone()[0] == "consumer_inbox"
        with Connection(uri) as conn:
            # passive: raises if the queue does not exist
            conn.default_channel.queue_declare(
                "evt-applications-application_approved--favorites.on_application_approved", passive=True
            )
    finally:
        migrate.drop_database("favorites")
        system.delete_vhost(vhost)
