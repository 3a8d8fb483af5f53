"""Identity's SQL."""

import uuid
import zlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.rows import DictRow

from common import clock, db, deadletters, errors
from common.db import Pool, Row
from common.paging import offset
from contracts.vocabulary import STAFF_ROLES
from services.identity import domain

STAFF = list(STAFF_ROLES)
CONSUMER = "identity"


class IdentityStore:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self._installation: str | None = None

    # ---- users ------------------------------------------------------------------------------

    def create_user(
        self,
        username: str,
        password_hash: str,
        real_name: str,
        roles: Sequence[str],
        id_number: str | None = None,
        phone: str | None = None,
        jurisdiction: Mapping[str, Any] | None = None,
        audit: Callable[[uuid.UUID], domain.AuditEntry] | None = None,
    ) -> Row:
        """The new user's row; `audit(user_id)` gives the entry recorded in the same transaction."""
        jurisdiction = jurisdiction or {}
        user_id = uuid.uuid4()
        try:
            with self.pool.connection() as conn, conn.transaction():
                row = conn.execute(
                    """INSERT INTO users (user_id, username, password_hash, real_name, id_number, phone,
                                          roles, jurisdiction_city, jurisdiction_county)
                       VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING *""",
                    (
                        user_id,
                        username,
                        password_hash,
                        real_name,
                        id_number,
                        phone,
                        list(roles),
                        jurisdiction.get("city_code"),
                        jurisdiction.get("county_code"),
                    ),
                ).fetchone()
                assert row is not None  # INSERT ... RETURNING gives the row
                if audit is not None:
                    _append_audit(conn, audit(user_id))
                return row
        except pg_errors.UniqueViolation as exc:
            if exc.diag.constraint_name == "users_id_number_key":
                raise errors.Conflict(
                    "该身份证号码已注册", {"id_number": ["该身份证号码已注册"]}, code="ID_NUMBER_TAKEN"
                ) from None
            raise errors.Conflict("用户名已被占用", {"username": ["用户名已被占用"]}, code="USERNAME_TAKEN") from None

    def user_by_username(self, username: str) -> Row | None:
        with db.reading(self.pool) as conn:
            return conn.execute("SELECT * FROM users WHERE lower(username) = lower(%s)", (username,)).fetchone()

    def user_by_id(self, user_id: object) -> Row | None:
        with db.reading(self.pool) as conn:
            return conn.execute("SELECT * FROM users WHERE user_id = %s", (user_id,)).fetchone()

    def staff_page(self, role: str | None, page: int, page_size: int) -> tuple[list[Row], int]:
        roles = [role] if role else STAFF
        with self.pool.connection() as conn:
            total = _count(conn, "SELECT count(*) AS n FROM users WHERE roles && %s", (roles,))
            rows = conn.execute(
                "SELECT * FROM users WHERE roles && %s ORDER BY created_at, user_id LIMIT %s OFFSET %s",
                (roles, page_size, offset(page, page_size)),
            ).fetchall()
        return rows, total

    # ---- sessions -------------------------------------------------------------------------------

    def installation_id(self) -> str:
        """Read once: the migration inserts the one row and nothing changes it."""
        if self._installation is None:
            with db.reading(self.pool) as conn:
                row = conn.execute("SELECT installation_id FROM installation").fetchone()
            assert row is not None
            self._installation = str(row["installation_id"])
        return self._installation

    def change_password(self, user_id: object, old_hash: str, new_hash: str, audit: domain.AuditEntry) -> Row | None:
        """Replace the hash the caller verified against and revoke every earlier token; None when
        the password changed meanwhile (the verified one is no longer current)."""
        with self.pool.connection() as conn, conn.transaction():
            row = conn.execute(
                """UPDATE users SET password_hash = %s, session_generation = session_generation + 1
                   WHERE user_id = %s AND password_hash = %s RETURNING *""",
                (new_hash, user_id, old_hash),
            ).fetchone()
            if row is not None:
                _append_audit(conn, audit)
            return row

    def rehash_password(self, user_id: object, old_hash: str, new_hash: str) -> bool:
        """Store the same password's hash made with today's parameters; tokens stay valid. False
        when the password changed meanwhile: that change wins."""
        with self.pool.connection() as conn:
            return (
                conn.execute(
                    "UPDATE users SET password_hash = %s WHERE user_id = %s AND password_hash = %s",
                    (new_hash, user_id, old_hash),
                ).rowcount
                == 1
            )

    def set_disabled(self, user_id: object, disabled: bool, audit: domain.AuditEntry) -> tuple[Row, bool] | None:
        """(row, changed) for a staff account, None for any other id. Disabling revokes its tokens."""
        with self.pool.connection() as conn, conn.transaction():
            row = conn.execute(
                "SELECT * FROM users WHERE user_id = %s AND roles && %s FOR UPDATE", (user_id, STAFF)
            ).fetchone()
            if row is None:
                return None
            if row["disabled"] == disabled:
                return row, False
            changed = conn.execute(
                """UPDATE users SET disabled = %s,
                          session_generation = session_generation + CASE WHEN %s THEN 1 ELSE 0 END
                   WHERE user_id = %s RETURNING *""",
                (disabled, disabled, user_id),
            ).fetchone()
            assert changed is not None  # the row is locked FOR UPDATE above
            _append_audit(conn, audit)
            return changed, True

    def revoke_token(self, jti: str, user_id: str, expires_at: datetime) -> None:
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO revoked_tokens VALUES (%s, %s, %s) ON CONFLICT DO NOTHING", (jti, user_id, expires_at)
            )

    def revocations(self) -> tuple[dict[str, int], dict[str, datetime]]:
        """Everything a gateway needs to refuse revoked tokens: generations above 0, live logged-out tokens."""
        with self.pool.connection() as conn:
            generations = conn.execute(
                "SELECT user_id, session_generation FROM users WHERE session_generation > 0"
            ).fetchall()
            tokens = conn.execute("SELECT jti, expires_at FROM revoked_tokens WHERE expires_at > now()").fetchall()
        return (
            {str(r["user_id"]): r["session_generation"] for r in generations},
            {str(r["jti"]): r["expires_at"] for r in tokens},
        )

    # ---- login lockout --------------------------------------------------------------------------

    def reserve_attempt(
        self, username: str, address: str, now: datetime, decide: Callable[[domain.LoginLoad], int]
    ) -> tuple[uuid.UUID | None, int]:
        """(attempt id, 0) when `decide(domain.LoginLoad)` lets this attempt check a password, else
        (None, seconds refused). Reserving under the username's lock is what keeps concurrent
        guesses from all reading a count below the limit."""
        key = username.lower()
        # Pipelined: the lock and every read go out together and come back in one round trip
        # (under load each round trip waits for a core); the lock is still taken before the reads.
        # The transaction commits as the block ends (rolls back if it raises), like finish_attempt's.
        with self.pool.connection() as conn, conn.pipeline():
            _lock_username(conn, key)
            conn.execute(
                "DELETE FROM login_attempts WHERE username_key = %s AND started_at < %s",
                (key, now - domain.ATTEMPT_TIMEOUT),
            )
            guard = conn.execute("SELECT * FROM login_guards WHERE username_key = %s AND address = %s", (key, address))
            here = conn.execute(
                "SELECT count(*) AS n FROM login_attempts WHERE username_key = %s AND address = %s", (key, address)
            )
            everywhere = conn.execute("SELECT count(*) AS n FROM login_attempts WHERE username_key = %s", (key,))
            failures = conn.execute(FAILURES_IN_WINDOW, (key, now - domain.FAILURE_WINDOW))
            lock = conn.execute("SELECT locked_until FROM login_username_locks WHERE username_key = %s", (key,))
            locked = lock.fetchone()
            seconds = decide(
                domain.LoginLoad(
                    _guard(guard.fetchone()),
                    _n(here),
                    _n(failures),
                    _n(everywhere),
                    locked["locked_until"] if locked else None,
                )
            )
            if seconds:
                return None, seconds
            attempt_id = uuid.uuid4()
            conn.execute("INSERT INTO login_attempts VALUES (%s, %s, %s, %s)", (attempt_id, key, address, now))
            return attempt_id, 0

    def finish_attempt(
        self, attempt_id: uuid.UUID | None, username: str, address: str, succeeded: bool | None, now: datetime
    ) -> None:
        """Release the reserved slot and count the outcome: a success clears this address's count,
        a failure adds to it and to the username's sliding count; None (the check itself failed)
        counts nothing."""
        key = username.lower()
        with self.pool.connection() as conn, conn.pipeline():
            _lock_username(conn, key)
            conn.execute("DELETE FROM login_attempts WHERE attempt_id = %s", (attempt_id,))
            if succeeded is None:
                return
            if succeeded:
                conn.execute("DELETE FROM login_guards WHERE username_key = %s AND address = %s", (key, address))
                return
            row = conn.execute(
                "SELECT * FROM login_guards WHERE username_key = %s AND address = %s", (key, address)
            ).fetchone()
            guard = domain.after_failure(_guard(row), now)
            conn.execute(
                """INSERT INTO login_guards VALUES (%s, %s, %s, %s, %s)
                   ON CONFLICT (username_key, address) DO UPDATE
                   SET failures = EXCLUDED.failures, window_started = EXCLUDED.window_started,
                       locked_until = EXCLUDED.locked_until""",
                (key, address, guard.failures, guard.window_started, guard.locked_until),
            )
            conn.execute("INSERT INTO login_failure_log VALUES (%s, %s)", (key, now))
            until = domain.username_locked_until(_failures_in_window(conn, key, now), now)
            if until:
                conn.execute(
                    """INSERT INTO login_username_locks VALUES (%s, %s) ON CONFLICT (username_key)
                       DO UPDATE SET locked_until = GREATEST(login_username_locks.locked_until, EXCLUDED.locked_until)""",
                    (key, until),
                )

    def purge_login_records(self, now: datetime) -> None:
        """Lockout rows that no longer decide anything (failure windows and locks past)."""
        stale = now - max(domain.FAILURE_WINDOW, domain.LOCKOUT)
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("DELETE FROM login_failure_log WHERE failed_at < %s", (now - domain.FAILURE_WINDOW,))
            conn.execute("DELETE FROM login_username_locks WHERE locked_until < %s", (now,))
            conn.execute("DELETE FROM login_attempts WHERE started_at < %s", (now - domain.ATTEMPT_TIMEOUT,))
            conn.execute(
                """DELETE FROM login_guards WHERE window_started < %s
                            AND (locked_until IS NULL OR locked_until < %s)""",
                (stale, now),
            )
            conn.execute("DELETE FROM revoked_tokens WHERE expires_at < %s", (now,))

    # ---- audit ----------------------------------------------------------------------------------

    def record_audit(self, entry: domain.AuditEntry) -> None:
        with self.pool.connection() as conn, conn.transaction():
            _append_audit(conn, entry)

    def record_decision(self, entry: domain.AuditEntry) -> bool:
        """False when this entry's event was recorded before (a redelivery). The audit needs no
        stream order, only each event once, so new event types never hold older ones back."""
        with self.pool.connection() as conn, conn.transaction():
            return _append_audit(conn, entry)

    def record_case_number(self, application_id: str, case_number: str) -> None:
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO case_numbers VALUES (%s, %s) ON CONFLICT DO NOTHING", (application_id, case_number)
            )

    def refresh_parked_metric(self) -> int:
        with self.pool.connection() as conn:
            return deadletters.update_metrics(conn, CONSUMER)

    def audit_page(
        self, actor_id: object, action: str | None, application_id: object, month: str | None, page: int, page_size: int
    ) -> tuple[list[Row], int]:
        where: list[str] = []
        params: dict[str, Any] = {}
        if actor_id:
            where.append("a.actor_id = %(actor)s")
            params["actor"] = actor_id
        if action:
            where.append("a.action = %(action)s")
            params["action"] = action
        if application_id:
            where.append("a.application_id = %(application)s")
            params["application"] = application_id
        if month:
            where.append("a.at >= %(start)s AND a.at < %(end)s")
            params["start"], params["end"] = clock.month_range(month)
        condition = ("WHERE " + " AND ".join(where)) if where else ""
        with self.pool.connection() as conn:
            total = _count(conn, f"SELECT count(*) AS n FROM audit a {condition}", params)
            rows = conn.execute(
                f"""SELECT a.*, COALESCE(a.case_number, c.case_number) AS shown_case_number
                    FROM audit a LEFT JOIN case_numbers c USING (application_id) {condition}
                    ORDER BY a.at DESC, a.audit_id DESC LIMIT %(limit)s OFFSET %(offset)s""",
                {**params, "limit": page_size, "offset": offset(page, page_size)},
            ).fetchall()
        return rows, total


