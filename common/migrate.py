"""Create each service's database and apply its versioned SQL migrations."""

from collections.abc import Sequence
from pathlib import Path

import psycopg
from psycopg import sql
from yoyo import get_backend, read_migrations

from common import config

ROOT = Path(__file__).resolve().parent.parent


def migrations_dir(service: str) -> Path:
    return ROOT / "services" / service / "migrations"


def create_database(service: str) -> None:
    name = config.database_name(service)
    with psycopg.connect(config.admin_database_url(service), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(service: str) -> None:
    name = config.database_name(service)
    with psycopg.connect(config.admin_database_url(service), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def yoyo_url(service: str) -> str:
    # yoyo picks its driver from the scheme; postgresql+psycopg is psycopg 3.
    return config.database_url(service).replace("postgresql://", "postgresql+psycopg://", 1)


def migrate(service: str) -> None:
    create_database(service)
    backend = get_backend(yoyo_url(service))
    migrations = read_migrations(str(migrations_dir(service)))
    with backend.lock():
        backend.apply_migrations(backend.to_apply(migrations))


def migrate_all(services: Sequence[str] | None = None) -> None:
    for service in services or existing_services():
        migrate(service)


def existing_services() -> list[str]:
    return [s for s in config.SERVICES if migrations_dir(s).is_dir()]


if __name__ == "__main__":
    import sys

    # The release step (deploy/migrate.py): migrations, then every consumer's durable event queues.
    from deploy.migrate import main

    main(sys.argv[1:])
