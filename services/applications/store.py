"""Applications' SQL: the event store appends, the read models, attachments and idempotency.

Commands are orchestrated in `usecases`; here each step is one SQL statement or
two, run on the connection of the use case's transaction (`Transaction`), so
events, read models, attachments and idempotency answers commit together.
"""

import contextlib
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from psycopg import Connection
from psycopg import errors as pg_errors
from psycopg.types.json import Jsonb

from common import clock, db, errors, eventstore, locks
from common.db import Pool, Row
from common.paging import offset
from services.applications import domain

Id = str | uuid.UUID
#: An endpoint's answer as the idempotency records keep it: {"status", "body"}.
Answer = dict[str, Any]

READ_MODEL_TABLES = ("applications",)
ACTIVE = "status IN ('pending', 'approved', 'returned')"
IDEMPOTENCY_HOURS = 24
UNBOUND_UPLOAD_HOURS = 24


# ---- projection (the same function serves live commands and `rebuild`) ---------------------


def project(conn: Connection[Any], event: eventstore.Event) -> None:
    """Apply one stored event's read-model change (`row` of its domain event); other types are not this model's."""
    cls = domain.EVENTS.get(event.type)
    if cls is None:
        return
    apply_change(conn, cls.from_payload(event.payload), event.stream_id, event.stream_version, event.occurred_at)


def apply_change(
    conn: Connection[Any], event: domain.ApplicationEvent, application_id: Id, version: int, occurred_at: datetime
) -> None:
    """The read-model change of `event` at stream `version`, as `project` applies the stored event."""
    change = {
        column: Jsonb(value) if isinstance(value, list) else value for column, value in event.row(occurred_at).items()
    }
    change["version"] = version
    if event.creates:
        change["application_id"] = application_id
        columns = ", ".join(change)
        values = ", ".join(f"%({column})s" for column in change)
        try:
            conn.execute(f"INSERT INTO applications ({columns}) VALUES ({values})", change)
        except pg_errors.UniqueViolation as exc:
            if exc.diag.constraint_name == "applications_one_active":
                raise _active_exists() from None
            raise
        return
    assignments = ", ".join(f"{column} = %({column})s" for column in change)
    conn.execute(
        f"UPDATE applications SET {assignments} WHERE application_id = %(id)s", {**change, "id": application_id}
    )


