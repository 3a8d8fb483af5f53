"""The intern application (就业见习人员申请): its events, state and every rule. Pure: no I/O.

An application is the fold of its events. Commands (`submit`, `withdraw`,
`approve`, `reject`) take the current state and the facts they need and return
new events, or raise a `common.errors` type naming the field that broke a rule.

Stored events carry no ID number and no phone: the personal particulars of a
submission (name, masked ID number, phone, addresses) live beside the event log
in the service's own table, so the published, immutable log never holds them.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from datetime import date, datetime
from typing import Any, ClassVar, Protocol, TypeVar

from common import clock, errors, regions
from common.validators import id_birth_date, id_gender
from contracts.applications import APPROVED, REJECTED, RESUBMITTED, RETURNED, SUBMITTED, WITHDRAWN
from contracts.vocabulary import APPLICATION_STATUSES as STATUS_LABELS
from contracts.vocabulary import ATTACHMENT_KINDS as KINDS
from contracts.vocabulary import REQUIRED_ATTACHMENT_KINDS as REQUIRED_KINDS

GRADUATE_CATEGORIES = ("graduate", "vocational_graduate", "returned_overseas")
ACTIVE_STATUSES = ("pending", "approved", "returned")
WITHDRAWABLE_STATUSES = ("pending", "returned")

GRADUATION_WINDOW_YEARS = 2
YOUTH_MIN_AGE, YOUTH_MAX_AGE = 16, 24
REASON_MIN, REASON_MAX = 2, 500
COMMENT_MAX = 500
RETURN_ITEMS_MAX, RETURN_ITEM_MAX = 20, 100

# ---- events ---------------------------------------------------------------------------------
# Each event type is defined once, here: its stored fields, how it folds into the aggregate, the step it adds to the history and the
# change it makes to the read-model row (store.project applies that change with SQL). Its
# name and published fields are the contract's (contracts.applications).

Json = dict[str, Any]
Actor = Mapping[str, Any]
Problems = dict[str, list[str]]


class StoredEvent(Protocol):
    """A stored event as common.eventstore returns it (only what the fold reads)."""

    @property
    def type(self) -> str: ...
    @property
    def payload(self) -> Json: ...
    @property
    def stream_version(self) -> int: ...
    @property
    def occurred_at(self) -> datetime: ...


EVENTS: dict[str, type["ApplicationEvent"]] = {}
E = TypeVar("E", bound="type[ApplicationEvent]")


def event_type(cls: E) -> E:
    """Register an event class under its integration name."""
    EVENTS[cls.type] = cls
    return cls


@dataclass(frozen=True)
class ApplicationEvent:
    type: ClassVar[str]
    #: True when the event starts a stream (and inserts the read-model row).
    creates: ClassVar[bool] = False

    def payload(self) -> Json:
        return asdict(self)

    @classmethod
    def from_payload(cls, data: Json) -> "ApplicationEvent":
        return cls(**{f.name: data.get(f.name, f.default if f.default is not MISSING else None) for f in fields(cls)})

    def apply(self, state: "Application", at: datetime) -> "Application":
        """The state after this event (history and version are kept by `apply`)."""
        raise NotImplementedError

    def step(self) -> Json:
        """Who did it and what they said, for the history."""
        raise NotImplementedError

    def row(self, at: datetime) -> Json:
        """The read-model columns this event sets."""
        raise NotImplementedError


@dataclass(frozen=True)
class _Form(ApplicationEvent):
    """The application fields a submission and a resubmission both carry."""

    applicant_id: str
    category: str
    jurisdiction: Json
    gender: str
    education: str
    school: str
    major: str | None
    graduation_date: str | None
    attachment_ids: list[str]
    declaration_accepted: bool = True

    def form_row(self) -> Json:
        return {
            "category": self.category,
            "jurisdiction_city": self.jurisdiction["city_code"],
            "jurisdiction_county": self.jurisdiction.get("county_code"),
            "gender": self.gender,
            "education": self.education,
            "school": self.school,
            "major": self.major,
            "graduation_date": self.graduation_date,
        }

    def step(self) -> Json:
        return {"by": self.applicant_id}


@event_type
@dataclass(frozen=True)
class ApplicationSubmitted(_Form):
    type = SUBMITTED
    creates = True
    case_number: str = ""

    def apply(self, state: "Application", at: datetime) -> "Application":
        return replace(
            state,
            status="pending",
            applicant_id=self.applicant_id,
            case_number=self.case_number,
            category=self.category,
            jurisdiction=self.jurisdiction,
            submitted_at=at,
            attachment_ids=tuple(self.attachment_ids),
        )

    def row(self, at: datetime) -> Json:
        return {
            **self.form_row(),
            "case_number": self.case_number,
            "applicant_id": self.applicant_id,
            "status": "pending",
            "submitted_at": at,
        }


@event_type
@dataclass(frozen=True)
class ApplicationResubmitted(_Form):
    type = RESUBMITTED

    def apply(self, state: "Application", at: datetime) -> "Application":
        return replace(
            state,
            status="pending",
            category=self.category,
            jurisdiction=self.jurisdiction,
            decided_at=None,
            reviewer_id=None,
            return_reason=None,
            return_items=(),
            attachment_ids=tuple(self.attachment_ids),
        )

    def row(self, at: datetime) -> Json:
        return {
            **self.form_row(),
            "status": "pending",
            "decided_at": None,
            "reviewer_id": None,
            "return_reason": None,
            "return_items": None,
        }


@event_type
@dataclass(frozen=True)
class ApplicationWithdrawn(ApplicationEvent):
    type = WITHDRAWN
    applicant_id: str

    def apply(self, state: "Application", at: datetime) -> "Application":
        return replace(state, status="withdrawn", decided_at=at)

    def step(self) -> Json:
        return {"by": self.applicant_id}

    def row(self, at: datetime) -> Json:
        return {"status": "withdrawn", "decided_at": at}


@event_type
@dataclass(frozen=True)
class ApplicationApproved(ApplicationEvent):
    type = APPROVED
    applicant_id: str
    jurisdiction: Json
    reviewer_id: str
    comment: str | None

    def apply(self, state: "Application", at: datetime) -> "Application":
        return replace(state, status="approved", decided_at=at, reviewer_id=self.reviewer_id)

    def step(self) -> Json:
        return {"by": self.reviewer_id, "comment": self.comment}

    def row(self, at: datetime) -> Json:
        return {"status": "approved", "decided_at": at, "reviewer_id": self.reviewer_id, "comment": self.comment}


@event_type
@dataclass(frozen=True)
class ApplicationRejected(ApplicationEvent):
    type = REJECTED
    applicant_id: str
    reviewer_id: str
    reason: str

    def apply(self, state: "Application", at: datetime) -> "Application":
        return replace(state, status="rejected", decided_at=at, reviewer_id=self.reviewer_id)

    def step(self) -> Json:
        return {"by": self.reviewer_id, "reason": self.reason}

    def row(self, at: datetime) -> Json:
        return {"status": "rejected", "decided_at": at, "reviewer_id": self.reviewer_id, "reason": self.reason}


@event_type
@dataclass(frozen=True)
class ApplicationReturned(ApplicationEvent):
    type = RETURNED
    applicant_id: str
    reviewer_id: str
    reason: str
    items: list[str]

    def apply(self, state: "Application", at: datetime) -> "Application":
        return replace(
            state,
            status="returned",
            decided_at=at,
            reviewer_id=self.reviewer_id,
            return_reason=self.reason,
            return_items=tuple(self.items),
        )

    def step(self) -> Json:
        return {"by": self.reviewer_id, "reason": self.reason, "items": list(self.items)}

    def row(self, at: datetime) -> Json:
        return {
            "status": "returned",
            "decided_at": at,
            "reviewer_id": self.reviewer_id,
            "return_reason": self.reason,
            "return_items": list(self.items),
        }


# ---- state ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Application:
    """The aggregate's state. `version` 0 means the application does not exist."""

    application_id: str | None = None
    version: int = 0
    # Empty until the first event: every command checks `exists` before reading them.
    status: str = ""
    applicant_id: str = ""
    case_number: str = ""
    category: str = ""
    jurisdiction: Json = field(default_factory=dict)
    submitted_at: datetime | None = None
    decided_at: datetime | None = None
    reviewer_id: str | None = None
    return_reason: str | None = None
    return_items: tuple[str, ...] = ()
    attachment_ids: tuple[str, ...] = ()
    history: tuple[Json, ...] = field(default_factory=tuple)

    @property
    def exists(self) -> bool:
        return self.version > 0


