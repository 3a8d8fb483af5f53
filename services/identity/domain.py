"""Identity rules: password hashing, login lockout, masking. Pure: no I/O.

The password policy and staff roles are checked at the boundary (`contracts.identity`).
"""
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from common import errors
from common.validators import mask_id_number, mask_phone

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class FailureRecord:
    failures: int
    window_started: datetime
    locked_until: datetime | None


def locked_for(record: FailureRecord | None, now: datetime) -> int:
    """Seconds the username stays locked, or 0."""
    if record and record.locked_until and record.locked_until > now:
        return max(1, int((record.locked_until - now).total_seconds() + 0.999))
    return 0


def after_failure(record: FailureRecord | None, now: datetime) -> FailureRecord:
    """The record after one more failed login; locks on the 5th failure within the window."""
    if record is None or now - record.window_started > FAILURE_WINDOW or (
            record.locked_until and record.locked_until <= now):
        record = FailureRecord(0, now, None)
    failures = record.failures + 1
    locked_until = now + LOCKOUT if failures >= MAX_FAILURES else None
    return FailureRecord(failures, record.window_started, locked_until)


def rate_limited(seconds: int) -> errors.RateLimited:
    return errors.RateLimited(f"登录失败次数过多，请{(seconds + 59) // 60}分钟后再试",
                              details={"retry_after": seconds})


def public_user(row: Mapping[str, Any]) -> dict[str, Any]:
    """A user as register/login/admin answers show it: no ID number or phone."""
    return {
        "user_id": str(row["user_id"]),
        "username": row["username"],
        "real_name": row["real_name"],
        "roles": list(row["roles"]),
        "jurisdiction": jurisdiction_of(row),
    }


def jurisdiction_of(row: Mapping[str, Any]) -> dict[str, str | None] | None:
    if not row.get("jurisdiction_city"):
        return None
    return {"city_code": row["jurisdiction_city"], "county_code": row["jurisdiction_county"]}


def me(row: Mapping[str, Any]) -> dict[str, Any]:
    """The caller's own details, masked as the contract says."""
    return {
        "user_id": str(row["user_id"]),
        "username": row["username"],
        "real_name": row["real_name"],
        "id_number_masked": mask_id_number(row["id_number"]),
        "phone_masked": mask_phone(row["phone"]),
        "roles": list(row["roles"]),
        "jurisdiction": jurisdiction_of(row),
    }