def _active_exists() -> errors.Conflict:
    return errors.Conflict("您已有未办结或已通过的申请，不能重复申报", code="ACTIVE_APPLICATION_EXISTS")


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class Transaction:
    """The SQL steps of one command, all on one connection inside one transaction (see usecases)."""

    def __init__(self, conn: Connection[Row]) -> None:
        self.conn = conn
        self._started_at: datetime | None = None

    def started_at(self) -> datetime:
        """PostgreSQL's now(), the transaction's start: the `occurred_at` of the events it appends."""
        if self._started_at is None:
            row = self.conn.execute("SELECT now() AS now").fetchone()
            assert row is not None  # a SELECT without FROM gives one row
            self._started_at = row["now"]
        return self._started_at

    # ---- idempotency

    def claim(self, owner_id: Id, scope: str, key: str) -> Row | None:
        """Claim the key in this transaction, or return the answer it already has.

        A concurrent claim of the same key blocks here until that transaction ends;
        then its committed answer is returned (or, if it rolled back, we claim).
        """
        claimed = self.conn.execute(
            """INSERT INTO idempotency_keys (owner_id, scope, key) VALUES (%s, %s, %s)
               ON CONFLICT (owner_id, scope, key) DO UPDATE SET status = NULL, body = NULL, created_at = now()
                   WHERE idempotency_keys.created_at <= now() - make_interval(hours => %s)
               RETURNING 1""",
            (owner_id, scope, key, IDEMPOTENCY_HOURS),
        ).fetchone()
        if claimed:
            return None
        return self.conn.execute(
            "SELECT status, body FROM idempotency_keys WHERE owner_id = %s AND scope = %s AND key = %s",
            (owner_id, scope, key),
        ).fetchone()

    def remember(self, owner_id: Id, scope: str, key: str, answer: Answer) -> None:
        self.conn.execute(
            "UPDATE idempotency_keys SET status = %s, body = %s WHERE owner_id = %s AND scope = %s AND key = %s",
            (answer["status"], Jsonb(answer["body"]), owner_id, scope, key),
        )

    # ---- cases

    def lock_person(self, owner_id: Id) -> None:
        """Serialise this person's submissions (transaction-scoped advisory lock)."""
        # An accidental hash collision only serialises two people.
        locks.transaction_lock(self.conn, locks.APPLICANT, owner_id)

    def active_case(self, owner_id: Id) -> Row | None:
        return self.conn.execute(
            f"SELECT application_id, case_number FROM applications WHERE applicant_id = %s AND {ACTIVE}", (owner_id,)
        ).fetchone()

    def attachments(self, attachment_ids: Iterable[Id]) -> dict[str, Row]:
        """{id: row} of the named uploads, locked until commit."""
        rows = self.conn.execute(
            "SELECT * FROM attachments WHERE attachment_id = ANY(%s) ORDER BY attachment_id FOR UPDATE",
            ([str(a) for a in attachment_ids],),
        ).fetchall()
        return {str(r["attachment_id"]): r for r in rows}

    def next_case_number(self) -> str:
        """The day's next serial. Its row stays locked until commit, so every other submission
        waits here: take it as late as the case allows."""
        # The Shanghai date of the transaction's start, the same instant the events record.
        counter = self.conn.execute(
            """INSERT INTO case_counters (day, serial) VALUES ((now() AT TIME ZONE 'Asia/Shanghai')::date, 1)
               ON CONFLICT (day) DO UPDATE SET serial = case_counters.serial + 1
               RETURNING day, serial, now() AS now"""
        ).fetchone()
        assert counter is not None  # INSERT ... RETURNING gives the row
        self._started_at = counter["now"]
        return domain.case_number(counter["day"], counter["serial"])

    def stream(self, application_id: Id) -> list[eventstore.Event]:
        # now() comes along in the same round trip, for `record`.
        with self.conn.pipeline():
            started = self.conn.execute("SELECT now() AS now")
            events = eventstore.read_stream(self.conn, application_id)
        row = started.fetchone()
        assert row is not None  # a SELECT without FROM gives one row
        self._started_at = row["now"]
        return events

    def record(
        self,
        application_id: Id,
        expected_version: int,
        events: Sequence[domain.ApplicationEvent],
        metadata: dict[str, Any],
    ) -> list[eventstore.Event]:
        """Project the domain events, then append them; returns the stored events.

        The append comes last: the events table's lock it takes is held until commit and every
        other command's append waits for it (see common.eventstore). The projection gives the
        events the time they will be stored with, the transaction's start.
        """
        occurred_at = self.started_at()
        for version, event in enumerate(events, expected_version + 1):
            apply_change(self.conn, event, application_id, version, occurred_at)
        return eventstore.append(
            self.conn,
            application_id,
            expected_version,
            [eventstore.NewEvent(e.type, e.payload(), metadata) for e in events],
        )

    def add_particulars(self, application_id: Id, particulars: dict[str, Any]) -> None:
        """The personal particulars of a new case (with its verification code)."""
        self.conn.execute(
            """INSERT INTO application_particulars (application_id, real_name, id_number_masked, phone,
                   household_address, current_address, unemployment_registration_number, verification_code)
               VALUES (%(id)s, %(real_name)s, %(id_number_masked)s, %(phone)s, %(household_address)s,
                       %(current_address)s, %(unemployment_registration_number)s, %(verification_code)s)""",
            {"id": application_id, **particulars},
        )

    def update_particulars(self, application_id: Id, particulars: dict[str, Any]) -> None:
        """A resubmission's particulars replace the earlier ones; the verification code stays."""
        self.conn.execute(
            """UPDATE application_particulars SET real_name = %(real_name)s, id_number_masked = %(id_number_masked)s,
                   phone = %(phone)s, household_address = %(household_address)s,
                   current_address = %(current_address)s,
                   unemployment_registration_number = %(unemployment_registration_number)s
               WHERE application_id = %(id)s""",
            {"id": application_id, **particulars},
        )

    def bind_attachments(self, application_id: Id, attachment_ids: Iterable[Id]) -> None:
        self.conn.execute(
            "UPDATE attachments SET application_id = %s WHERE attachment_id = ANY(%s)",
            (application_id, [str(a) for a in attachment_ids]),
        )


