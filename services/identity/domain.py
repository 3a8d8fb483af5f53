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
from common.clock import SHANGHAI
from common.validators import mask_id_number, mask_phone

#: Consecutive failures of one username from one address before that address is locked out.
MAX_ADDRESS_FAILURES = 5
#: Failures of one username from all addresses within the window before it is locked for everyone.
MAX_USERNAME_FAILURES = 50
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
#: A reserved password check older than this died with its process and no longer holds a slot.
ATTEMPT_TIMEOUT = timedelta(seconds=60)

# Argon2id at the OWASP Password Storage Cheat Sheet's first configuration (19 MiB, 2 passes,
# 1 lane): about 17 ms of CPU per hash here against 150 ms for argon2-cffi's defaults (64 MiB,
# 3 passes, 4 lanes), which made logins crowd out every other request. Online guessing is
# bounded by the lockout below, not by the hash's cost.
HASH_MEMORY_KIB = 19456
HASH_TIME_COST = 2
HASH_PARALLELISM = 1

_hasher = PasswordHasher(time_cost=HASH_TIME_COST, memory_cost=HASH_MEMORY_KIB, parallelism=HASH_PARALLELISM)
# Verified against when the username is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a hash that just verified was made with other parameters than today's (every
    account hashed before they changed): the login that proved the password rehashes it."""
    return _hasher.check_needs_rehash(password_hash)


@dataclass(frozen=True)
class Guard:
    """One username's consecutive failures from one client address."""

    failures: int = 0
    window_started: datetime | None = None
    locked_until: datetime | None = None


@dataclass(frozen=True)
class LoginLoad:
    """What the lockout decision needs, read under the username's lock."""

    guard: Guard  # this username from this address
    in_flight_here: int  # password checks running for this username from this address
    username_failures: int  # failures of this username from all addresses within the window
    in_flight_everywhere: int  # password checks running for this username from all addresses
    username_locked_until: datetime | None


def _seconds_until(instant: datetime, now: datetime) -> int:
    return max(1, int((instant - now).total_seconds() + 0.999))


def current_failures(guard: Guard, now: datetime) -> int:
    """Failures still counting: the window closes 15 minutes after its first failure."""
    if guard.window_started is None or now - guard.window_started > FAILURE_WINDOW:
        return 0
    return guard.failures


def refusal(load: LoginLoad, now: datetime) -> int:
    """Seconds this login attempt is refused for (429 with Retry-After), or 0 to check the password.

    Attempts already in flight count as failures until they finish, so at most
    MAX_ADDRESS_FAILURES passwords are checked per address however many guesses race.
    """
    for until in (load.username_locked_until, load.guard.locked_until):
        if until and until > now:
            return _seconds_until(until, now)
    if current_failures(load.guard, now) + load.in_flight_here >= MAX_ADDRESS_FAILURES:
        return int(LOCKOUT.total_seconds())
    if load.username_failures + load.in_flight_everywhere >= MAX_USERNAME_FAILURES:
        return int(LOCKOUT.total_seconds())
    return 0


def after_failure(guard: Guard, now: datetime) -> Guard:
    """The guard after one more wrong password; the 5th consecutive one locks this address out."""
    failures = current_failures(guard, now)
    started = guard.window_started if failures else now
    failures += 1
    locked_until = now + LOCKOUT if failures >= MAX_ADDRESS_FAILURES else None
    return Guard(failures, started, locked_until)


def username_locked_until(failures_in_window: int, now: datetime) -> datetime | None:
    """The lock for every address once the username's failures reach the ceiling, else None."""
    return now + LOCKOUT if failures_in_window >= MAX_USERNAME_FAILURES else None


def rate_limited(seconds: int) -> errors.RateLimited:
    return errors.RateLimited(f"登录失败次数过多，请{(seconds + 59) // 60}分钟后再试", details={"retry_after": seconds})


def login_refused_for(row: Mapping[str, Any] | None) -> bool:
    """A disabled account's login fails like a wrong password: the answer reveals nothing."""
    return row is None or bool(row["disabled"])


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


def staff_account(row: Mapping[str, Any]) -> dict[str, Any]:
    """A staff account as the admin list shows it."""
    return {**public_user(row), "disabled": row["disabled"]}


def require_admin(actor: Mapping[str, Any]) -> None:
    if "admin" not in actor.get("roles", ()):
        raise errors.Forbidden()


def check_can_disable(actor: Mapping[str, Any], target_id: object) -> None:
    if str(actor["user_id"]) == str(target_id):
        raise errors.Conflict("不能停用自己的账号", code="CANNOT_DISABLE_SELF")


def check_current_password(matches: bool) -> None:
    if not matches:
        raise errors.InvalidInput.field("current_password", "当前密码不正确")


# ---- audit trail -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditEntry:
    """One audit record; every id is optional, and no ID number or phone has a place here."""

    action: str
    actor_id: str | None = None
    actor_username: str | None = None
    actor_roles: tuple[str, ...] = ()
    application_id: str | None = None
    case_number: str | None = None
    attachment_id: str | None = None
    target_user_id: str | None = None
    request_id: str | None = None
    at: datetime | None = None  # None: the recording transaction's time
    event_id: str | None = None  # the integration event it came from


def account_entry(
    action: str, actor: Mapping[str, Any] | None, target_user_id: object, request_id: str | None
) -> AuditEntry:
    """An account change by `actor` (None: an operator at the command line)."""
    actor = actor or {}
    return AuditEntry(
        action,
        actor_id=_str(actor.get("user_id")),
        actor_username=actor.get("username"),
        actor_roles=tuple(actor.get("roles", ())),
        target_user_id=str(target_user_id),
        request_id=request_id,
    )


def read_entry(data: Mapping[str, Any], request_id: str | None) -> AuditEntry:
    """A staff read reported by another service (validated by the record_audit schema)."""
    actor = data["actor"]
    return AuditEntry(
        data["action"],
        actor_id=str(actor["user_id"]),
        actor_username=actor["username"],
        actor_roles=tuple(actor["roles"]),
        application_id=_str(data.get("application_id")),
        case_number=data.get("case_number"),
        attachment_id=_str(data.get("attachment_id")),
        request_id=request_id,
    )


def decision_entry(
    action: str, event: Mapping[str, Any], reviewer: Mapping[str, Any] | None, request_id: str | None
) -> AuditEntry:
    """A decision from applications' event of that name; `reviewer` is the deciding user's row (or None)."""
    return AuditEntry(
        action,
        actor_id=str(event["reviewer_id"]),
        actor_username=reviewer["username"] if reviewer else None,
        actor_roles=tuple(reviewer["roles"]) if reviewer else (),
        application_id=str(event["application_id"]),
        at=datetime.fromisoformat(event["occurred_at"]),
        request_id=request_id,
        event_id=str(event["event_id"]),
    )


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def audit_view(row: Mapping[str, Any]) -> dict[str, Any]:
    """An audit record as GET /api/v1/admin/audit lists it (unused keys null)."""
    return {
        "at": row["at"].astimezone(SHANGHAI).isoformat(timespec="milliseconds"),
        "actor_id": _str(row["actor_id"]),
        "actor_username": row["actor_username"],
        "actor_roles": list(row["actor_roles"]),
        "action": row["action"],
        "application_id": _str(row["application_id"]),
        "case_number": row["shown_case_number"],
        "attachment_id": _str(row["attachment_id"]),
        "target_user_id": _str(row["target_user_id"]),
        "request_id": row["request_id"],
    }
