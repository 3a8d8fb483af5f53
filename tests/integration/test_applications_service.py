"""The applications service on real PostgreSQL, RabbitMQ and the local S3 server.

The real identity and applications services run in this process; calls go over
RPC as the gateway's do, uploads go into the bucket as the gateway's do, and a probe queue bound
to the `applications` events exchange sees what the outbox relay publishes.
"""

import hashlib
import json
import random
import time
import uuid
from datetime import date, timedelta

import eventlet
import kombu
import psycopg
import pytest
import requests
from nameko.runners import ServiceRunner
from nameko.standalone.events import get_event_exchange
from nameko.standalone.rpc import ClusterRpcProxy
from psycopg.rows import dict_row

from common import clock, errors, objects, projections
from services.applications.service import ApplicationsService
from services.applications.store import READ_MODEL_TABLES, project
from services.identity.service import IdentityService
from tests import factories
from tests.files import jpeg, pdf, png

REVIEWER = {"user_id": str(uuid.uuid4()), "username": "reviewer", "roles": ["reviewer"], "jurisdiction": None}


@pytest.fixture(scope="module")
def dsn(databases):
    databases("identity")
    return databases("applications")


@pytest.fixture(scope="module")
def services(dsn, amqp_uri, s3_endpoint):
    config = {"AMQP_URI": amqp_uri, "max_workers": 20}
    runner = ServiceRunner(config)
    runner.add_service(IdentityService)
    runner.add_service(ApplicationsService)
    runner.start()
    yield config
    runner.stop()


@pytest.fixture(scope="module")
def probe(amqp_uri, services):
    queue = kombu.Queue(
        f"probe-applications-{uuid.uuid4().hex[:6]}",
        exchange=get_event_exchange("applications", {}),
        routing_key="#",
        durable=False,
        auto_delete=False,
    )
    with kombu.Connection(amqp_uri) as conn:
        queue(conn.default_channel).declare()
    yield Probe(amqp_uri, queue)
    with kombu.Connection(amqp_uri) as conn:
        queue(conn.default_channel).delete()


class Probe:
    def __init__(self, amqp_uri, queue):
        self.amqp_uri = amqp_uri
        self.queue = queue
        self.seen = []

    def events_of(self, application_id, count, timeout=10):
        """The first `count` published events of one application (duplicates dropped), by stream_version."""
        deadline = time.monotonic() + timeout
        with kombu.Connection(self.amqp_uri) as conn:
            bound = self.queue(conn.default_channel)
            while True:
                found = {}
                for routing_key, body in self.seen:
                    if body.get("application_id") == application_id:
                        found[body["event_id"]] = (routing_key, body)
                if len(found) >= count or time.monotonic() > deadline:
                    return sorted(found.values(), key=lambda item: item[1]["stream_version"])
                message = bound.get(no_ack=True)
                if message is None:
                    eventlet.sleep(0.02)
                else:
                    self.seen.append((message.delivery_info["routing_key"], json.loads(message.body)))


def cluster(config):
    """An RPC client that, like the gateway, sends a request id with every call."""
    return ClusterRpcProxy(config, context_data={"request_id": str(uuid.uuid4())})


@pytest.fixture
def rpc(services):
    with cluster(services) as proxy:
        yield proxy


def person(rpc, birth=None):
    birth = birth or date(1992, 1, 1) + timedelta(days=random.randrange(3000))
    body = factories.person(id_number=factories.id_number(birth=birth, male=True))
    user = rpc.identity.register(body)
    return {
        "user_id": user["user_id"],
        "username": user["username"],
        "roles": ["applicant"],
        "jurisdiction": None,
        "id_number": body["id_number"],
        "phone": body["phone"],
    }