def _append_audit(conn: psycopg.Connection[DictRow], entry: domain.AuditEntry) -> bool:
    """Insert one audit entry inside the caller's transaction; False if its event was recorded before."""
    return (
        conn.execute(
            """INSERT INTO audit (at, actor_id, actor_username, actor_roles, action, application_id, case_number,
                              attachment_id, target_user_id, request_id, event_id)
           VALUES (COALESCE(%s, now()), %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
           ON CONFLICT (event_id) DO NOTHING""",
            (
                entry.at,
                entry.actor_id,
                entry.actor_username,
                list(entry.actor_roles),
                entry.action,
                entry.application_id,
                entry.case_number,
                entry.attachment_id,
                entry.target_user_id,
                entry.request_id,
                entry.event_id,
            ),
        ).rowcount
        == 1
    )


def _lock_username(conn: psycopg.Connection[DictRow], key: str) -> None:
    # Serialises the lockout bookkeeping of one username; held for a few statements, never
    # across the password check. A hash collision only makes two usernames take turns.
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (zlib.crc32(b"login:" + key.encode()),))


def _guard(row: Row | None) -> domain.Guard:
    if row is None:
        return domain.Guard()
    return domain.Guard(row["failures"], row["window_started"], row["locked_until"])


def _count(conn: psycopg.Connection[DictRow], query: Any, params: Sequence[Any] | Mapping[str, Any]) -> int:
    return _n(conn.execute(query, params))


FAILURES_IN_WINDOW = "SELECT count(*) AS n FROM login_failure_log WHERE username_key = %s AND failed_at > %s"


def _n(cursor: psycopg.Cursor[DictRow]) -> int:
    row = cursor.fetchone()
    assert row is not None  # count(*) always answers
    return int(row["n"])


def _failures_in_window(conn: psycopg.Connection[DictRow], key: str, now: datetime) -> int:
    return _n(conn.execute(FAILURES_IN_WINDOW, (key, now - domain.FAILURE_WINDOW)))
