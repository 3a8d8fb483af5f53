"""Notifications' SQL: the cases it has heard of, the messages, read marks."""

import uuid
from typing import Any

from psycopg import Connection
from psycopg.rows import dict_row

from common import consumer, db, deadletters
from common.db import Pool, Row
from common.paging import offset
from services.notifications import domain

# The name under which this service records the events it has applied.
CONSUMER = "notifications"


def record_case(conn: Connection[Any], event: consumer.Message) -> None:
    """Project `application_submitted`: whose case it is and its number."""
    conn.execute(
        "INSERT INTO cases (application_id, applicant_id, case_number) VALUES (%s, %s, %s) "
        "ON CONFLICT (application_id) DO NOTHING",
        (event["application_id"], event["applicant_id"], event["case_number"]),
    )


def notifier(event_type: str) -> consumer.MessageProjector:
    """The projector of a decision event: one message to the case's owner."""

    def record_notification(conn: Connection[Any], event: consumer.Message) -> None:
        case = (
            conn.cursor(row_factory=dict_row)
            .execute(
                "SELECT applicant_id, case_number FROM cases WHERE application_id = %s", (event["application_id"],)
            )
            .fetchone()
        )
        if case is None:  # stream order puts application_submitted first; a missing case is a bug to park
            raise LookupError(f"no case {event['application_id']} for {event_type}")
        title, body = domain.message(event_type, event, case["case_number"])
        conn.execute(
            """INSERT INTO notifications (notification_id, recipient_id, event_id, type, title, body,
                   application_id, case_number, created_at)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (event_id) DO NOTHING""",
            (
                uuid.uuid4(),
                case["applicant_id"],
                event["event_id"],
                event_type,
                title,
                body,
                event["application_id"],
                case["case_number"],
                event["occurred_at"],
            ),
        )

    return record_notification


class NotificationsStore:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    def apply_event(self, event: consumer.Message, project: consumer.MessageProjector) -> bool:
        """Run `project(conn, event)` once per event_id, in the application's stream order (common.consumer)."""
        with self.pool.connection() as conn:
            return consumer.apply_once(conn, CONSUMER, event, project, stream_field="application_id")

    def refresh_parked_metric(self) -> int:
        with self.pool.connection() as conn:
            return deadletters.update_metrics(conn, CONSUMER)

    def page(self, recipient_id: str, page: int, page_size: int) -> tuple[list[Row], int, int]:
        """(rows newest first, total, unread) of one person's messages."""
        with db.reading(self.pool) as conn:
            counts = conn.execute(
                "SELECT count(*) AS total, count(*) FILTER (WHERE read_at IS NULL) AS unread "
                "FROM notifications WHERE recipient_id = %s",
                (recipient_id,),
            ).fetchone()
            rows = conn.execute(
                """SELECT * FROM notifications WHERE recipient_id = %s
                   ORDER BY created_at DESC, notification_id DESC LIMIT %s OFFSET %s""",
                (recipient_id, page_size, offset(page, page_size)),
            ).fetchall()
        assert counts is not None  # an aggregate always returns its row
        return rows, counts["total"], counts["unread"]

    def mark_read(self, recipient_id: str, notification_id: uuid.UUID) -> bool:
        """True if the message is the recipient's (read now or before)."""
        with self.pool.connection() as conn:
            row = conn.execute(
                """UPDATE notifications SET read_at = coalesce(read_at, now())
                   WHERE notification_id = %s AND recipient_id = %s RETURNING 1""",
                (notification_id, recipient_id),
            ).fetchone()
        return row is not None

    def mark_all_read(self, recipient_id: str) -> None:
        with self.pool.connection() as conn:
            conn.execute(
                "UPDATE notifications SET read_at = now() WHERE recipient_id = %s AND read_at IS NULL", (recipient_id,)
            )