def upload(rpc, actor, kind, content, key=None):
    kind_meta = {
        "kind": kind,
        "filename": f"{kind}.bin",
        "size": len(content),
        "content_type": {b"%PDF": "application/pdf", b"\x89PNG": "image/png"}.get(content[:4], "image/jpeg"),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    issued = rpc.applications.prepare_upload(actor, kind_meta, key)
    if "replay" in issued:
        return issued["replay"]["body"]
    bucket().put(issued["object_key"], content, len(content), kind_meta["content_type"])
    return rpc.applications.record_upload(actor, issued["attachment_id"], kind_meta, key)["body"]


def bucket():
    return objects.Bucket(objects.client(), objects.config.s3_bucket())


def form(rpc, actor, **overrides):
    ids = [
        upload(rpc, actor, "id_card", png(seed=random.randrange(256)))["attachment_id"],
        upload(rpc, actor, "diploma", pdf())["attachment_id"],
    ]
    body = {
        "category": "graduate",
        "gender": "男",
        "education": "本科",
        "school": "太原理工大学",
        "major": "土木工程",
        "graduation_date": (clock.today() - timedelta(days=30)).isoformat(),
        "household_address": "太原市万柏林区",
        "current_address": "太原市杏花岭区",
        "phone": "13700001111",
        "jurisdiction": {"city_code": "140100", "county_code": "140105"},
        "attachment_ids": ids,
        "declaration_accepted": True,
    }
    body.update(overrides)
    return body


def db_rows(dsn, sql, *params):
    with psycopg.connect(dsn, row_factory=dict_row) as conn:
        return conn.execute(sql, params).fetchall()


# ---- events ----------------------------------------------------------------------------------------


def test_each_transition_publishes_its_event_with_the_contract_payload(rpc, probe):
    actor = person(rpc)
    first = rpc.applications.submit(actor, form(rpc, actor))["body"]
    rpc.applications.withdraw(actor, first["application_id"])
    second = rpc.applications.submit(actor, form(rpc, actor))["body"]
    rpc.applications.reject(REVIEWER, second["application_id"], {"reason": "材料不全"})
    third = rpc.applications.submit(actor, form(rpc, actor))["body"]
    rpc.applications.approve(REVIEWER, third["application_id"], {"comment": "同意"})

    base = {"event_id", "application_id", "applicant_id", "stream_version", "occurred_at"}
    published = []
    for case, expected in (
        (first, ["application_submitted", "application_withdrawn"]),
        (second, ["application_submitted", "application_rejected"]),
        (third, ["application_submitted", "application_approved"]),
    ):
        events = probe.events_of(case["application_id"], 2)
        assert [key for key, _ in events] == expected
        assert [body["stream_version"] for _, body in events] == [1, 2]
        for _, body in events:
            assert body["applicant_id"] == actor["user_id"]
            assert uuid.UUID(body["event_id"])
        published += events
    bodies = dict(published)
    assert set(bodies["application_submitted"]) == base | {"case_number", "jurisdiction", "category"}
    assert bodies["application_submitted"]["jurisdiction"] == {"city_code": "140100", "county_code": "140105"}
    assert set(bodies["application_withdrawn"]) == base
    assert set(bodies["application_rejected"]) == base | {"reviewer_id", "reason"}
    assert bodies["application_rejected"]["reason"] == "材料不全"
    assert set(bodies["application_approved"]) == base | {"jurisdiction", "reviewer_id", "comment"}
    assert bodies["application_approved"]["reviewer_id"] == REVIEWER["user_id"]
    text = json.dumps([body for _, body in published], ensure_ascii=False)
    assert actor["id_number"] not in text and actor["phone"] not in text and "13700001111" not in text
    stored = json.dumps(
        db_rows(probe_dsn(), "SELECT payload FROM events WHERE payload->>'applicant_id' = %s", actor["user_id"]),
        ensure_ascii=False,
        default=str,
    )
    assert actor["id_number"] not in stored and "13700001111" not in stored


def test_return_and_resubmission_publish_their_events(rpc, probe):
    actor = person(rpc)
    case = rpc.applications.submit(actor, form(rpc, actor))["body"]
    rpc.applications.return_for_correction(
        REVIEWER, case["application_id"], {"reason": "毕业证书不清晰", "items": ["重新上传毕业证书"]}
    )
    rpc.applications.resubmit(actor, case["application_id"], form(rpc, actor, phone="13700002222"))
    events = probe.events_of(case["application_id"], 3)
    assert [key for key, _ in events] == ["application_submitted", "application_returned", "application_resubmitted"]
    base = {"event_id", "application_id", "applicant_id", "stream_version", "occurred_at"}
    (_, returned), (_, resubmitted) = events[1:]
    assert set(returned) == base | {"reviewer_id", "reason", "items"}
    assert (returned["reason"], returned["items"]) == ("毕业证书不清晰", ["重新上传毕业证书"])
    assert set(resubmitted) == base | {"jurisdiction", "category"}
    assert resubmitted["stream_version"] == 3
    text = json.dumps([body for _, body in events], ensure_ascii=False)
    assert actor["id_number"] not in text and "13700002222" not in text


def probe_dsn():
    from common import config

    return config.database_url("applications")


# ---- concurrency -----------------------------------------------------------------------------------


def test_simultaneous_submissions_by_one_person_make_exactly_one_case(rpc, services, dsn, probe):
    for _ in range(3):
        actor = person(rpc)
        forms = [form(rpc, actor) for _ in range(12)]

        def send(body, actor=actor):
            with cluster(services) as proxy:
                try:
                    return proxy.applications.submit(actor, body)["status"]
                except errors.Conflict as exc:
                    return exc.code

        results = list(eventlet.GreenPool(12).imap(send, forms))
        assert sorted(results, key=str) == [201] + ["ACTIVE_APPLICATION_EXISTS"] * 11, results
        cases = db_rows(
            dsn, "SELECT application_id, status FROM applications WHERE applicant_id = %s", actor["user_id"]
        )
        assert len(cases) == 1
        [submitted] = db_rows(
            dsn, "SELECT count(*) AS n FROM events WHERE payload->>'applicant_id' = %s", actor["user_id"]
        )
        assert submitted["n"] == 1
        bound = db_rows(
            dsn, "SELECT count(*) AS n FROM attachments WHERE application_id = %s", cases[0]["application_id"]
        )
        assert bound[0]["n"] == 2


def test_same_idempotency_key_at_once_creates_one_case_and_one_answer(rpc, services, dsn):
    actor = person(rpc)
    key = str(uuid.uuid4())
    body = form(rpc, actor)

    def send(_):
        with cluster(services) as proxy:
            return proxy.applications.submit(actor, body, key)

    answers = list(eventlet.GreenPool(8).imap(send, range(8)))
    assert all(a == answers[0] for a in answers) and answers[0]["status"] == 201
    assert len(db_rows(dsn, "SELECT 1 FROM applications WHERE applicant_id = %s", actor["user_id"])) == 1


def test_withdraw_racing_approve_or_reject_has_one_winner_and_everything_agrees(rpc, services, dsn, probe):
    actor = person(rpc)
    for round_number in range(8):
        case = rpc.applications.submit(actor, form(rpc, actor))["body"]
        app_id = case["application_id"]
        decide = ("approve", {"comment": None}) if round_number % 2 else ("reject", {"reason": "不符合条件"})

        def act(which, app_id=app_id, decide=decide):
            with cluster(services) as proxy:
                try:
                    if which == "withdraw":
                        return which, proxy.applications.withdraw(actor, app_id)["status"]
                    return which, getattr(proxy.applications, decide[0])(REVIEWER, app_id, decide[1])["status"]
                except errors.Conflict as exc:
                    return which, exc.code

        results = dict(eventlet.GreenPool(2).imap(act, ["withdraw", "decide"]))
        winners = [v for v in results.values() if v in ("withdrawn", "approved", "rejected")]
        losers = [v for v in results.values() if v in ("NOT_WITHDRAWABLE", "NOT_PENDING")]
        assert len(winners) == 1 and len(losers) == 1, results
        [row] = db_rows(dsn, "SELECT status, version FROM applications WHERE application_id = %s", app_id)
        events = db_rows(dsn, "SELECT type FROM events WHERE stream_id = %s ORDER BY stream_version", app_id)
        published = probe.events_of(app_id, 2)
        assert row == {"status": winners[0], "version": 2}
        assert [e["type"] for e in events] == [key for key, _ in published]
        assert len(events) == 2
        if winners[0] == "approved":
            break  # an approved person may not apply again


# ---- attachments -----------------------------------------------------------------------------------


def test_upload_is_stored_privately_under_a_random_key(rpc, dsn):
    actor = person(rpc)
    content = jpeg()
    answer = upload(rpc, actor, "id_card", content)
    [row] = db_rows(dsn, "SELECT * FROM attachments WHERE attachment_id = %s", answer["attachment_id"])
    assert row["stored"] and row["size"] == len(content) and row["sha256"] == hashlib.sha256(content).hexdigest()
    assert actor["user_id"] not in row["object_key"] and answer["attachment_id"] not in row["object_key"]
    store = bucket()
    assert store.size(row["object_key"]) == len(content)
    public = requests.get(
        f"{objects.config.s3_endpoint_url()}/{objects.config.s3_bucket()}/{row['object_key']}", timeout=5
    )
    assert public.status_code == 403  # only signed requests read it
    block = store.s3.get_public_access_block(Bucket=store.name)["PublicAccessBlockConfiguration"]
    assert all(block.values())


def test_an_upload_must_arrive_whole_and_belongs_to_its_uploader(rpc):
    actor, other = person(rpc), person(rpc)
    meta = {"kind": "id_card", "filename": "a.png", "size": 1000, "content_type": "image/png", "sha256": "0" * 64}
    issued = rpc.applications.prepare_upload(actor, meta, None)
    bucket().put(issued["object_key"], png(), len(png()), "image/png")
    with pytest.raises(errors.InvalidInput) as exc:
        rpc.applications.record_upload(actor, issued["attachment_id"], meta, None)
    assert "file" in exc.value.details
    with pytest.raises(errors.NotFound):
        rpc.applications.record_upload(other, issued["attachment_id"], {**meta, "size": len(png())}, None)
    never_put = rpc.applications.prepare_upload(actor, meta, None)
    with pytest.raises(errors.InvalidInput):
        rpc.applications.record_upload(actor, never_put["attachment_id"], meta, None)


def test_unbound_uploads_are_purged_after_a_day_from_bucket_and_database(rpc, dsn, services):
    actor = person(rpc)
    case = rpc.applications.submit(actor, form(rpc, actor))["body"]
    stale = upload(rpc, actor, "other", pdf("stale"))["attachment_id"]
    fresh = upload(rpc, actor, "other", pdf("fresh"))["attachment_id"]
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "UPDATE attachments SET created_at = now() - interval '25 hours' "
            "WHERE attachment_id = %s OR application_id = %s",
            (stale, case["application_id"]),
        )
    [stale_row] = db_rows(dsn, "SELECT object_key FROM attachments WHERE attachment_id = %s", stale)
    import io

    from services.applications.cli import purge_uploads

    assert purge_uploads(out=io.StringIO()) >= 1
    assert not db_rows(dsn, "SELECT 1 FROM attachments WHERE attachment_id = %s", stale)
    assert db_rows(dsn, "SELECT 1 FROM attachments WHERE attachment_id = %s", fresh)
    assert len(db_rows(dsn, "SELECT 1 FROM attachments WHERE application_id = %s", case["application_id"])) == 2
    assert bucket().size(stale_row["object_key"]) is None


