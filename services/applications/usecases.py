"""Applications' use cases: each command is one unit of work over the event store, the read
models, the attachments and the idempotency records.

A use case reads what the rules need inside a transaction, lets `domain` decide,
and records the resulting events (projected, then appended) just before the
transaction commits. Its collaborators come in through the constructor: the
store's `transaction()` (SQL in `store.Transaction`), the identity lookup and the
bucket's download links, so unit tests pass in-memory fakes.
"""

import hmac
import secrets
import uuid

from common import clock, errors, eventstore, regions
from common.validators import mask_id_number, mask_phone
from contracts.vocabulary import CATEGORIES
from services.applications import domain, printing
from services.applications.store import attachment_view

CONFLICT_RETRIES = 5
# Unambiguous characters (no 0/O, 1/I/L) so a code read off paper can be typed back.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def new_verification_code():
    """Random, not derived from anything about the case (about 49 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def masked_name(real_name):
    """The first character, then one `*` per further character."""
    return real_name[:1] + "*" * (len(real_name) - 1)


class Applications:
    def __init__(
        self, store, applicant_record, download_url, request_id=None, today=clock.today, new_code=new_verification_code
    ):
        self.store = store
        self.applicant_record = applicant_record
        self.download_url = download_url
        self.metadata = {"request_id": request_id}
        self.today = today
        self.new_code = new_code

    # ---- applicant --------------------------------------------------------------------------

    def submit(self, actor, form, key):
        """A new case: 201 answer {"status", "body"}; a repeated key gets the first answer back."""
        applicant_id = actor["user_id"]
        if key:
            replay = self.store.answer(applicant_id, "applications", key)
            if replay:
                return replay
        record = self.applicant_record(applicant_id)
        today = self.today()
        with self.store.transaction() as tx:
            if key:
                replay = tx.claim(applicant_id, "applications", key)
                if replay:
                    return replay
            # A second, simultaneous submission waits here and then sees the first one's case.
            tx.lock_person(applicant_id)
            active = tx.active_case(applicant_id)
            attachments = tx.attachments(form["attachment_ids"])
            application_id = uuid.uuid4()
            # What needs no case number comes before the day's counter, whose row stays locked
            # until commit while every other submission waits for it; a refusal rolls all back.
            tx.add_particulars(application_id, {**particulars(record, form), "verification_code": self.new_code()})
            tx.bind_attachments(application_id, attachments)
            events = domain.submit(
                form, applicant_id, record["id_number"], attachments, active, today, tx.next_case_number()
            )
            answer = {
                "status": 201,
                "body": {
                    "application_id": str(application_id),
                    "case_number": events[0].payload()["case_number"],
                    **domain.status_of("pending"),
                    "message": "申报成功",
                    "submitted_at": clock.iso(tx.started_at()),
                },
            }
            if key:
                tx.remember(applicant_id, "applications", key, answer)
            tx.record(application_id, 0, events, self.metadata)  # last: see store.Transaction.record
            return answer

    def resubmit(self, actor, application_id, form, key):
        """The corrected form of a returned case: the same case goes back to pending (200 detail)."""
        applicant_id = actor["user_id"]
        scope = f"resubmit:{application_id}"
        if not (key and self.store.answer(applicant_id, scope, key)):
            record = self.applicant_record(applicant_id)
            today = self.today()

            def decide(tx, state):
                if key and tx.claim(applicant_id, scope, key):
                    return []
                attachments = tx.attachments(form["attachment_ids"])
                events = domain.resubmit(state, form, applicant_id, record["id_number"], attachments, today)
                tx.update_particulars(application_id, particulars(record, form))
                tx.bind_attachments(application_id, attachments)
                if key:
                    tx.remember(
                        applicant_id, scope, key, {"status": 200, "body": {"application_id": str(application_id)}}
                    )
                return events

            self._change(application_id, decide)
        return self.detail(actor, application_id)

    def withdraw(self, actor, application_id):
        self._change(application_id, lambda tx, state: domain.withdraw(state, actor["user_id"]))
        return self.detail(actor, application_id)

    # ---- reviewer ---------------------------------------------------------------------------

    def approve(self, actor, application_id, comment):
        self._change(application_id, lambda tx, state: domain.approve(state, actor, comment))
        return self.detail(actor, application_id)

    def reject(self, actor, application_id, reason):
        self._change(application_id, lambda tx, state: domain.reject(state, actor, reason))
        return self.detail(actor, application_id)

    def return_for_correction(self, actor, application_id, reason, items):
        self._change(application_id, lambda tx, state: domain.return_for_correction(state, actor, reason, items))
        return self.detail(actor, application_id)

    def _change(self, application_id, decide):
        """Apply `decide(tx, state) -> events` to the current state; re-decides when another writer won."""
        for attempt in range(CONFLICT_RETRIES):
            try:
                with self.store.transaction() as tx:
                    state = domain.fold(tx.stream(application_id), str(application_id))
                    tx.record(application_id, state.version, decide(tx, state), self.metadata)
                    return
            except eventstore.ConcurrencyConflict:
                if attempt == CONFLICT_RETRIES - 1:
                    raise

    # ---- queries ----------------------------------------------------------------------------

    def detail(self, actor, application_id):
        """The case as its owner or a reviewer of its jurisdiction sees it; 404 to everyone else."""
        state, row, particular, attachments = self.store.case(application_id)
        domain.ensure_visible(state, actor)
        current = set(state.attachment_ids)
        return {
            **summary(row),
            "applicant_id": str(row["applicant_id"]),
            "real_name": particular["real_name"],
            "id_number_masked": particular["id_number_masked"],
            "phone_masked": mask_phone(particular["phone"]),
            "gender": row["gender"],
            "education": row["education"],
            "school": row["school"],
            "major": row["major"],
            "graduation_date": row["graduation_date"].isoformat() if row["graduation_date"] else None,
            "household_address": particular["household_address"],
            "current_address": particular["current_address"],
            "unemployment_registration_number": particular["unemployment_registration_number"],
            "reviewer_id": str(row["reviewer_id"]) if row["reviewer_id"] else None,
            "comment": row["comment"],
            "reason": row["reason"],
            "return_reason": row["return_reason"],
            "return_items": row["return_items"],
            "verification_code": particular["verification_code"],
            # A resubmission may replace uploads: the case shows those its latest form names.
            "attachments": [
                {**attachment_view(a), "download_url": self.download_url(a["attachment_id"])}
                for a in attachments
                if str(a["attachment_id"]) in current
            ],
            "history": domain.timeline(state),
        }

    def form(self, actor, application_id):
        """(detail, PDF bytes) of the printable form, for whoever may see the case."""
        detail = self.detail(actor, application_id)
        return detail, printing.render(detail)

    def verify(self, case_number, code):
        """The public check of a printed form: the same 404 for an unknown case and a wrong code."""
        found = self.store.verification(case_number) if case_number and code else None
        if found is None or not hmac.compare_digest(found["verification_code"].encode(), code.upper().encode()):
            raise errors.NotFound("未找到该办件或校验码不正确")
        return {
            "case_number": found["case_number"],
            **domain.status_of(found["status"]),
            "real_name_masked": masked_name(found["real_name"]),
            "submitted_at": clock.iso(found["submitted_at"]),
            "decided_at": clock.iso(found["decided_at"]),
        }


def particulars(record, form):
    """The personal particulars of a (re)submission, kept beside the event log, never in it."""
    return {
        "real_name": record["real_name"],
        "id_number_masked": mask_id_number(record["id_number"]),
        "phone": form["phone"],
        "household_address": form["household_address"],
        "current_address": form["current_address"],
        "unemployment_registration_number": form["unemployment_registration_number"],
    }


def summary(row, with_name=False):
    item = {
        "application_id": str(row["application_id"]),
        "case_number": row["case_number"],
        "category": row["category"],
        "category_label": CATEGORIES[row["category"]],
        **domain.status_of(row["status"]),
        "jurisdiction": regions.describe(row["jurisdiction_city"], row["jurisdiction_county"]),
        "submitted_at": clock.iso(row["submitted_at"]),
        "decided_at": clock.iso(row["decided_at"]),
    }
    if with_name:
        item["applicant_name"] = row["applicant_name"]
    return item
