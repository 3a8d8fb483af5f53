"""Import boundaries: contracts load without any service's internals or a framework; the gateway
and each service reach other services only through contracts."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = sorted(p.stem for p in (ROOT / "contracts").glob("*.py") if p.stem != "__init__")
FORBIDDEN = ("services", "gateway", "nameko", "psycopg", "psycopg_pool", "boto3", "botocore", "eventlet", "argon2")


def loaded_by(*modules):
    """Every module a fresh interpreter has loaded after importing `modules` (this test process
    has long since imported the services)."""
    script = (
        f"import importlib, json, sys\nfor name in {list(modules)!r}:\n    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_contracts_import_no_service_gateway_or_framework_code():
    loaded = loaded_by(*(f"contracts.{name}" for name in CONTRACTS))
    assert [m for m in loaded if m.split(".")[0] in FORBIDDEN] == []
    assert {"contracts.applications", "contracts.favorites", "contracts.identity", "contracts.postings"} <= set(loaded)


def test_the_gateway_imports_no_service_code():
    assert [m for m in loaded_by("gateway.service") if m.split(".")[0] == "services"] == []


def test_a_service_imports_no_other_services_code():
    for service in ("identity", "applications", "postings", "favorites"):
        others = [
            m
            for m in loaded_by(f"services.{service}.service")
            if m.startswith("services.") and m.split(".")[1] != service
        ]
        assert others == [], service