# ---- read models -----------------------------------------------------------------------------------


def test_rebuilding_the_read_model_reproduces_the_live_one(rpc, dsn):
    actor = person(rpc)
    case = rpc.applications.submit(actor, form(rpc, actor))["body"]
    rpc.applications.approve(REVIEWER, case["application_id"], {"comment": "好"})
    # A case returned and still waiting, and one returned, resubmitted and returned again.
    for rounds in (1, 2):
        other = person(rpc)
        case = rpc.applications.submit(other, form(rpc, other))["body"]
        for n in range(rounds):
            if n:
                rpc.applications.resubmit(other, case["application_id"], form(rpc, other, school="山西大学"))
            rpc.applications.return_for_correction(
                REVIEWER, case["application_id"], {"reason": f"第{n + 1}次退回", "items": ["补充材料"]}
            )
    returned = db_rows(
        dsn, "SELECT status, return_reason, school FROM applications WHERE application_id = %s", case["application_id"]
    )
    assert returned == [{"status": "returned", "return_reason": "第2次退回", "school": "山西大学"}]
    query = "SELECT * FROM applications ORDER BY application_id"
    live = db_rows(dsn, query)
    with psycopg.connect(dsn, autocommit=True) as conn:
        projections.rebuild(conn, READ_MODEL_TABLES, project)
    assert db_rows(dsn, query) == live


def test_my_cases_and_queue_queries_use_their_indexes(dsn):
    with psycopg.connect(dsn) as conn:
        conn.execute("SET enable_seqscan = off")
        plan = "\n".join(
            r[0]
            for r in conn.execute(
                "EXPLAIN SELECT * FROM applications WHERE applicant_id = %s ORDER BY submitted_at DESC LIMIT 20",
                (str(uuid.uuid4()),),
            ).fetchall()
        )
    assert "applications_mine" in plan