def fold(events: Iterable[StoredEvent], application_id: str | None = None) -> Application:
    """State from stored events (objects with type, payload, stream_version, occurred_at), oldest first."""
    state = Application(application_id=application_id)
    for event in events:
        state = apply(state, event)
    return state


def decode(event: StoredEvent) -> ApplicationEvent:
    """The domain event of a stored one (unknown types are a programming error)."""
    cls = EVENTS.get(event.type)
    if cls is None:
        raise ValueError(f"unknown application event {event.type!r}")
    return cls.from_payload(event.payload)


def apply(state: Application, event: StoredEvent) -> Application:
    domain_event = decode(event)
    step = {"type": event.type, "at": event.occurred_at, "version": event.stream_version, **domain_event.step()}
    state = domain_event.apply(state, event.occurred_at)
    application_id = state.application_id or str(getattr(event, "stream_id", "")) or None
    return replace(state, application_id=application_id, version=event.stream_version, history=state.history + (step,))


# ---- dates ----------------------------------------------------------------------------------


def anniversary(start: date, years: int) -> date:
    """`start` moved on by whole years; 29 February falls on 1 March in common years."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February into a common year
        return date(start.year + years, 3, 1)


def full_years(born: date, today: date) -> int:
    """Age in full years (周岁): one more on each birthday (1 March for a 29 February birthday in common years)."""
    years = today.year - born.year
    return years if anniversary(born, years) <= today else years - 1


def eligibility_problems(category: str, birth_date: date | None, graduation_date: date | None, today: date) -> Problems:
    """Field problems of the category's eligibility on `today` (Asia/Shanghai)."""
    problems: Problems = {}
    if category in GRADUATE_CATEGORIES:
        if graduation_date is None:
            problems["graduation_date"] = ["毕业生类别须填写毕业时间"]
        elif graduation_date > today:
            problems["graduation_date"] = ["毕业时间不能晚于今天"]
        elif today > anniversary(graduation_date, GRADUATION_WINDOW_YEARS):
            problems["graduation_date"] = ["离校已超过2年，不符合该人员类别"]
    elif category == "unemployed_youth":
        age = full_years(birth_date, today) if birth_date else -1  # identity keeps only valid ID numbers
        if not YOUTH_MIN_AGE <= age <= YOUTH_MAX_AGE:
            problems["category"] = [f"失业青年须年满16周岁且未满25周岁（当前{age}周岁）"]
        if graduation_date is not None and graduation_date > today:
            problems["graduation_date"] = ["毕业时间不能晚于今天"]
    return problems


