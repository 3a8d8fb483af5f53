"""The applications use cases with in-memory fakes of the store, identity and bucket (no mocks).

The fake store projects with the same `row` definitions of each event type that
store.project turns into SQL, and rolls a failed transaction back.
"""

import contextlib
import copy
import itertools
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from common import errors, eventstore
from services.applications import domain, usecases
from tests import factories

SUBMITTED_ON = date(2026, 11, 29)
TAIYUAN = {"city_code": "140100", "county_code": "140105"}
ID_NUMBER = factories.id_number(birth=date(2003, 5, 17), male=True)


class FakeTransaction:
    def __init__(self, store):
        self.store = store
        self.saved = store.snapshot()
        self.started = store.now()

    def started_at(self):
        return self.started

    def claim(self, owner_id, scope, key):
        found = self.store.keys.get((owner_id, scope, key))
        if found is None:
            self.store.keys[(owner_id, scope, key)] = {"status": None, "body": None}
        return found

    def remember(self, owner_id, scope, key, answer):
        self.store.keys[(owner_id, scope, key)] = dict(answer)

    def lock_person(self, owner_id):
        """One process, one thread: nothing to wait for."""

    def active_case(self, owner_id):
        for row in self.store.rows.values():
            if row["applicant_id"] == owner_id and row["status"] in domain.ACTIVE_STATUSES:
                return row
        return None

    def attachments(self, attachment_ids):
        """Copies, as rows read from the database are: binding them later in the command leaves these as read."""
        return {str(a): dict(self.store.uploads[str(a)]) for a in attachment_ids if str(a) in self.store.uploads}

    def next_case_number(self):
        self.store.serial += 1
        return domain.case_number(SUBMITTED_ON, self.store.serial)

    def stream(self, application_id):
        events = list(self.store.events.get(application_id, []))
        while self.store.interleave:
            # Another writer commits after this read: its changes survive this transaction's rollback.
            self.store.interleave.pop(0)()
            self.saved = self.store.snapshot()
        return events

    def record(self, application_id, expected_version, events, metadata):
        stream = self.store.events.setdefault(application_id, [])
        if len(stream) != expected_version:
            raise eventstore.ConcurrencyConflict()
        stored = []
        for event in events:
            stored_event = eventstore.Event(
                position=next(self.store.positions),
                event_id=uuid.uuid4(),
                stream_id=application_id,
                stream_version=len(stream) + 1,
                type=event.type,
                payload=event.payload(),
                metadata=metadata,
                occurred_at=self.started_at(),
            )
            stream.append(stored_event)
            self.store.project(stored_event)
            stored.append(stored_event)
        return stored

    def add_particulars(self, application_id, particulars):
        self.store.particulars[application_id] = dict(particulars)

    def update_particulars(self, application_id, particulars):
        self.store.particulars[application_id].update(particulars)

    def bind_attachments(self, application_id, attachment_ids):
        for attachment_id in attachment_ids:
            self.store.uploads[str(attachment_id)]["application_id"] = application_id


