"""PostgreSQL connection pools, one per service process."""
import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from common import config


def create_pool(service, max_size=None, min_size=1, name=None):
    size = max_size or config.pool_size()
    pool = ConnectionPool(
        config.database_url(service),
        min_size=min(min_size, size),
        max_size=size,
        kwargs={"row_factory": dict_row, "autocommit": False},
        name=name or service,
        timeout=10,
        open=False,
    )
    pool.open(wait=True, timeout=10)
    return pool


def connect(service, **kwargs):
    """A single connection outside a pool, for commands and tests."""
    return psycopg.connect(config.database_url(service), row_factory=dict_row, **kwargs)
