"""Schemathesis (pinned in requirements) against /api/openapi.json with all its checks: no 500,
documented status codes only, schema-valid requests accepted, responses that conform to their
schemas, `Allow` on 405; its stateful phase follows the document's links (create -> read -> act).
A bounded number of examples per operation keeps it near a minute; `benchmarks/schemathesis_long.py`
runs it longer."""

import os
import subprocess
import sys
from pathlib import Path

from deploy.system import ROOT

MAX_EXAMPLES = 10
SEED = 20261201
#: Operations that end the session under test (logout always, a password change when it succeeds)
#: and whose wrong-password answer is a 400 no schema can foresee; tests/e2e/test_sessions.py proves them.
EXCLUDED_PATHS = ("/api/v1/auth/logout", "/api/v1/me/password")


def run_schemathesis(base_url, token, max_examples, seed, report_dir):
    """The CLI run; returns (exit code, its output)."""
    command = [
        str(Path(sys.executable).parent / "st"),
        "run",
        f"{base_url}/api/openapi.json",
        "--url",
        base_url,
        "--checks",
        "all",
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--header",
        f"Authorization: Bearer {token}",
        "--request-timeout",
        "30",
        "--no-color",
        "--generation-database",
        "none",
        "--report",
        "junit",
        "--report-dir",
        str(report_dir),
        *[arg for path in EXCLUDED_PATHS for arg in ("--exclude-path", path)],
    ]
    env = dict(os.environ, SCHEMATHESIS_HOOKS="tests.e2e.schemathesis_hooks", PYTHONPATH=str(ROOT))
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600 + 120 * max_examples)
    return done.returncode, done.stdout + done.stderr


def error_lines(log_dir):
    """The services' error log lines, to explain a 500 beside schemathesis' report."""
    return [
        line
        for path in sorted(Path(log_dir).glob("*.log"))
        for line in path.read_text(errors="replace").splitlines()
        if '"level": "error"' in line
    ]


def test_schemathesis_finds_nothing(system, reviewer, tmp_path):
    code, output = run_schemathesis(system.base_url, reviewer.token, MAX_EXAMPLES, SEED, tmp_path)
    assert code == 0, output[-20000:] + "\n".join(error_lines(system.log_dir)[-20:])
