"""Favorites' SQL: the interns projection and the bookmarks."""

from collections.abc import Callable, Sequence
from typing import Any

from psycopg import Connection

from common import consumer, db, deadletters
from common.db import Pool, Row
from services.favorites import domain

# The name under which this service records the events it has applied.
CONSUMER = "favorites"


def record_intern(conn: Connection[Any], event: consumer.Message) -> None:
    """Project an `application_approved` event. A person has at most one approved case (a second needs the
    first withdrawn or rejected, which an approval rules out); should two ever arrive,
    the later approval holds, whatever order they are applied in."""
    conn.execute(
        """INSERT INTO interns (applicant_id, application_id, jurisdiction_city, jurisdiction_county, approved_at)
           VALUES (%(applicant_id)s, %(application_id)s, %(jurisdiction_city)s, %(jurisdiction_county)s,
                   %(approved_at)s)
           ON CONFLICT (applicant_id) DO UPDATE
           SET application_id = EXCLUDED.application_id, jurisdiction_city = EXCLUDED.jurisdiction_city,
               jurisdiction_county = EXCLUDED.jurisdiction_county, approved_at = EXCLUDED.approved_at,
               recorded_at = now()
           WHERE interns.approved_at < EXCLUDED.approved_at""",
        domain.intern_from_approval(event),
    )


class FavoritesStore:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    def apply_event(self, event: consumer.Message, project: consumer.MessageProjector) -> bool:
        """Run `project(conn, event)` once per event_id, in the application's stream order,
        in the same transaction that records the event (common.consumer)."""
        with self.pool.connection() as conn:
            return consumer.apply_once(conn, CONSUMER, event, project, stream_field="application_id")

    def refresh_parked_metric(self) -> int:
        with self.pool.connection() as conn:
            return deadletters.update_metrics(conn, CONSUMER)

    def intern(self, applicant_id: str) -> Row | None:
        with db.reading(self.pool) as conn:
            return conn.execute("SELECT * FROM interns WHERE applicant_id = %s", (applicant_id,)).fetchone()

    def favorite_ids(self, applicant_id: str) -> list[str]:
        """The intern's bookmarked post ids, oldest bookmark first."""
        with db.reading(self.pool) as conn:
            rows = conn.execute(
                "SELECT posting_id FROM favorites WHERE applicant_id = %s ORDER BY favorited_at, posting_id",
                (applicant_id,),
            ).fetchall()
        return [str(r["posting_id"]) for r in rows]

    def favorited_among(self, applicant_id: str, posting_ids: Sequence[str]) -> set[str]:
        with db.reading(self.pool) as conn:
            rows = conn.execute(
                "SELECT posting_id FROM favorites WHERE applicant_id = %s AND posting_id = ANY(%s)",
                (applicant_id, posting_ids),
            ).fetchall()
        return {str(r["posting_id"]) for r in rows}

    def add(self, applicant_id: str, posting_id: str, admit: Callable[[Row | None, list[str]], bool]) -> bool:
        """Bookmark under the lock on the intern's row: `admit(intern, held_ids)` decides
        (True: insert, False: already there) or raises. Concurrent calls for one intern,
        on any replica, take turns here, so the count they see is the committed one."""
        # Pipelined: the lock and the read of what is held come back in one round trip; the
        # read still runs after the lock is granted. The transaction commits as the block ends.
        with self.pool.connection() as conn, conn.pipeline():
            locked = conn.execute("SELECT * FROM interns WHERE applicant_id = %s FOR UPDATE", (applicant_id,))
            bookmarks = conn.execute("SELECT posting_id FROM favorites WHERE applicant_id = %s", (applicant_id,))
            intern = locked.fetchone()
            held = [str(r["posting_id"]) for r in bookmarks.fetchall()]
            added = admit(intern, held)
            if added:
                conn.execute(
                    "INSERT INTO favorites (applicant_id, posting_id) VALUES (%s, %s)", (applicant_id, posting_id)
                )
            return added

    def remove(self, applicant_id: str, posting_id: str) -> None:
        with self.pool.connection() as conn, conn.transaction():
            conn.execute(
                "DELETE FROM favorites WHERE applicant_id = %s AND posting_id = %s", (applicant_id, posting_id)
            )
