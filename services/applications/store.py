"""Applications' SQL: the event store appends, the read models, attachments and idempotency.

Every command runs in one transaction: the events are appended and the read
models projected together, so state, read models and published events agree.
"""
import uuid
import zlib
from datetime import datetime

from psycopg import errors as pg_errors
from psycopg.types.json import Jsonb

from common import clock, errors, eventstore
from common.paging import offset
from contracts.applications import PUBLISHED
from services.applications import domain

READ_MODEL_TABLES = ("applications",)
ACTIVE = "status IN ('pending', 'approved')"
CONFLICT_RETRIES = 5
IDEMPOTENCY_HOURS = 24
UNBOUND_UPLOAD_HOURS = 24


# ---- projection (the same function serves live commands and `rebuild`) ---------------------

def project(conn, event):
    """Apply one stored event to the read model; events of other types are not this model's."""
    if event.type not in PUBLISHED:
        return
    data = event.payload
    if event.type == domain.SUBMITTED:
        jurisdiction = data["jurisdiction"]
        try:
            conn.execute(
                """INSERT INTO applications (application_id, case_number, applicant_id, category, status,
                       jurisdiction_city, jurisdiction_county, gender, education, school, major,
                       graduation_date, submitted_at, version)
                   VALUES (%s, %s, %s, %s, 'pending', %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
                (event.stream_id, data["case_number"], data["applicant_id"], data["category"],
                 jurisdiction["city_code"], jurisdiction["county_code"], data["gender"], data["education"],
                 data["school"], data["major"], data["graduation_date"], event.occurred_at, event.stream_version))
        except pg_errors.UniqueViolation as exc:
            if exc.diag.constraint_name == "applications_one_active":
                raise _active_exists() from None
            raise
        return
    if event.type == domain.WITHDRAWN:
        changes = {"status": "withdrawn"}
    elif event.type == domain.APPROVED:
        changes = {"status": "approved", "reviewer_id": data["reviewer_id"], "comment": data["comment"]}
    else:
        changes = {"status": "rejected", "reviewer_id": data["reviewer_id"], "reason": data["reason"]}
    assignments = ", ".join(f"{column} = %({column})s" for column in changes)
    conn.execute(f"UPDATE applications SET {assignments}, decided_at = %(at)s, version = %(version)s "
                 "WHERE application_id = %(id)s",
                 {**changes, "at": event.occurred_at, "version": event.stream_version, "id": event.stream_id})


def _active_exists():
    return errors.Conflict("您已有未办结或已通过的申请，不能重复申报", code="ACTIVE_APPLICATION_EXISTS")


def _new_events(events, metadata):
    return [eventstore.NewEvent(e.type, e.payload(), metadata) for e in events]


def _lock_key(owner_id):
    # A per-person transaction lock; an accidental hash collision only serialises two people.
    return zlib.crc32(b"applicant:" + str(owner_id).encode())


def month_range(month):
    """[start, end) instants of a `YYYY-MM` calendar month in Asia/Shanghai."""
    year, number = map(int, month.split("-"))
    start = datetime(year, number, 1, tzinfo=clock.SHANGHAI)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=clock.SHANGHAI)
    return start, end


class ApplicationsStore:
    def __init__(self, pool):
        self.pool = pool

    # ---- idempotency ----------------------------------------------------------------------

    def answer(self, owner_id, scope, key):
        """The stored answer {"status", "body"} to this key within 24 hours, or None."""
        with self.pool.connection() as conn:
            return conn.execute(
                "SELECT status, body FROM idempotency_keys WHERE owner_id = %s AND scope = %s AND key = %s "
                "AND status IS NOT NULL AND created_at > now() - make_interval(hours => %s)",
                (owner_id, scope, key, IDEMPOTENCY_HOURS)).fetchone()

    @staticmethod
    def _claim(conn, owner_id, scope, key):
        """Claim the key in this transaction, or return the answer it already has.

        A concurrent claim of the same key blocks here until that transaction ends;
        then its committed answer is returned (or, if it rolled back, we claim).
        """
        claimed = conn.execute(
            """INSERT INTO idempotency_keys (owner_id, scope, key) VALUES (%s, %s, %s)
               ON CONFLICT (owner_id, scope, key) DO UPDATE SET status = NULL, body = NULL, created_at = now()
                   WHERE idempotency_keys.created_at <= now() - make_interval(hours => %s)
               RETURNING 1""", (owner_id, scope, key, IDEMPOTENCY_HOURS)).fetchone()
        if claimed:
            return None
        return conn.execute("SELECT status, body FROM idempotency_keys WHERE owner_id = %s AND scope = %s "
                            "AND key = %s", (owner_id, scope, key)).fetchone()

    @staticmethod
    def _remember(conn, owner_id, scope, key, status, body):
        conn.execute("UPDATE idempotency_keys SET status = %s, body = %s WHERE owner_id = %s AND scope = %s "
                     "AND key = %s", (status, Jsonb(body), owner_id, scope, key))

    # ---- attachments ----------------------------------------------------------------------

    def issue_upload(self, owner_id, kind, object_key):
        attachment_id = uuid.uuid4()
        with self.pool.connection() as conn:
            conn.execute("INSERT INTO attachments (attachment_id, owner_id, object_key, kind) VALUES (%s, %s, %s, %s)",
                         (attachment_id, owner_id, object_key, kind))
        return attachment_id

    def upload(self, owner_id, attachment_id):
        """The caller's issued upload, or None."""
        with self.pool.connection() as conn:
            return conn.execute("SELECT * FROM attachments WHERE attachment_id = %s AND owner_id = %s",
                                (attachment_id, owner_id)).fetchone()

    def record_upload(self, owner_id, attachment_id, meta, idempotency_key):
        """Mark the verified upload stored; with a key, answer as its first use did."""
        with self.pool.connection() as conn, conn.transaction():
            if idempotency_key:
                replay = self._claim(conn, owner_id, "attachments", idempotency_key)
                if replay:
                    return replay  # the orphaned upload is purged with the other unbound ones
            row = conn.execute(
                """UPDATE attachments SET stored = true, filename = %s, size = %s, content_type = %s, sha256 = %s
                   WHERE attachment_id = %s AND owner_id = %s AND NOT stored RETURNING *""",
                (meta["filename"], meta["size"], meta["content_type"], meta["sha256"], attachment_id,
                 owner_id)).fetchone()
            if row is None:
                raise errors.NotFound("上传不存在或已完成")
            answer = {"status": 201, "body": attachment_view(row)}
            if idempotency_key:
                self._remember(conn, owner_id, "attachments", idempotency_key, answer["status"], answer["body"])
            return answer

    def purge_unbound(self, delete_objects, limit=500):
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
                   RETURNING object_key""", (UNBOUND_UPLOAD_HOURS, limit)).fetchall()
            if rows:
                delete_objects([r["object_key"] for r in rows])
            conn.execute("DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => %s)",
                         (IDEMPOTENCY_HOURS,))
        return len(rows)

    # ---- commands -------------------------------------------------------------------------

    def submit(self, applicant_id, idempotency_key, attachment_ids, decide, particulars, metadata):
        """Submit in one transaction; `decide(active, attachments, case_number)` returns the events.

        The per-person lock makes a second, simultaneous submission wait and then see
        the first one's case; the unique index on active cases is the backstop.
        """
        with self.pool.connection() as conn, conn.transaction():
            if idempotency_key:
                replay = self._claim(conn, applicant_id, "applications", idempotency_key)
                if replay:
                    return replay
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_lock_key(applicant_id),))
            active = conn.execute(f"SELECT application_id, case_number FROM applications "
                                  f"WHERE applicant_id = %s AND {ACTIVE}", (applicant_id,)).fetchone()
            rows = conn.execute("SELECT * FROM attachments WHERE attachment_id = ANY(%s) ORDER BY attachment_id "
                                "FOR UPDATE", ([str(a) for a in attachment_ids],)).fetchall()
            attachments = {str(r["attachment_id"]): r for r in rows}
            # The Shanghai date of the transaction's start, the same instant the events record.
            counter = conn.execute(
                """INSERT INTO case_counters (day, serial) VALUES ((now() AT TIME ZONE 'Asia/Shanghai')::date, 1)
                   ON CONFLICT (day) DO UPDATE SET serial = case_counters.serial + 1
                   RETURNING day, serial""").fetchone()
            events = decide(active, attachments, domain.case_number(counter["day"], counter["serial"]))
            application_id = uuid.uuid4()
            stored = eventstore.append(conn, application_id, 0, _new_events(events, metadata))
            conn.execute(
                """INSERT INTO application_particulars (application_id, real_name, id_number_masked, phone,
                       household_address, current_address, unemployment_registration_number)
                   VALUES (%(id)s, %(real_name)s, %(id_number_masked)s, %(phone)s, %(household_address)s,
                           %(current_address)s, %(unemployment_registration_number)s)""",
                {"id": application_id, **particulars})
            for event in stored:
                project(conn, event)
            conn.execute("UPDATE attachments SET application_id = %s WHERE attachment_id = ANY(%s)",
                         (application_id, list(attachments)))
            submitted = stored[0]
            answer = {"status": 201, "body": {
                "application_id": str(application_id), "case_number": submitted.payload["case_number"],
                **domain.status_of("pending"), "message": "申报成功", "submitted_at": clock.iso(submitted.occurred_at)}}
            if idempotency_key:
                self._remember(conn, applicant_id, "applications", idempotency_key, answer["status"], answer["body"])
            return answer

    def change(self, application_id, decide, metadata):
        """Apply `decide(state) -> events` to the current state; re-decides when another writer won."""
        for attempt in range(CONFLICT_RETRIES):
            try:
                with self.pool.connection() as conn, conn.transaction():
                    state = domain.fold(eventstore.read_stream(conn, application_id), str(application_id))
                    stored = eventstore.append(conn, application_id, state.version,
                                               _new_events(decide(state), metadata))
                    for event in stored:
                        project(conn, event)
                    return
            except eventstore.ConcurrencyConflict:
                if attempt == CONFLICT_RETRIES - 1:
                    raise

    # ---- queries --------------------------------------------------------------------------

    def case(self, application_id):
        """(state from the events, read-model row, particulars, attachments), one consistent snapshot."""
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            state = domain.fold(eventstore.read_stream(conn, application_id), str(application_id))
            if not state.exists:
                return state, None, None, []
            row = conn.execute("SELECT * FROM applications WHERE application_id = %s", (application_id,)).fetchone()
            particulars = conn.execute("SELECT * FROM application_particulars WHERE application_id = %s",
                                       (application_id,)).fetchone()
            attachments = conn.execute("SELECT * FROM attachments WHERE application_id = %s "
                                       "ORDER BY created_at, attachment_id", (application_id,)).fetchall()
            return state, row, particulars, attachments

    def mine(self, applicant_id, status, month, page, page_size):
        where, params = ["applicant_id = %(me)s"], {"me": applicant_id}
        return self._page(where, params, status, month, page, page_size, "submitted_at DESC, application_id DESC")

    def queue(self, scope, status, city, county, month, page, page_size):
        where, params = [], {}
        for column, value, name in (("jurisdiction_city", (scope or {}).get("city_code"), "scope_city"),
                                    ("jurisdiction_county", (scope or {}).get("county_code"), "scope_county"),
                                    ("jurisdiction_city", city, "city"), ("jurisdiction_county", county, "county")):
            if value:
                where.append(f"{column} = %({name})s")
                params[name] = value
        return self._page(where, params, status, month, page, page_size, "submitted_at, application_id",
                          with_names=True)

    def _page(self, where, params, status, month, page, page_size, order, with_names=False):
        if status:
            where.append("status = %(status)s")
            params["status"] = status
        if month:
            params["start"], params["end"] = month_range(month)
            where.append("submitted_at >= %(start)s AND submitted_at < %(end)s")
        condition = " AND ".join(where) or "true"
        params.update(limit=page_size, offset=offset(page, page_size))
        name = ", p.real_name AS applicant_name" if with_names else ""
        join = "LEFT JOIN application_particulars p USING (application_id)" if with_names else ""
        with self.pool.connection() as conn:
            total = conn.execute(f"SELECT count(*) AS n FROM applications WHERE {condition}", params).fetchone()["n"]
            rows = conn.execute(
                f"SELECT a.*{name} FROM (SELECT * FROM applications WHERE {condition} ORDER BY {order} "
                f"LIMIT %(limit)s OFFSET %(offset)s) a {join} ORDER BY {order}", params).fetchall()
        return rows, total


def attachment_view(row):
    return {"attachment_id": str(row["attachment_id"]), "kind": row["kind"], "filename": row["filename"],
            "size": row["size"], "content_type": row["content_type"], "sha256": row["sha256"]}
