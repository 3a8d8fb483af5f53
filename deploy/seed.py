"""Demo data for `make up`: staff accounts, and each service's own sample data."""

import importlib

from common import db, errors
from services.identity.cli import create_staff
from services.identity.store import IdentityStore

DEMO_STAFF = [
    ("demo_reviewer", "演示审核员", ["reviewer"]),
    ("demo_admin", "演示管理员", ["admin"]),
]


def seed_staff(password):
    pool = db.create_pool("identity", max_size=1)
    try:
        store = IdentityStore(pool)
        for username, real_name, roles in DEMO_STAFF:
            if store.user_by_username(username) is None:
                try:
                    create_staff(store, username, password, real_name, roles)
                except errors.Conflict:
                    pass  # created meanwhile by another seeding run
    finally:
        pool.close()


def run(password):
    seed_staff(password)
    for service in ("postings", "applications", "favorites"):
        try:
            module = importlib.import_module(f"services.{service}.seed")
        except ModuleNotFoundError:
            continue
        module.run()
