"""The privacy sweep, after every other test of the run (issue 9, "Proof"): none of the ID
numbers or phones used in this run appears in the logs of any process, in any table that
is not their owner's (events, audit rows, notifications, outboxes, inboxes, dead letters,
idempotent answers...), in any event message caught by the probe queue, or in any list
response."""

import json

import psycopg
import pytest

import gateway.service  # noqa: F401  (its route modules fill the route table)
from common import config, migrate
from common.paging import PageQuery
from gateway.http import ROUTES
from gateway.openapi import openapi_path
from tests.e2e import privacy, test_applications
from tests.e2e.conftest import register

# Where ID numbers and phones live by design: the person's record, the case's particulars
# (the phone given on the form), and public posts (an employer's contact phone).
OWNERS = {("identity", "users"), ("applications", "application_particulars"), ("postings", "postings")}


def rows(database, query, params=()):
    with psycopg.connect(config.database_url(database)) as conn:
        return conn.execute(query, params).fetchall()


def secrets_used():
    used = {number for row in rows("identity", "SELECT id_number, phone FROM users") for number in row if number}
    used |= {row[0] for row in rows("applications", "SELECT phone FROM application_particulars")}
    # Masked forms keep only edges, but a form short enough to be whole would be a leak too.
    return {value for value in used if len(value) >= 11}


def found_in(text, secrets):
    return sorted(s for s in secrets if s in text)


def table_texts(database):
    tables = [name for (name,) in rows(database, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    for table in tables:
        if (database, table) in OWNERS:
            continue
        dumped = rows(database, f'SELECT row_to_json(t)::text FROM "{table}" t')  # names come from pg_tables
        yield table, "\n".join(text for (text,) in dumped)


@pytest.mark.privacy_sweep
def test_no_id_number_or_phone_outside_its_owner(system, anon, admin, reviewer):
    secrets = secrets_used()
    assert len(secrets) > 20, "the run registered people: their numbers are what the sweep looks for"

    for path in sorted(system.log_dir.glob("*.log")):
        leaked = found_in(path.read_text(errors="replace"), secrets)
        assert not leaked, f"{path.name} logs {len(leaked)} ID numbers or phones"

    for database in migrate.existing_services():
        for table, text in table_texts(database):
            assert not found_in(text, secrets), f"{database}.{table} holds ID numbers or phones"

    messages = privacy.drain(config.amqp_uri())
    assert messages, "the probe caught the run's events"
    for message in messages:
        assert not found_in(message, secrets), message[:300]

    applicant = register(anon)
    test_applications.submit(applicant)
    callers = {"": anon, "applicant": applicant, "reviewer": reviewer, "admin": admin}
    for doc in ROUTES:
        if doc.method != "GET" or not (isinstance(doc.query, type) and issubclass(doc.query, PageQuery)):
            continue
        role = next((r for r in ("admin", "reviewer") if r in doc.roles), "" if not doc.auth else "applicant")
        client = callers[role]
        for status in (None, "approved", "rejected", "withdrawn"):
            resp = client.get(
                openapi_path(doc.path), params={"page_size": 100, **({"status": status} if status else {})}
            )
            assert resp.status_code in (200, 400, 403), resp.text
            assert not found_in(json.dumps(resp.json(), ensure_ascii=False), secrets), doc.path
