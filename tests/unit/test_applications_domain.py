"""The application aggregate: every rule and transition, with boundary dates."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest

from common import errors
from contracts.applications import PUBLISHED, message_payload
from services.applications import domain
from tests import factories

TODAY = date(2026, 11, 29)
ME = str(uuid.uuid4())
REVIEWER = {"user_id": str(uuid.uuid4()), "roles": ["reviewer"], "jurisdiction": None}
TAIYUAN = {"city_code": "140100", "county_code": "140105"}


@dataclass
class Stored:
    """A stored event as common.eventstore returns it."""

    type: str
    payload: dict
    stream_version: int
    stream_id: uuid.UUID = field(default_factory=uuid.uuid4)
    event_id: uuid.UUID = field(default_factory=uuid.uuid4)
    occurred_at: datetime = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


def attachment(kind, owner=ME, application_id=None, stored=True):
    return {
        "attachment_id": str(uuid.uuid4()),
        "owner_id": owner,
        "kind": kind,
        "application_id": application_id,
        "stored": stored,
    }


def form(category="graduate", attachments=("id_card", "diploma"), **overrides):
    rows = [attachment(k) for k in attachments]
    body = {
        "category": category,
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
        "attachment_ids": [r["attachment_id"] for r in rows],
        "declaration_accepted": True,
    }
    body.update(overrides)
    return body, {r["attachment_id"]: r for r in rows}


def submit(body, rows, id_number=None, active=None, today=TODAY):
    id_number = id_number or factories.id_number(birth=date(2003, 5, 17), male=True)
    return domain.submit(body, ME, id_number, rows, active, today, "JX20261129000001")


def problems(exc_info):
    return exc_info.value.details


def submitted_state(status_events=()):
    body, rows = form()
    events = submit(body, rows)
    stored = [Stored(e.type, e.payload(), i + 1) for i, e in enumerate(events)]
    state = domain.fold(stored)
    for extra in status_events:
        stored.append(Stored(extra.type, extra.payload(), state.version + 1, stream_id=stored[0].stream_id))
        state = domain.fold(stored)
    return state


# ---- submission -------------------------------------------------------------------------------


def test_valid_graduate_submission_makes_one_event_without_personal_numbers():
    body, rows = form()
    [event] = submit(body, rows)
    assert event.type == "application_submitted"
    payload = event.payload()
    assert payload["case_number"] == "JX20261129000001"
    assert payload["jurisdiction"] == TAIYUAN and payload["category"] == "graduate"
    assert "phone" not in payload and "id_number" not in payload
    assert "13812345678" not in str(payload)


@pytest.mark.parametrize("field_name,value", [("declaration_accepted", False), ("declaration_accepted", None)])
def test_declaration_must_be_accepted(field_name, value):
    body, rows = form(**{field_name: value})
    with pytest.raises(errors.InvalidInput) as exc:
        submit(body, rows)
    assert "declaration_accepted" in problems(exc)


def test_gender_must_match_the_id_number():
    body, rows = form(gender="女")
    with pytest.raises(errors.InvalidInput) as exc:
        submit(body, rows, id_number=factories.id_number(male=True))
    assert "gender" in problems(exc)
    body, rows = form(gender="女")
    assert submit(body, rows, id_number=factories.id_number(male=False))


@pytest.mark.parametrize(
    "graduated,ok",
    [
        (date(2024, 11, 29), True),  # exactly two years ago: still inside
        (date(2024, 11, 28), False),  # two years and a day
        (date(2026, 11, 29), True),  # today
        (date(2026, 11, 30), False),  # in the future
    ],
)
def test_graduates_within_two_years(graduated, ok):
    for category in domain.GRADUATE_CATEGORIES:
        body, rows = form(category=category, graduation_date=graduated)
        if ok:
            assert submit(body, rows)
        else:
            with pytest.raises(errors.InvalidInput) as exc:
                submit(body, rows)
            assert "graduation_date" in problems(exc)


@pytest.mark.parametrize(
    "today,ok",
    [
        (date(2026, 2, 28), True),  # graduated 29 Feb 2024: the second anniversary falls on 1 March 2026
        (date(2026, 3, 1), True),
        (date(2026, 3, 2), False),
    ],
)
def test_leap_day_graduation(today, ok):
    body, rows = form(graduation_date=date(2024, 2, 29))
    if ok:
        assert submit(body, rows, today=today)
    else:
        with pytest.raises(errors.InvalidInput) as exc:
            submit(body, rows, today=today)
        assert "graduation_date" in problems(exc)


def test_graduate_categories_need_a_graduation_date_school_and_major():
    body, rows = form(graduation_date=None, school=None, major=None)
    with pytest.raises(errors.InvalidInput) as exc:
        submit(body, rows)
    assert {"graduation_date", "school", "major"} <= set(problems(exc))


def youth(birth, today, **overrides):
    fields = {
        "graduation_date": None,
        "major": None,
        "unemployment_registration_number": "1401052026000123",
        **overrides,
    }
    body, rows = form(category="unemployed_youth", attachments=("id_card", "unemployment_registration"), **fields)
    return submit(body, rows, id_number=factories.id_number(birth=birth), today=today)


@pytest.mark.parametrize(
    "birth,ok",
    [
        (date(2010, 11, 29), True),  # 16th birthday today
        (date(2010, 11, 30), False),  # 16 tomorrow
        (date(2001, 11, 30), True),  # 25 tomorrow: still 24
        (date(2001, 11, 29), False),  # 25th birthday today
    ],
)
def test_unemployed_youth_is_16_to_24_in_full_years(birth, ok):
    if ok:
        assert youth(birth, TODAY)
    else:
        with pytest.raises(errors.InvalidInput) as exc:
            youth(birth, TODAY)
        assert "category" in problems(exc)


@pytest.mark.parametrize(
    "today,ok",
    [
        (date(2024, 2, 28), False),  # born 29 Feb 2008: 16th birthday on 29 Feb 2024 (a leap year)
        (date(2024, 2, 29), True),
    ],
)
def test_leap_day_birthday_in_a_leap_year(today, ok):
    if ok:
        assert youth(date(2008, 2, 29), today)
    else:
        with pytest.raises(errors.InvalidInput):
            youth(date(2008, 2, 29), today)


@pytest.mark.parametrize(
    "today,ok",
    [
        (date(2029, 2, 28), True),  # born 29 Feb 2004: in the common year 2029 the 25th birthday is 1 March
        (date(2029, 3, 1), False),
    ],
)
def test_leap_day_birthday_in_a_common_year(today, ok):
    if ok:
        assert youth(date(2004, 2, 29), today)
    else:
        with pytest.raises(errors.InvalidInput):
            youth(date(2004, 2, 29), today)


def test_full_years_and_anniversaries():
    assert domain.full_years(date(2004, 2, 29), date(2005, 2, 28)) == 0
    assert domain.full_years(date(2004, 2, 29), date(2005, 3, 1)) == 1
    assert domain.anniversary(date(2024, 2, 29), 2) == date(2026, 3, 1)
    assert domain.anniversary(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_unemployed_youth_needs_the_registration_number_and_document():
    with pytest.raises(errors.InvalidInput) as exc:
        youth(date(2005, 1, 1), TODAY, unemployment_registration_number=None)
    assert "unemployment_registration_number" in problems(exc)
    body, rows = form(
        category="unemployed_youth",
        attachments=("id_card",),
        graduation_date=None,
        unemployment_registration_number="1401052026000123",
    )
    with pytest.raises(errors.InvalidInput) as exc:
        submit(body, rows, id_number=factories.id_number(birth=date(2005, 1, 1)))
    assert "失业登记证明" in problems(exc)["attachment_ids"][0]


@pytest.mark.parametrize(
    "category,kinds,missing",
    [
        ("graduate", ("diploma",), "身份证"),
        ("vocational_graduate", ("id_card",), "毕业证书"),
        ("returned_overseas", ("id_card", "degree_verification"), "毕业证书"),
    ],
)
def test_required_attachments_per_category(category, kinds, missing):
    body, rows = form(category=category, attachments=kinds)
    with pytest.raises(errors.InvalidInput) as exc:
        submit(body, rows)
    assert missing in problems(exc)["attachment_ids"][0]


def test_only_own_stored_unused_uploads_qualify():
    body, rows = form()
    first = body["attachment_ids"][0]
    for change in ({"owner_id": str(uuid.uuid4())}, {"stored": False}, {"application_id": str(uuid.uuid4())}):
        altered = {**rows, first: {**rows[first], **change}}
        with pytest.raises(errors.InvalidInput) as exc:
            submit(body, altered)
        assert "attachment_ids" in problems(exc)
    unknown = {k: v for k, v in rows.items() if k != first}
    with pytest.raises(errors.InvalidInput):
        submit(body, unknown)


@pytest.mark.parametrize(
    "jurisdiction,field_name",
    [
        ({"city_code": "999999", "county_code": None}, "jurisdiction.city_code"),
        ({"city_code": "140100", "county_code": "140212"}, "jurisdiction.county_code"),  # a Datong county
        ({"city_code": "140100", "county_code": "149999"}, "jurisdiction.county_code"),
    ],
)
def test_jurisdiction_must_be_in_the_province(jurisdiction, field_name):
    body, rows = form(jurisdiction=jurisdiction)
    with pytest.raises(errors.InvalidInput) as exc:
        submit(body, rows)
    assert field_name in problems(exc)


def test_city_level_jurisdiction_is_allowed():
    body, rows = form(jurisdiction={"city_code": "140100", "county_code": None})
    [event] = submit(body, rows)
    assert event.jurisdiction == {"city_code": "140100", "county_code": None}


def test_one_active_application_per_person():
    body, rows = form()
    with pytest.raises(errors.Conflict) as exc:
        submit(body, rows, active={"application_id": uuid.uuid4(), "case_number": "JX20261128000007"})
    assert exc.value.code == "ACTIVE_APPLICATION_EXISTS"


# ---- transitions --------------------------------------------------------------------------------


def test_fold_builds_state_and_history():
    state = submitted_state()
    assert state.status == "pending" and state.version == 1 and state.applicant_id == ME
    [step] = domain.timeline(state)
    assert step["type"] == "application_submitted" and step["by"] == ME
    assert step["at"] == "2026-11-29T10:00:00+08:00"


def test_withdraw_only_by_the_owner_and_only_while_pending():
    state = submitted_state()
    with pytest.raises(errors.NotFound):
        domain.withdraw(state, str(uuid.uuid4()))
    [event] = domain.withdraw(state, ME)
    assert event.type == "application_withdrawn"
    withdrawn = submitted_state([event])
    assert withdrawn.status == "withdrawn"
    with pytest.raises(errors.Conflict) as exc:
        domain.withdraw(withdrawn, ME)
    assert exc.value.code == "NOT_WITHDRAWABLE"
    approved = submitted_state(domain.approve(state, REVIEWER))
    with pytest.raises(errors.Conflict) as exc:
        domain.withdraw(approved, ME)
    assert exc.value.code == "NOT_WITHDRAWABLE"


def test_unknown_application_is_not_found():
    empty = domain.fold([])
    with pytest.raises(errors.NotFound):
        domain.withdraw(empty, ME)
    with pytest.raises(errors.NotFound):
        domain.approve(empty, REVIEWER)
    with pytest.raises(errors.NotFound):
        domain.ensure_visible(empty, {"user_id": ME, "roles": ["applicant"]})


def test_approve_and_reject_only_while_pending():
    state = submitted_state()
    [approved] = domain.approve(state, REVIEWER, "  材料齐全  ")
    assert approved.comment == "材料齐全" and approved.jurisdiction == TAIYUAN
    assert approved.reviewer_id == REVIEWER["user_id"]
    done = submitted_state([approved])
    assert done.status == "approved" and done.version == 2
    for command in (lambda s: domain.approve(s, REVIEWER), lambda s: domain.reject(s, REVIEWER, "材料不全")):
        with pytest.raises(errors.Conflict) as exc:
            command(done)
        assert exc.value.code == "NOT_PENDING"
    [rejected] = domain.reject(state, REVIEWER, "毕业证书不清晰")
    rejected_state = submitted_state([rejected])
    assert rejected_state.status == "rejected"
    with pytest.raises(errors.Conflict):
        domain.approve(rejected_state, REVIEWER)
    history = domain.timeline(rejected_state)
    assert [h["type"] for h in history] == ["application_submitted", "application_rejected"]
    assert history[1]["reason"] == "毕业证书不清晰" and history[1]["by"] == REVIEWER["user_id"]


@pytest.mark.parametrize(
    "reason,ok",
    [
        ("", False),
        ("差", False),
        ("  差 ", False),
        ("不符", True),
        ("原" * 500, True),
        ("原" * 501, False),
        (None, False),
    ],
)
def test_reject_reason_is_2_to_500_characters(reason, ok):
    state = submitted_state()
    if ok:
        assert domain.reject(state, REVIEWER, reason)
    else:
        with pytest.raises(errors.InvalidInput) as exc:
            domain.reject(state, REVIEWER, reason)
        assert "reason" in problems(exc)


def test_comment_is_at_most_500_characters():
    state = submitted_state()
    with pytest.raises(errors.InvalidInput) as exc:
        domain.approve(state, REVIEWER, "意" * 501)
    assert "comment" in problems(exc)


def test_reviewers_decide_only_inside_their_jurisdiction():
    state = submitted_state()  # 太原市小店区
    same_county = {**REVIEWER, "jurisdiction": {"city_code": "140100", "county_code": "140105"}}
    same_city = {**REVIEWER, "jurisdiction": {"city_code": "140100", "county_code": None}}
    other_county = {**REVIEWER, "jurisdiction": {"city_code": "140100", "county_code": "140106"}}
    other_city = {**REVIEWER, "jurisdiction": {"city_code": "140200", "county_code": None}}
    assert domain.approve(state, same_county) and domain.approve(state, same_city)
    for outsider in (other_county, other_city):
        with pytest.raises(errors.NotFound):
            domain.approve(state, outsider)
        with pytest.raises(errors.NotFound):
            domain.reject(state, outsider, "不符合条件")
        with pytest.raises(errors.NotFound):
            domain.ensure_visible(state, outsider)
    with pytest.raises(errors.Forbidden):
        domain.approve(state, {"user_id": ME, "roles": ["applicant"]})


def test_visibility_owner_and_reviewers_only():
    state = submitted_state()
    domain.ensure_visible(state, {"user_id": ME, "roles": ["applicant"]})
    domain.ensure_visible(state, REVIEWER)
    with pytest.raises(errors.NotFound):
        domain.ensure_visible(state, {"user_id": str(uuid.uuid4()), "roles": ["applicant"]})


def test_published_payloads_follow_the_contract():
    state = submitted_state()
    body, rows = form()
    [submitted] = submit(body, rows)
    stored = Stored(submitted.type, submitted.payload(), 1)
    message = message_payload(stored)
    assert set(message) == {
        "event_id",
        "application_id",
        "applicant_id",
        "stream_version",
        "occurred_at",
        "case_number",
        "jurisdiction",
        "category",
    }
    [approved] = domain.approve(state, REVIEWER, "同意")
    message = message_payload(Stored(approved.type, approved.payload(), 2))
    assert set(message) == {
        "event_id",
        "application_id",
        "applicant_id",
        "stream_version",
        "occurred_at",
        "jurisdiction",
        "reviewer_id",
        "comment",
    }
    [rejected] = domain.reject(state, REVIEWER, "不符合条件")
    message = message_payload(Stored(rejected.type, rejected.payload(), 2))
    assert set(message) == {
        "event_id",
        "application_id",
        "applicant_id",
        "stream_version",
        "occurred_at",
        "reviewer_id",
        "reason",
    }
    [withdrawn] = domain.withdraw(state, ME)
    message = message_payload(Stored(withdrawn.type, withdrawn.payload(), 2))
    assert set(message) == {"event_id", "application_id", "applicant_id", "stream_version", "occurred_at"}


def test_case_numbers():
    assert domain.case_number(date(2026, 11, 29), 42) == "JX20261129000042"
    with pytest.raises(errors.ServiceUnavailable):
        domain.case_number(date(2026, 11, 29), 1_000_000)


# ---- 退回补正 and resubmission: every transition allowed and refused --------------------------


def state_in(status):
    """A case brought to `status` by the events that lead there."""
    body, rows = form()
    [submitted] = submit(body, rows)
    stored = [Stored(submitted.type, submitted.payload(), 1)]
    state = domain.fold(stored)
    step = {
        "pending": None,
        "approved": lambda s: domain.approve(s, REVIEWER),
        "rejected": lambda s: domain.reject(s, REVIEWER, "不符合条件"),
        "withdrawn": lambda s: domain.withdraw(s, ME),
        "returned": lambda s: domain.return_for_correction(s, REVIEWER, "材料不全", ["补充毕业证书"]),
    }[status]
    if step:
        [event] = step(state)
        stored.append(Stored(event.type, event.payload(), 2, stream_id=stored[0].stream_id))
        state = domain.fold(stored)
    assert state.status == status
    return state


def resubmission(state, today=TODAY, **overrides):
    body, rows = form(**overrides)
    return domain.resubmit(state, body, ME, factories.id_number(birth=date(2003, 5, 17), male=True), rows, today)


COMMANDS = {
    "withdraw": (lambda s: domain.withdraw(s, ME), "NOT_WITHDRAWABLE", ("pending", "returned")),
    "approve": (lambda s: domain.approve(s, REVIEWER), "NOT_PENDING", ("pending",)),
    "reject": (lambda s: domain.reject(s, REVIEWER, "不符合条件"), "NOT_PENDING", ("pending",)),
    "return": (lambda s: domain.return_for_correction(s, REVIEWER, "材料不全"), "NOT_PENDING", ("pending",)),
    "resubmit": (resubmission, "NOT_RETURNED", ("returned",)),
}
RESULT = {
    "withdraw": "withdrawn",
    "approve": "approved",
    "reject": "rejected",
    "return": "returned",
    "resubmit": "pending",
}


@pytest.mark.parametrize("status", list(domain.STATUS_LABELS))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_transition_allowed_and_refused(command, status):
    decide, code, allowed_from = COMMANDS[command]
    state = state_in(status)
    if status in allowed_from:
        [event] = decide(state)
        after = domain.apply(state, Stored(event.type, event.payload(), state.version + 1))
        assert after.status == RESULT[command]
    else:
        with pytest.raises(errors.Conflict) as exc:
            decide(state)
        assert exc.value.code == code and exc.value.details == {"status": status}


def test_returned_carries_reason_and_items_into_state_and_history():
    state = state_in("returned")
    assert (state.return_reason, state.return_items) == ("材料不全", ("补充毕业证书",))
    step = domain.timeline(state)[-1]
    assert step["type"] == "application_returned" and step["items"] == ["补充毕业证书"]
    assert step["by"] == REVIEWER["user_id"] and step["reason"] == "材料不全"


@pytest.mark.parametrize(
    "reason,items,bad",
    [
        ("退", [], "reason"),
        ("退" * 501, [], "reason"),
        ("材料不全", ["项"] * 21, "items"),
        ("材料不全", ["  "], "items"),
        ("材料不全", ["项" * 101], "items"),
    ],
)
def test_return_reason_and_items_bounds(reason, items, bad):
    with pytest.raises(errors.InvalidInput) as exc:
        domain.return_for_correction(state_in("pending"), REVIEWER, reason, items)
    assert bad in problems(exc)


def test_return_accepts_the_bounds():
    [event] = domain.return_for_correction(state_in("pending"), REVIEWER, "退回", ["项" * 100] * 20)
    assert len(event.items) == 20
    payload = message_payload(Stored(event.type, event.payload(), 2))
    assert set(payload) - {"event_id", "application_id", "applicant_id", "stream_version", "occurred_at"} == {
        "reviewer_id",
        "reason",
        "items",
    }


def test_only_reviewers_of_the_jurisdiction_return_and_only_the_owner_resubmits():
    outsider = {
        "user_id": str(uuid.uuid4()),
        "roles": ["reviewer"],
        "jurisdiction": {"city_code": "140200", "county_code": None},
    }
    with pytest.raises(errors.NotFound):
        domain.return_for_correction(state_in("pending"), outsider, "材料不全")
    with pytest.raises(errors.Forbidden):
        domain.return_for_correction(state_in("pending"), {"user_id": ME, "roles": ["applicant"]}, "材料不全")
    body, rows = form()
    with pytest.raises(errors.NotFound):
        domain.resubmit(state_in("returned"), body, str(uuid.uuid4()), factories.id_number(), rows, TODAY)


@pytest.mark.parametrize(
    "today,ok",
    [
        (date(2028, 6, 30), True),  # graduated 2026-06-30: eligible through the second anniversary
        (date(2028, 7, 1), False),
    ],
)
def test_resubmission_judges_graduation_on_its_own_day(today, ok):
    state = state_in("returned")
    if ok:
        [event] = resubmission(state, today)
        assert event.type == "application_resubmitted"
        assert set(message_payload(Stored(event.type, event.payload(), 3))) >= {"jurisdiction", "category"}
    else:
        with pytest.raises(errors.InvalidInput) as exc:
            resubmission(state, today)
        assert "graduation_date" in problems(exc)


@pytest.mark.parametrize(
    "today,ok",
    [
        (date(2028, 5, 16), True),  # born 2003-05-17: 24 until the day before the 25th birthday
        (date(2028, 5, 17), False),
    ],
)
def test_resubmission_judges_youth_age_on_its_own_day(today, ok):
    state = state_in("returned")

    def call():
        return resubmission(
            state,
            today,
            category="unemployed_youth",
            attachments=("id_card", "unemployment_registration"),
            unemployment_registration_number="1401052026000123",
        )

    if ok:
        assert call()
    else:
        with pytest.raises(errors.InvalidInput) as exc:
            call()
        assert "category" in problems(exc)


def test_resubmission_may_reuse_the_case_s_own_uploads_but_not_another_case_s():
    state = state_in("returned")
    body, rows = form()
    for row in rows.values():
        row["application_id"] = state.application_id
    assert resubmission_with(state, body, rows)
    for row in rows.values():
        row["application_id"] = str(uuid.uuid4())
    with pytest.raises(errors.InvalidInput) as exc:
        resubmission_with(state, body, rows)
    assert "已用于其他申请" in problems(exc)["attachment_ids"][0]


def resubmission_with(state, body, rows):
    return domain.resubmit(state, body, ME, factories.id_number(birth=date(2003, 5, 17), male=True), rows, TODAY)


def test_every_event_type_is_published_with_fields_it_stores():
    assert set(domain.EVENTS) == set(PUBLISHED)
    for name, cls in domain.EVENTS.items():
        assert cls.type == name
        assert set(PUBLISHED[name]) <= set(cls.__dataclass_fields__)
