"""Contracts cross process boundaries, so they must load without any service's internals or a framework."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = sorted(p.stem for p in (ROOT / "contracts").glob("*.py") if p.stem != "__init__")
FORBIDDEN = ("services", "gateway", "nameko", "psycopg", "psycopg_pool", "boto3", "botocore", "eventlet", "argon2")


def test_contracts_import_no_service_gateway_or_framework_code():
    # A fresh interpreter: this test process has long since imported the services.
    script = (
        "import importlib, json, sys\n"
        f"for name in {CONTRACTS!r}:\n"
        "    importlib.import_module('contracts.' + name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    offending = [m for m in loaded if m.split(".")[0] in FORBIDDEN]
    assert offending == []
    assert {"contracts.applications", "contracts.favorites", "contracts.identity", "contracts.postings"} <= set(loaded)
