"""No signing key in the source: make up's per-installation secret, and processes that refuse a bad one."""

import os
import stat
import subprocess
import sys

import pytest

from common import config
from deploy import secrets
from deploy.system import ROOT, NotReady, base_env

FORMER_DEFAULT = "dev-only-secret-change-me-in-production-0123456789"


def test_the_secret_is_generated_once_private_and_reused(tmp_path):
    first = secrets.installation_secret(tmp_path / "state")
    path = tmp_path / "state" / secrets.SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first.encode()) >= config.MIN_JWT_SECRET_BYTES
    assert secrets.installation_secret(tmp_path / "state") == first
    assert secrets.installation_secret(tmp_path / "other") != first
    assert sorted(p.name for p in (tmp_path / "state").iterdir()) == [secrets.SECRET_FILE]


def test_a_secret_file_others_can_read_is_refused(tmp_path):
    secrets.installation_secret(tmp_path)
    (tmp_path / secrets.SECRET_FILE).chmod(0o644)
    with pytest.raises(NotReady, match="chmod 600"):
        secrets.installation_secret(tmp_path)


def test_make_up_uses_the_file_only_without_jwt_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("JWT_SECRET", raising=False)
    secrets.provide_jwt_secret(tmp_path)
    assert os.environ["JWT_SECRET"] == secrets.installation_secret(tmp_path)
    given = "x" * 40
    monkeypatch.setenv("JWT_SECRET", given)
    secrets.provide_jwt_secret(tmp_path / "unused")
    assert os.environ["JWT_SECRET"] == given and not (tmp_path / "unused").exists()
    monkeypatch.setenv("JWT_SECRET", "short")
    with pytest.raises(NotReady, match="at least 32 bytes"):
        secrets.provide_jwt_secret(tmp_path)


def test_the_former_default_is_nowhere_but_in_the_tests_that_attack_with_it():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for name in tracked.split():
        if not name.startswith("tests/") and (ROOT / name).is_file():
            assert FORMER_DEFAULT not in (ROOT / name).read_text(errors="replace"), name


@pytest.mark.parametrize("secret", [None, "", "too-short-0123456789", "é" * 15])
@pytest.mark.parametrize("process", ["gateway", "identity"])
def test_a_process_refuses_to_start_without_a_long_enough_secret(process, secret):
    env = base_env()
    env.pop("JWT_SECRET", None)
    if secret is not None:
        env["JWT_SECRET"] = secret
    result = subprocess.run(
        [sys.executable, "-m", "deploy.run_service", process],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{process}: JWT_SECRET"), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
