"""A longer schemathesis run than `make test` makes (not a test).

    .venv/bin/python -m benchmarks.schemathesis_long [--max-examples 100] [--seed N]

Starts a throwaway system (deploy.system.Throwaway), creates an administrator and a
province-wide reviewer, and runs schemathesis with all its checks as the reviewer against
/api/openapi.json (every phase, stateful links included), with the hooks of
tests/e2e/schemathesis_hooks.py. Prints schemathesis' summary; exits with its code.
"""

import argparse
import sys
import tempfile

import requests

from deploy import system
from tests import factories
from tests.e2e.test_schemathesis import run_schemathesis

PASSWORD = "Bench-2026"


def reviewer_token(base_url):
    admin_name = factories.unique_username("admin")
    system.create_admin(admin_name, PASSWORD)

    def login(username):
        resp = requests.post(
            base_url + "/api/v1/auth/login", json={"username": username, "password": PASSWORD}, timeout=30
        )
        resp.raise_for_status()
        return resp.json()["access_token"]

    reviewer = factories.unique_username("reviewer")
    resp = requests.post(
        base_url + "/api/v1/admin/users",
        timeout=30,
        headers={"Authorization": f"Bearer {login(admin_name)}"},
        json={
            "username": reviewer,
            "password": PASSWORD,
            "real_name": "审核员",
            "roles": ["reviewer"],
            "jurisdiction": None,
        },
    )
    resp.raise_for_status()
    return login(reviewer)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with system.Throwaway("st") as sut:
        code, output = run_schemathesis(
            sut.base_url, reviewer_token(sut.base_url), args.max_examples, args.seed, tempfile.mkdtemp(prefix="jx-st-")
        )
    print(output[-6000:])
    return code


if __name__ == "__main__":
    sys.exit(main())