# ---- commands ---------------------------------------------------------------------------------


def form_problems(form: Json, id_number: str, today: date) -> Problems:
    """Field problems of a complete application form (a submission or a resubmission)."""
    problems = {}
    if form.get("declaration_accepted") is not True:
        problems["declaration_accepted"] = ["须确认本人未就业、信息真实"]
    if form["gender"] != id_gender(id_number):
        problems["gender"] = ["性别与身份证号码不符"]
    category = form["category"]
    problems.update(eligibility_problems(category, id_birth_date(id_number), form.get("graduation_date"), today))
    if category in GRADUATE_CATEGORIES:
        for name, label in (("school", "毕业院校"), ("major", "所学专业")):
            if not form.get(name):
                problems.setdefault(name, []).append(f"毕业生类别须填写{label}")
    if category == "unemployed_youth" and not form.get("unemployment_registration_number"):
        problems["unemployment_registration_number"] = ["失业青年须填写失业登记证号"]
    jurisdiction = form["jurisdiction"]
    problems.update(
        regions.jurisdiction_problems(
            jurisdiction.get("city_code"),
            jurisdiction.get("county_code"),
            "jurisdiction.city_code",
            "jurisdiction.county_code",
        )
    )
    return problems


def _form_fields(form: Json, applicant_id: str) -> Json:
    jurisdiction = form["jurisdiction"]
    graduation = form.get("graduation_date")
    return {
        "applicant_id": applicant_id,
        "category": form["category"],
        "jurisdiction": {"city_code": jurisdiction["city_code"], "county_code": jurisdiction.get("county_code")},
        "gender": form["gender"],
        "education": form["education"],
        "school": form.get("school") or "",
        "major": form.get("major") or None,
        "graduation_date": graduation.isoformat() if graduation else None,
        "attachment_ids": [str(a) for a in form["attachment_ids"]],
    }


