"""Operator tool: `python -m services.identity.cli create-admin --username NAME --real-name 名字`.

The password is read from the terminal (or env ADMIN_PASSWORD for scripts) and
never appears on the command line.
"""

import argparse
import getpass
import os
import sys

from common import db, errors, migrate, validation
from contracts import identity as schemas
from services.identity import domain
from services.identity.store import IdentityStore


def create_staff(store, username, password, real_name, roles, jurisdiction=None):
    data = validation.load(
        schemas.StaffUserSchema(),
        {
            "username": username,
            "password": password,
            "real_name": real_name,
            "roles": roles,
            "jurisdiction": jurisdiction,
        },
    )
    # No actor: an operator at the command line (or make up's demo seeding).
    row = store.create_user(
        data["username"],
        domain.hash_password(data["password"]),
        data["real_name"],
        data["roles"],
        jurisdiction=data["jurisdiction"],
        audit=lambda user_id: domain.account_entry("user_created", None, user_id, None),
    )
    return domain.public_user(row)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="services.identity.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create-admin", help="create the first administrator account")
    create.add_argument("--username", required=True)
    create.add_argument("--real-name", required=True)
    args = parser.parse_args(argv)

    password = os.environ.get("ADMIN_PASSWORD") or getpass.getpass("Password: ")
    migrate.migrate("identity")
    pool = db.create_pool("identity", max_size=1)
    try:
        user = create_staff(IdentityStore(pool), args.username, password, args.real_name, ["admin"])
    except errors.ServiceError as exc:
        print(f"error: {exc.message} {exc.details}", file=sys.stderr)
        return 1
    finally:
        pool.close()
    print(f"created admin {user['username']} ({user['user_id']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
