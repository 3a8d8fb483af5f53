"""The installation's token-signing secret for `make up`: generated once, kept outside git, reused.

With `JWT_SECRET` set, that value is used as it is. Otherwise the secret lives in
`var/jwt_secret` (gitignored; `JX_STATE_DIR` moves it), created with mode 0600 on the
first start and read on every later one, so tokens survive a restart.
"""

import os
import secrets
import stat
import tempfile
from pathlib import Path

from common import config
from deploy.system import ROOT, NotReady

SECRET_FILE = "jwt_secret"


def state_dir():
    return Path(config.env("JX_STATE_DIR", str(ROOT / "var")))


def installation_secret(directory):
    """The secret kept in `directory`, created on first use (random, readable by the owner only)."""
    directory = Path(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / SECRET_FILE
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".jwt_secret.")  # mkstemp creates it 0600
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48) + "\n")
            try:
                os.link(tmp, path)  # atomic and never overwrites: a concurrent first start keeps one secret
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise NotReady(f"{path} is readable by others; run: chmod 600 {path}")
    return path.read_text().strip()


def provide_jwt_secret(directory=None):
    """Sets JWT_SECRET for this process and the ones it starts; NotReady when it is unusable."""
    if config.env("JWT_SECRET") is None:
        os.environ["JWT_SECRET"] = installation_secret(directory or state_dir())
    try:
        config.jwt_secret()
    except config.ConfigError as exc:
        raise NotReady(str(exc)) from None
