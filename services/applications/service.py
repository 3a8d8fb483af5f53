"""Applications' Nameko entrypoints: attachments, submission, my cases, review."""
import logging

from nameko.timer import timer

from common import clock, errors, logs, regions
from common.ids import parse_uuid
from common.paging import page_body
from common.relay import OutboxRelay
from common.rpc import Pingable, RequestId, Store, rpc
from common.transport import rpc_proxy
from common.validation import load
from common.validators import mask_id_number, mask_phone
from contracts import applications as schemas
from contracts.applications import message_payload
from contracts.vocabulary import CATEGORIES
from services.applications import domain, objects
from services.applications.objects import Objects
from services.applications.store import ApplicationsStore, attachment_view

log = logging.getLogger("applications")

PURGE_INTERVAL_SECONDS = 3600


def _uuid(value, what="申请"):
    """A path id that is not a UUID names nothing: 404, like any unknown id."""
    key = parse_uuid(value)
    if key is None:
        raise errors.NotFound(f"{what}不存在")
    return key


class ApplicationsService(Pingable):
    name = "applications"

    store = Store("applications", ApplicationsStore)
    bucket = Objects()
    relay = OutboxRelay(payload=message_payload)
    identity = rpc_proxy("identity")
    request_id = RequestId()

    # ---- attachments: the gateway streams the bytes to a presigned URL, never over RPC ----

    @rpc
    def prepare_upload(self, actor, body, idempotency_key=None):
        """A presigned PUT for one new object, or the first answer to a repeated key."""
        key = schemas.check_idempotency_key(idempotency_key)
        data = load(schemas.StoredAttachmentSchema(), body)
        if key:
            replay = self.store.answer(actor["user_id"], "attachments", key)
            if replay:
                return {"replay": replay}
        object_key = objects.new_key()
        attachment_id = self.store.issue_upload(actor["user_id"], data["kind"], object_key)
        return {"attachment_id": str(attachment_id),
                "upload_url": self.bucket.upload_url(object_key, data["content_type"])}

    @rpc
    def record_upload(self, actor, attachment_id, body, idempotency_key=None):
        """Record an upload once its object is in the bucket with the size the gateway measured."""
        key = schemas.check_idempotency_key(idempotency_key)
        data = load(schemas.StoredAttachmentSchema(), body)
        upload = self.store.upload(actor["user_id"], _uuid(attachment_id, "上传"))
        if upload is None:
            raise errors.NotFound("上传不存在")
        if self.bucket.size(upload["object_key"]) != data["size"]:
            raise errors.InvalidInput.field("file", "文件未完整上传，请重试")
        return self.store.record_upload(actor["user_id"], upload["attachment_id"], data, key)

    @timer(interval=PURGE_INTERVAL_SECONDS)
    def purge_unbound_uploads(self):
        """Uploads no case took within a day go, from the bucket and the database."""
        purged = self.store.purge_unbound(self.bucket.delete)
        if purged:
            logs.log(log, logging.INFO, "purged unbound uploads", count=purged)

    # ---- applicant ------------------------------------------------------------------------------

    @rpc
    def submit(self, actor, body, idempotency_key=None):
        """201 answer {"status", "body"}; a repeated key gets the first answer back."""
        key = schemas.check_idempotency_key(idempotency_key)
        form = load(schemas.ApplicationSchema(), body)
        applicant_id = actor["user_id"]
        if key:
            replay = self.store.answer(applicant_id, "applications", key)
            if replay:
                return replay
        record = self.identity.applicant_record(applicant_id)
        today = clock.today()

        def decide(active, attachments, case_number):
            return domain.submit(form, applicant_id, record["id_number"], attachments, active, today, case_number)

        particulars = {
            "real_name": record["real_name"], "id_number_masked": mask_id_number(record["id_number"]),
            "phone": form["phone"], "household_address": form["household_address"],
            "current_address": form["current_address"],
            "unemployment_registration_number": form["unemployment_registration_number"],
        }
        answer = self.store.submit(applicant_id, key, form["attachment_ids"], decide, particulars,
                                   {"request_id": self.request_id})
        return answer

    @rpc
    def my_applications(self, actor, query):
        q = load(schemas.MyApplicationsQuery, query)
        rows, total = self.store.mine(actor["user_id"], q["status"], q["month"], q["page"], q["page_size"])
        return page_body([summary(r) for r in rows], total, q["page"], q["page_size"])

    @rpc
    def application(self, actor, application_id):
        return self._detail(actor, _uuid(application_id))

    @rpc
    def withdraw(self, actor, application_id):
        application_id = _uuid(application_id)
        self.store.change(application_id, lambda state: domain.withdraw(state, actor["user_id"]),
                          {"request_id": self.request_id})
        return self._detail(actor, application_id)

    # ---- reviewer -------------------------------------------------------------------------------

    @rpc
    def review_queue(self, actor, query):
        if "reviewer" not in actor.get("roles", ()):
            raise errors.Forbidden()
        q = load(schemas.ReviewQuery, query)
        rows, total = self.store.queue(actor.get("jurisdiction"), q["status"], q["city"], q["county"], q["month"],
                                       q["page"], q["page_size"])
        return page_body([summary(r, with_name=True) for r in rows], total, q["page"], q["page_size"])

    @rpc
    def approve(self, actor, application_id, body):
        data = load(schemas.ApproveSchema(), body)
        application_id = _uuid(application_id)
        self.store.change(application_id, lambda state: domain.approve(state, actor, data["comment"]),
                          {"request_id": self.request_id})
        return self._detail(actor, application_id)

    @rpc
    def reject(self, actor, application_id, body):
        data = load(schemas.RejectSchema(), body)
        application_id = _uuid(application_id)
        self.store.change(application_id, lambda state: domain.reject(state, actor, data["reason"]),
                          {"request_id": self.request_id})
        return self._detail(actor, application_id)

    def _detail(self, actor, application_id):
        state, row, particulars, attachments = self.store.case(application_id)
        domain.ensure_visible(state, actor)
        return {
            **summary(row),
            "applicant_id": str(row["applicant_id"]),
            "real_name": particulars["real_name"],
            "id_number_masked": particulars["id_number_masked"],
            "phone_masked": mask_phone(particulars["phone"]),
            "gender": row["gender"], "education": row["education"], "school": row["school"], "major": row["major"],
            "graduation_date": row["graduation_date"].isoformat() if row["graduation_date"] else None,
            "household_address": particulars["household_address"],
            "current_address": particulars["current_address"],
            "unemployment_registration_number": particulars["unemployment_registration_number"],
            "reviewer_id": str(row["reviewer_id"]) if row["reviewer_id"] else None,
            "comment": row["comment"], "reason": row["reason"],
            "attachments": [{**attachment_view(a), "download_url": self.bucket.download_url(
                a["object_key"], a["filename"], a["content_type"])} for a in attachments],
            "history": domain.timeline(state),
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