class FakeStore:
    STATE = ("events", "rows", "particulars", "uploads", "keys", "serial")

    def __init__(self):
        self.events, self.rows, self.particulars, self.uploads, self.keys = {}, {}, {}, {}, {}
        self.serial = 0
        self.positions = itertools.count(1)
        self.clock = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
        self.interleave = []  # writers that commit between a command's read and its append

    def now(self):
        self.clock += timedelta(seconds=1)
        return self.clock

    def snapshot(self):
        return {name: copy.deepcopy(getattr(self, name)) for name in self.STATE}

    @contextlib.contextmanager
    def transaction(self):
        tx = FakeTransaction(self)
        try:
            yield tx
        except BaseException:
            for name, value in tx.saved.items():
                setattr(self, name, value)
            raise

    def project(self, event):
        domain_event = domain.decode(event)
        row = domain_event.row(event.occurred_at)
        if row.get("graduation_date"):  # a date column, as PostgreSQL returns it
            row["graduation_date"] = date.fromisoformat(row["graduation_date"])
        if domain_event.creates:
            self.rows[event.stream_id] = {
                "application_id": event.stream_id,
                "decided_at": None,
                "reviewer_id": None,
                "comment": None,
                "reason": None,
                "return_reason": None,
                "return_items": None,
            }
        self.rows[event.stream_id].update(row, version=event.stream_version)

    def answer(self, owner_id, scope, key):
        found = self.keys.get((owner_id, scope, key))
        return found if found and found["status"] is not None else None

    def case(self, application_id):
        state = domain.fold(self.events.get(application_id, []), str(application_id))
        if not state.exists:
            return state, None, None, []
        attachments = [a for a in self.uploads.values() if a["application_id"] == application_id]
        return state, self.rows[application_id], self.particulars[application_id], attachments

    def verification(self, case_number):
        for application_id, row in self.rows.items():
            if row["case_number"] == case_number:
                return {**row, **self.particulars[application_id]}
        return None

    def upload(self, owner_id, kind):
        attachment_id = str(uuid.uuid4())
        self.uploads[attachment_id] = {
            "attachment_id": attachment_id,
            "owner_id": owner_id,
            "kind": kind,
            "stored": True,
            "application_id": None,
            "object_key": f"attachments/{attachment_id}",
            "filename": f"{kind}.pdf",
            "size": 1,
            "content_type": "application/pdf",
            "sha256": "0" * 64,
        }
        return attachment_id


class World:
    """A store, an identity record per person, and the use cases as one person or reviewer calls them."""

    def __init__(self):
        self.store = FakeStore()
        self.today = SUBMITTED_ON
        self.people = {}

    def person(self):
        user_id = str(uuid.uuid4())
        self.people[user_id] = {"real_name": "张三丰", "id_number": ID_NUMBER}
        return {"user_id": user_id, "roles": ["applicant"], "jurisdiction": None}

    def cases(self):
        return usecases.Applications(
            self.store,
            self.people.__getitem__,
            lambda attachment_id: f"/api/v1/attachments/{attachment_id}/content",
            today=lambda: self.today,
            new_code=lambda: "ABCD2345EF",
        )

    def form(self, actor, **overrides):
        body = {
            "category": "graduate",
            "gender": "男",
            "education": "本科",
            "school": "山西大学",
            "major": "计算机科学",
            "graduation_date": date(2026, 6, 30),
            "household_address": "太原市小店区",
            "current_address": "太原市迎泽区",
            "phone": "13812345678",
            "unemployment_registration_number": None,
            "jurisdiction": dict(TAIYUAN),
            "attachment_ids": [
                self.store.upload(actor["user_id"], "id_card"),
                self.store.upload(actor["user_id"], "diploma"),
            ],
            "declaration_accepted": True,
        }
        body.update(overrides)
        return body


REVIEWER = {"user_id": str(uuid.uuid4()), "roles": ["reviewer"], "jurisdiction": None}


@pytest.fixture
def world():
    return World()


def submitted(world, actor=None, key=None):
    actor = actor or world.person()
    answer = world.cases().submit(actor, world.form(actor), key)
    return actor, uuid.UUID(answer["body"]["application_id"])


def test_submit_records_the_case_with_particulars_code_and_bound_uploads(world):
    actor = world.person()
    form = world.form(actor)
    answer = world.cases().submit(actor, form, None)
    assert answer["status"] == 201
    body = answer["body"]
    assert body["case_number"] == "JX20261129000001" and body["status_label"] == "未审核"
    application_id = uuid.UUID(body["application_id"])
    assert all(world.store.uploads[a]["application_id"] == application_id for a in form["attachment_ids"])
    detail = world.cases().detail(actor, application_id)
    assert detail["status"] == "pending" and detail["verification_code"] == "ABCD2345EF"
    assert detail["real_name"] == "张三丰" and detail["phone_masked"] == "138****5678"
    assert [a["attachment_id"] for a in detail["attachments"]] == form["attachment_ids"]
    assert [step["type"] for step in detail["history"]] == ["application_submitted"]