def submit(
    form: Json,
    applicant_id: str,
    id_number: str,
    attachments: Mapping[str, Json],
    active: Json | None,
    today: date,
    case_number: str,
) -> list[ApplicationEvent]:
    """The submission of `form` (schema-loaded) by `applicant_id`, whose identity record holds `id_number`.

    `attachments` maps each requested attachment id to its row (owner_id, kind,
    application_id, stored) or None when unknown; `active` is the person's
    pending, returned or approved case, if any. Returns [ApplicationSubmitted].
    """
    problems = form_problems(form, id_number, today)
    if problems:
        raise errors.InvalidInput(details=problems)
    if active is not None:
        raise errors.Conflict(
            f"您已有未办结或已通过的申请（{active['case_number']}），不能重复申报",
            {"case_number": active["case_number"]},
            code="ACTIVE_APPLICATION_EXISTS",
        )
    attachment_problem = attachments_problem(form["category"], form["attachment_ids"], attachments, applicant_id)
    if attachment_problem:
        raise errors.InvalidInput.field("attachment_ids", attachment_problem)
    return [ApplicationSubmitted(case_number=case_number, **_form_fields(form, applicant_id))]


def resubmit(
    state: Application, form: Json, actor_id: str, id_number: str, attachments: Mapping[str, Json], today: date
) -> list[ApplicationEvent]:
    """The owner's corrected, complete form for a returned case; eligibility is judged on `today`.

    `attachments` as for `submit`; uploads already on this case may be named again.
    Returns [ApplicationResubmitted].
    """
    _ensure_visible_to_owner(state, actor_id)
    if state.status != "returned":
        raise errors.Conflict(
            f"当前状态为{STATUS_LABELS[state.status]}，只有退回补正的申请可以重新提交",
            {"status": state.status},
            code="NOT_RETURNED",
        )
    problems = form_problems(form, id_number, today)
    if problems:
        raise errors.InvalidInput(details=problems)
    attachment_problem = attachments_problem(
        form["category"], form["attachment_ids"], attachments, state.applicant_id, case_id=state.application_id
    )
    if attachment_problem:
        raise errors.InvalidInput.field("attachment_ids", attachment_problem)
    return [ApplicationResubmitted(**_form_fields(form, state.applicant_id))]


def attachments_problem(
    category: str,
    attachment_ids: Sequence[Any],
    attachments: Mapping[str, Json | None],
    applicant_id: str,
    case_id: str | None = None,
) -> str | None:
    """Why the attachments cannot go with this submission, or None.

    Only the caller's own, stored uploads that no other case uses qualify (a
    resubmission of `case_id` may name that case's own uploads again); uploads of
    a withdrawn or rejected case stay with that case (its record must not change).
    """
    kinds = set()
    for attachment_id in attachment_ids:
        row = attachments.get(str(attachment_id))
        if row is None or str(row["owner_id"]) != str(applicant_id) or not row["stored"]:
            return f"附件 {attachment_id} 不存在"
        if row["application_id"] is not None and str(row["application_id"]) != str(case_id):
            return f"附件 {attachment_id} 已用于其他申请，请重新上传"
        kinds.add(row["kind"])
    missing = [KINDS[k] for k in REQUIRED_KINDS[category] if k not in kinds]
    if missing:
        return "缺少必需的附件：" + "、".join(missing)
    return None


def _ensure_visible_to_owner(state: Application, actor_id: str) -> None:
    if not state.exists or state.applicant_id != str(actor_id):
        raise errors.NotFound("申请不存在")


def ensure_visible(state: Application, actor: Actor) -> None:
    """Owners see their cases; reviewers see cases inside their jurisdiction; all others get 404."""
    if not state.exists:
        raise errors.NotFound("申请不存在")
    if state.applicant_id == str(actor["user_id"]):
        return
    if "reviewer" in actor.get("roles", ()) and regions.contains(actor.get("jurisdiction"), state.jurisdiction):
        return
    raise errors.NotFound("申请不存在")


