"""Identity's SQL."""
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from psycopg import errors as pg_errors

from common import errors
from common.db import Pool, Row
from services.identity.domain import FailureRecord


class IdentityStore:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    def create_user(self, username: str, password_hash: str, real_name: str, roles: Sequence[str],
                    id_number: str | None = None, phone: str | None = None,
                    jurisdiction: Mapping[str, Any] | None = None) -> Row:
        jurisdiction = jurisdiction or {}
        try:
            with self.pool.connection() as conn:
                row = conn.execute(
                    """INSERT INTO users (user_id, username, password_hash, real_name, id_number, phone,
                                          roles, jurisdiction_city, jurisdiction_county)
                       VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING *""",
                    (uuid.uuid4(), username, password_hash, real_name, id_number, phone, list(roles),
                     jurisdiction.get("city_code"), jurisdiction.get("county_code")),
                ).fetchone()
                assert row is not None  # INSERT ... RETURNING gives the row
                return row
        except pg_errors.UniqueViolation as exc:
            if exc.diag.constraint_name == "users_id_number_key":
                raise errors.Conflict("该身份证号码已注册", {"id_number": ["该身份证号码已注册"]},
                                      code="ID_NUMBER_TAKEN") from None
            raise errors.Conflict("用户名已被占用", {"username": ["用户名已被占用"]},
                                  code="USERNAME_TAKEN") from None

    def user_by_username(self, username: str) -> Row | None:
        with self.pool.connection() as conn:
            return conn.execute("SELECT * FROM users WHERE lower(username) = lower(%s)", (username,)).fetchone()

    def user_by_id(self, user_id: str) -> Row | None:
        with self.pool.connection() as conn:
            return conn.execute("SELECT * FROM users WHERE user_id = %s", (user_id,)).fetchone()

    def failures(self, username: str) -> FailureRecord | None:
        with self.pool.connection() as conn:
            row = conn.execute("SELECT * FROM login_failures WHERE username_key = lower(%s)",
                               (username,)).fetchone()
        return _record(row)

    def record_failure(self, username: str,
                       update: Callable[[FailureRecord | None], FailureRecord]) -> FailureRecord:
        """Apply `update(record) -> record` under a row lock, so racing failures all count."""
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("INSERT INTO login_failures VALUES (lower(%s), 0, now(), NULL) "
                         "ON CONFLICT DO NOTHING", (username,))
            row = conn.execute("SELECT * FROM login_failures WHERE username_key = lower(%s) FOR UPDATE",
                               (username,)).fetchone()
            current = _record(row) if row and row["failures"] else None
            new = update(current)
            conn.execute("UPDATE login_failures SET failures = %s, window_started = %s, locked_until = %s "
                         "WHERE username_key = lower(%s)",
                         (new.failures, new.window_started, new.locked_until, username))
            return new

    def clear_failures(self, username: str) -> None:
        with self.pool.connection() as conn:
            conn.execute("DELETE FROM login_failures WHERE username_key = lower(%s)", (username,))


def _record(row: Row | None) -> FailureRecord | None:
    if row is None:
        return None
    return FailureRecord(row["failures"], row["window_started"], row["locked_until"])