class ApplicationsStore:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One unit of work: commits when the block ends, rolls back if it raises."""
        with self.pool.connection() as conn, conn.transaction():
            yield Transaction(conn)

    def answer(self, owner_id: Id, scope: str, key: str) -> Row | None:
        """The stored answer {"status", "body"} to this key within 24 hours, or None."""
        with db.reading(self.pool) as conn:
            return conn.execute(
                "SELECT status, body FROM idempotency_keys WHERE owner_id = %s AND scope = %s AND key = %s "
                "AND status IS NOT NULL AND created_at > now() - make_interval(hours => %s)",
                (owner_id, scope, key, IDEMPOTENCY_HOURS),
            ).fetchone()

    # ---- attachments ----------------------------------------------------------------------

    def issue_upload(self, owner_id: Id, kind: str, object_key: str) -> uuid.UUID:
        attachment_id = uuid.uuid4()
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO attachments (attachment_id, owner_id, object_key, kind) VALUES (%s, %s, %s, %s)",
                (attachment_id, owner_id, object_key, kind),
            )
        return attachment_id

    def upload(self, owner_id: Id, attachment_id: Id) -> Row | None:
        """The caller's issued upload, or None."""
        with db.reading(self.pool) as conn:
            return conn.execute(
                "SELECT * FROM attachments WHERE attachment_id = %s AND owner_id = %s", (attachment_id, owner_id)
            ).fetchone()

    def record_upload(
        self, owner_id: Id, attachment_id: Id, meta: dict[str, Any], idempotency_key: str | None
    ) -> Answer | Row:
        """Mark the verified upload stored; with a key, answer as its first use did."""
        with self.transaction() as tx:
            if idempotency_key:
                replay = tx.claim(owner_id, "attachments", idempotency_key)
                if replay:
                    return replay  # the orphaned upload is purged with the other unbound ones
            row = tx.conn.execute(
                """UPDATE attachments SET stored = true, filename = %s, size = %s, content_type = %s, sha256 = %s
                   WHERE attachment_id = %s AND owner_id = %s AND NOT stored RETURNING *""",
                (meta["filename"], meta["size"], meta["content_type"], meta["sha256"], attachment_id, owner_id),
            ).fetchone()
            if row is None:
                raise errors.NotFound("上传不存在或已完成")
            answer = {"status": 201, "body": attachment_view(row)}
            if idempotency_key:
                tx.remember(owner_id, "attachments", idempotency_key, answer)
            return answer

    def attachment(self, attachment_id: Id) -> Row | None:
        with db.reading(self.pool) as conn:
            return conn.execute("SELECT * FROM attachments WHERE attachment_id = %s", (attachment_id,)).fetchone()

    def purge_unbound(self, delete_objects: Callable[[list[str]], None], limit: int = 500) -> int:
        """Delete uploads no case took within a day, objects first, rows in the same transaction.

        If the bucket refuses, the transaction rolls back and the next run retries.
        SKIP LOCKED lets replicas purge side by side and never waits on a submission.
        """
        with self.pool.connection() as conn, conn.transaction():
            rows = conn.execute(
                """DELETE FROM attachments WHERE attachment_id IN (
                       SELECT attachment_id FROM attachments
                       WHERE application_id IS NULL AND created_at < now() - make_interval(hours => %s)
                       ORDER BY created_at LIMIT %s FOR UPDATE SKIP LOCKED)
                   RETURNING object_key""",
                (UNBOUND_UPLOAD_HOURS, limit),
            ).fetchall()
            if rows:
                delete_objects([r["object_key"] for r in rows])
            conn.execute(
                "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => %s)",
                (IDEMPOTENCY_HOURS,),
            )
        return len(rows)

    # ---- queries --------------------------------------------------------------------------

    def case(self, application_id: Id) -> tuple[domain.Application, Row | None, Row | None, list[Row]]:
        """(state from the events, read-model row, particulars, attachments), one consistent snapshot."""
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            state = domain.fold(eventstore.read_stream(conn, application_id), str(application_id))
            if not state.exists:
                return state, None, None, []
            row = conn.execute("SELECT * FROM applications WHERE application_id = %s", (application_id,)).fetchone()
            particulars = conn.execute(
                "SELECT * FROM application_particulars WHERE application_id = %s", (application_id,)
            ).fetchone()
            attachments = conn.execute(
                "SELECT * FROM attachments WHERE application_id = %s ORDER BY created_at, attachment_id",
                (application_id,),
            ).fetchall()
            return state, row, particulars, attachments

    def verification(self, case_number: str) -> Row | None:
        """What the public verification needs of a case, with its code, or None."""
        with db.reading(self.pool) as conn:
            return conn.execute(
                """SELECT a.case_number, a.status, a.submitted_at, a.decided_at, p.real_name, p.verification_code
                   FROM applications a JOIN application_particulars p USING (application_id)
                   WHERE a.case_number = %s""",
                (case_number,),
            ).fetchone()

    def mine(
        self, applicant_id: Id, status: str | None, month: str | None, page: int, page_size: int
    ) -> tuple[list[Row], int]:
        where, params = ["applicant_id = %(me)s"], {"me": applicant_id}
        return self._page(where, params, status, month, page, page_size, "submitted_at DESC, application_id DESC")

    def queue(
        self,
        scope: dict[str, Any] | None,
        status: str | None,
        city: str | None,
        county: str | None,
        month: str | None,
        page: int,
        page_size: int,
        q: str | None = None,
    ) -> tuple[list[Row], int]:
        where, params = [], {}
        for column, value, name in (
            ("jurisdiction_city", (scope or {}).get("city_code"), "scope_city"),
            ("jurisdiction_county", (scope or {}).get("county_code"), "scope_county"),
            ("jurisdiction_city", city, "city"),
            ("jurisdiction_county", county, "county"),
        ):
            if value:
                where.append(f"{column} = %({name})s")
                params[name] = value
        if q:
            # An exact case number, or the applicant's real name exactly or as a prefix.
            where.append(
                "(case_number = %(q)s OR application_id IN (SELECT application_id FROM "
                "application_particulars WHERE real_name LIKE %(name_prefix)s))"
            )
            params.update(q=q, name_prefix=_like_prefix(q))
        return self._page(
            where, params, status, month, page, page_size, "submitted_at, application_id", with_names=True
        )

    def _page(
        self,
        where: list[str],
        params: dict[str, Any],
        status: str | None,
        month: str | None,
        page: int,
        page_size: int,
        order: str,
        with_names: bool = False,
    ) -> tuple[list[Row], int]:
        if status:
            where.append("status = %(status)s")
            params["status"] = status
        if month:
            params["start"], params["end"] = clock.month_range(month)
            where.append("submitted_at >= %(start)s AND submitted_at < %(end)s")
        condition = " AND ".join(where) or "true"
        params.update(limit=page_size, offset=offset(page, page_size))
        name = ", p.real_name AS applicant_name" if with_names else ""
        join = "LEFT JOIN application_particulars p USING (application_id)" if with_names else ""
        with db.reading(self.pool) as conn:
            count = conn.execute(f"SELECT count(*) AS n FROM applications WHERE {condition}", params).fetchone()
            assert count is not None  # count(*) always gives one row
            total = count["n"]
            rows = conn.execute(
                f"SELECT a.*{name} FROM (SELECT * FROM applications WHERE {condition} ORDER BY {order} "
                f"LIMIT %(limit)s OFFSET %(offset)s) a {join} ORDER BY {order}",
                params,
            ).fetchall()
        return rows, total


def attachment_view(row: Row) -> dict[str, Any]:
    return {
        "attachment_id": str(row["attachment_id"]),
        "kind": row["kind"],
        "filename": row["filename"],
        "size": row["size"],
        "content_type": row["content_type"],
        "sha256": row["sha256"],
    }