def read_by_staff(detail: Mapping[str, Any], actor: Actor) -> bool:
    """A visible case read by someone other than its owner: staff, whose reads are audited."""
    return bool(detail["applicant_id"] != str(actor["user_id"]))


def _ensure_reviewer(state: Application, reviewer: Actor) -> None:
    if "reviewer" not in reviewer.get("roles", ()):
        raise errors.Forbidden()
    if not state.exists or not regions.contains(reviewer.get("jurisdiction"), state.jurisdiction):
        raise errors.NotFound("申请不存在")


def withdraw(state: Application, actor_id: str) -> list[ApplicationEvent]:
    _ensure_visible_to_owner(state, actor_id)
    if state.status not in WITHDRAWABLE_STATUSES:
        raise errors.Conflict(
            f"当前状态为{STATUS_LABELS[state.status]}，只有未审核或退回补正的申请可以撤回",
            {"status": state.status},
            code="NOT_WITHDRAWABLE",
        )
    return [ApplicationWithdrawn(applicant_id=state.applicant_id)]


def _ensure_pending(state: Application) -> None:
    if state.status != "pending":
        raise errors.Conflict(
            f"当前状态为{STATUS_LABELS[state.status]}，只能审核未审核的申请",
            {"status": state.status},
            code="NOT_PENDING",
        )


def approve(state: Application, reviewer: Actor, comment: str | None = None) -> list[ApplicationEvent]:
    _ensure_reviewer(state, reviewer)
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > COMMENT_MAX:
        raise errors.InvalidInput.field("comment", f"审核意见不能超过{COMMENT_MAX}个字符")
    _ensure_pending(state)
    return [
        ApplicationApproved(
            applicant_id=state.applicant_id,
            jurisdiction=state.jurisdiction,
            reviewer_id=str(reviewer["user_id"]),
            comment=comment,
        )
    ]


def reject(state: Application, reviewer: Actor, reason: str | None) -> list[ApplicationEvent]:
    _ensure_reviewer(state, reviewer)
    text = (reason or "").strip()
    if not REASON_MIN <= len(text) <= REASON_MAX:
        raise errors.InvalidInput.field("reason", f"不通过原因须为{REASON_MIN}到{REASON_MAX}个字符")
    _ensure_pending(state)
    return [ApplicationRejected(applicant_id=state.applicant_id, reviewer_id=str(reviewer["user_id"]), reason=text)]


def return_for_correction(
    state: Application, reviewer: Actor, reason: str | None, items: Sequence[str | None] = ()
) -> list[ApplicationEvent]:
    """退回补正: the pending case goes back to its owner with the reason and what to correct or add."""
    _ensure_reviewer(state, reviewer)
    text = (reason or "").strip()
    problems: Problems = {}
    if not REASON_MIN <= len(text) <= REASON_MAX:
        problems["reason"] = [f"退回原因须为{REASON_MIN}到{REASON_MAX}个字符"]
    to_fix = [(item or "").strip() for item in (items or ())]
    if len(to_fix) > RETURN_ITEMS_MAX:
        problems["items"] = [f"补正事项不能超过{RETURN_ITEMS_MAX}项"]
    elif any(not 1 <= len(item) <= RETURN_ITEM_MAX for item in to_fix):
        problems["items"] = [f"每项补正事项须为1到{RETURN_ITEM_MAX}个字符"]
    if problems:
        raise errors.InvalidInput(details=problems)
    _ensure_pending(state)
    return [
        ApplicationReturned(
            applicant_id=state.applicant_id, reviewer_id=str(reviewer["user_id"]), reason=text, items=to_fix
        )
    ]


def case_number(day: date, serial: int) -> str:
    """`JX` + the Shanghai date + a 6-digit serial of that day."""
    if not 1 <= serial <= 999_999:
        raise errors.ServiceUnavailable("今日受理编号已用尽", details={"case_number": ["serial exhausted"]})
    return f"JX{day:%Y%m%d}{serial:06d}"


def status_of(status: str) -> dict[str, str]:
    return {"status": status, "status_label": STATUS_LABELS[status]}


def timeline(state: Application) -> list[Json]:
    """The history as the API shows it: oldest first, type named as the integration event."""
    return [
        {**{k: v for k, v in step.items() if k != "version"}, "at": clock.iso(step["at"])} for step in state.history
    ]