def test_a_repeated_key_answers_as_the_first_time_and_creates_nothing(world):
    actor = world.person()
    first = world.cases().submit(actor, world.form(actor), "key-1")
    again = world.cases().submit(actor, world.form(actor), "key-1")
    assert again == first and len(world.store.events) == 1


def test_a_second_active_case_is_refused_and_leaves_nothing_behind(world):
    actor, _ = submitted(world)
    form = world.form(actor)
    with pytest.raises(errors.Conflict) as exc:
        world.cases().submit(actor, form, None)
    assert exc.value.code == "ACTIVE_APPLICATION_EXISTS"
    assert len(world.store.events) == 1 and world.store.serial == 1
    assert all(world.store.uploads[a]["application_id"] is None for a in form["attachment_ids"])


def test_withdraw_a_pending_case(world):
    actor, case = submitted(world)
    assert world.cases().withdraw(actor, case)["status"] == "withdrawn"
    with pytest.raises(errors.Conflict) as exc:
        world.cases().withdraw(actor, case)
    assert exc.value.code == "NOT_WITHDRAWABLE"


def test_only_the_owner_withdraws(world):
    _, case = submitted(world)
    with pytest.raises(errors.NotFound):
        world.cases().withdraw(world.person(), case)


def test_approve_then_nothing_else(world):
    actor, case = submitted(world)
    detail = world.cases().approve(REVIEWER, case, "材料齐全")
    assert (detail["status"], detail["comment"], detail["reviewer_id"]) == ("approved", "材料齐全", REVIEWER["user_id"])
    assert detail["decided_at"] is not None
    for command in (
        lambda: world.cases().reject(REVIEWER, case, "不符合条件"),
        lambda: world.cases().return_for_correction(REVIEWER, case, "补材料", []),
    ):
        with pytest.raises(errors.Conflict) as exc:
            command()
        assert exc.value.code == "NOT_PENDING"
    with pytest.raises(errors.Conflict):
        world.cases().withdraw(actor, case)


def test_reject_records_the_reason(world):
    _, case = submitted(world)
    detail = world.cases().reject(REVIEWER, case, "  毕业证书不清晰 ")
    assert (detail["status"], detail["reason"]) == ("rejected", "毕业证书不清晰")
    assert detail["history"][-1]["reason"] == "毕业证书不清晰"


def test_return_then_resubmit_brings_the_same_case_back_to_pending(world):
    actor, case = submitted(world)
    returned = world.cases().return_for_correction(REVIEWER, case, "毕业证书不清晰", ["重新上传毕业证书"])
    assert returned["status"] == "returned" and returned["status_label"] == "退回补正"
    assert returned["return_reason"] == "毕业证书不清晰" and returned["return_items"] == ["重新上传毕业证书"]
    old = world.cases().detail(actor, case)["attachments"]
    id_card = next(a["attachment_id"] for a in old if a["kind"] == "id_card")
    new_diploma = world.store.upload(actor["user_id"], "diploma")
    detail = world.cases().resubmit(
        actor, case, world.form(actor, attachment_ids=[id_card, new_diploma], current_address="太原市杏花岭区"), None
    )
    assert detail["status"] == "pending" and detail["case_number"] == returned["case_number"]
    assert detail["return_reason"] is None and detail["decided_at"] is None
    assert {a["attachment_id"] for a in detail["attachments"]} == {id_card, new_diploma}
    assert detail["current_address"] == "太原市杏花岭区" and detail["verification_code"] == "ABCD2345EF"
    assert [s["type"] for s in detail["history"]] == [
        "application_submitted",
        "application_returned",
        "application_resubmitted",
    ]
    assert world.cases().approve(REVIEWER, case, None)["status"] == "approved"


def test_a_returned_case_is_active_and_can_be_withdrawn(world):
    actor, case = submitted(world)
    world.cases().return_for_correction(REVIEWER, case, "请补充材料", [])
    with pytest.raises(errors.Conflict) as exc:
        world.cases().submit(actor, world.form(actor), None)
    assert exc.value.code == "ACTIVE_APPLICATION_EXISTS"
    assert world.cases().withdraw(actor, case)["status"] == "withdrawn"
    assert world.cases().submit(actor, world.form(actor), None)["status"] == 201


def test_resubmit_only_when_returned_and_only_by_the_owner(world):
    actor, case = submitted(world)
    with pytest.raises(errors.Conflict) as exc:
        world.cases().resubmit(actor, case, world.form(actor), None)
    assert exc.value.code == "NOT_RETURNED"
    world.cases().return_for_correction(REVIEWER, case, "请补充材料", [])
    with pytest.raises(errors.NotFound):
        stranger = world.person()
        world.cases().resubmit(stranger, case, world.form(stranger), None)


def test_resubmit_cannot_take_another_case_s_uploads(world):
    actor, old_case = submitted(world)
    world.cases().withdraw(actor, old_case)
    _, case = submitted(world, actor)
    world.cases().return_for_correction(REVIEWER, case, "请补充材料", [])
    old_uploads = [a["attachment_id"] for a in world.cases().detail(actor, old_case)["attachments"]]
    with pytest.raises(errors.InvalidInput) as exc:
        world.cases().resubmit(actor, case, world.form(actor, attachment_ids=old_uploads), None)
    assert "attachment_ids" in exc.value.details


@pytest.mark.parametrize(
    "resubmitted_on,ok",
    [
        (date(2028, 6, 30), True),  # graduated 30 June 2026: the two years end on 30 June 2028
        (date(2028, 7, 1), False),
    ],
)
def test_eligibility_is_judged_again_on_the_day_of_resubmission(world, resubmitted_on, ok):
    actor, case = submitted(world)
    world.cases().return_for_correction(REVIEWER, case, "请补充材料", [])
    world.today = resubmitted_on
    form = world.form(actor)
    if ok:
        assert world.cases().resubmit(actor, case, form, None)["status"] == "pending"
    else:
        with pytest.raises(errors.InvalidInput) as exc:
            world.cases().resubmit(actor, case, form, None)
        assert "graduation_date" in exc.value.details
        assert world.cases().detail(actor, case)["status"] == "returned"


def test_a_repeated_resubmission_key_changes_nothing_more(world):
    actor, case = submitted(world)
    world.cases().return_for_correction(REVIEWER, case, "请补充材料", [])
    form = world.form(actor)
    world.cases().resubmit(actor, case, form, "again")
    assert world.cases().resubmit(actor, case, form, "again")["status"] == "pending"
    assert len(world.store.events[case]) == 3


def test_a_lost_race_is_decided_again_on_the_new_state(world):
    actor, case = submitted(world)
    # The owner withdraws between the reviewer's read and append: the approval re-reads and is refused.
    world.store.interleave.append(lambda: world.cases().withdraw(actor, case))
    with pytest.raises(errors.Conflict) as exc:
        world.cases().approve(REVIEWER, case, None)
    assert exc.value.code == "NOT_PENDING"
    assert world.cases().detail(actor, case)["status"] == "withdrawn"


def test_verification_reveals_only_the_masked_name_status_and_dates(world):
    actor, case = submitted(world)
    number = world.cases().detail(actor, case)["case_number"]
    answer = world.cases().verify(number, "abcd2345ef")
    assert answer["real_name_masked"] == "张**" and answer["status_label"] == "未审核"
    assert set(answer) == {"case_number", "status", "status_label", "real_name_masked", "submitted_at", "decided_at"}
    for wrong in ((number, "WRONGCODE1"), ("JX20261129999999", "ABCD2345EF"), (number, None)):
        with pytest.raises(errors.NotFound) as exc:
            world.cases().verify(*wrong)
        assert exc.value.message == "未找到该办件或校验码不正确"


def test_verification_codes_are_random():
    codes = {usecases.new_verification_code() for _ in range(200)}
    assert len(codes) == 200 and all(len(c) == 10 and set(c) <= set(usecases.CODE_ALPHABET) for c in codes)
