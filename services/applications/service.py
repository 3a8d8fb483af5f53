"""Applications' Nameko entrypoints: attachments, submission, my cases, review."""

import base64
import functools
import logging

from nameko.timer import timer

from common import errors, logs, objects
from common.ids import parse_uuid
from common.paging import page_body
from common.relay import OutboxRelay
from common.rpc import Pingable, RequestId, Store, call, rpc
from common.transport import rpc_proxy
from common.validation import load
from contracts import applications as schemas
from contracts.applications import message_payload
from services.applications import domain, usecases
from services.applications.store import ApplicationsStore, attachment_view
from services.applications.usecases import summary

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
    bucket = objects.Objects(ensure=True)
    relay = OutboxRelay(payload=message_payload)
    identity = rpc_proxy("identity")
    request_id = RequestId()

    # ---- attachments: the gateway streams the bytes in and out of the bucket, never over RPC ----

    @rpc
    def prepare_upload(self, actor, body, idempotency_key=None):
        """The key of one new object for the gateway to write, or the first answer to a repeated key."""
        key = schemas.check_idempotency_key(idempotency_key)
        data = load(schemas.StoredAttachmentSchema(), body)
        if key:
            replay = self.store.answer(actor["user_id"], "attachments", key)
            if replay:
                return {"replay": replay}
        object_key = objects.new_key()
        attachment_id = self.store.issue_upload(actor["user_id"], data["kind"], object_key)
        return {"attachment_id": str(attachment_id), "object_key": object_key}

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

    @rpc
    def attachment_content(self, actor, attachment_id):
        """Where the gateway reads an attachment for `actor`, who may see it as they may see its case
        (an upload not yet on a case only by its uploader); 404 to everyone else."""
        row = self.store.attachment(_uuid(attachment_id, "附件"))
        if row is None or not row["stored"]:
            raise errors.NotFound("附件不存在")
        case = {"application_id": None, "case_number": None}
        if row["application_id"] is None:
            if str(row["owner_id"]) != str(actor["user_id"]):
                raise errors.NotFound("附件不存在")
        else:
            state = self.store.case(row["application_id"])[0]
            try:
                domain.ensure_visible(state, actor)
            except errors.NotFound:
                raise errors.NotFound("附件不存在") from None
            case = {"application_id": str(row["application_id"]), "case_number": state.case_number}
        # Every download, whoever makes it, is in the audit trail before the gateway may stream it.
        self._audit("attachment_downloaded", actor, case, attachment_id=str(row["attachment_id"]))
        return {
            **attachment_view(row),
            "object_key": row["object_key"],
            "application_id": str(row["application_id"]) if row["application_id"] else None,
        }

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
        return self._cases().submit(actor, form, key)

    @rpc
    def resubmit(self, actor, application_id, body, idempotency_key=None):
        key = schemas.check_idempotency_key(idempotency_key)
        application_id = _uuid(application_id)
        form = load(schemas.ApplicationSchema(), body)
        return self._cases().resubmit(actor, application_id, form, key)

    @rpc
    def my_applications(self, actor, query):
        q = load(schemas.MyApplicationsQuery, query)
        rows, total = self.store.mine(actor["user_id"], q["status"], q["month"], q["page"], q["page_size"])
        return page_body([summary(r) for r in rows], total, q["page"], q["page_size"])

    @rpc
    def application(self, actor, application_id):
        detail = self._cases().detail(actor, _uuid(application_id))
        if domain.read_by_staff(detail, actor):
            self._audit("application_viewed", actor, detail)
        return detail

    @rpc
    def withdraw(self, actor, application_id):
        return self._cases().withdraw(actor, _uuid(application_id))

    # ---- reviewer -------------------------------------------------------------------------------

    @rpc
    def review_queue(self, actor, query):
        if "reviewer" not in actor.get("roles", ()):
            raise errors.Forbidden()
        q = load(schemas.ReviewQuery, query)
        rows, total = self.store.queue(
            actor.get("jurisdiction"),
            q["status"],
            q["city"],
            q["county"],
            q["month"],
            q["page"],
            q["page_size"],
            q["q"],
        )
        return page_body([summary(r, with_name=True) for r in rows], total, q["page"], q["page_size"])

    @rpc
    def approve(self, actor, application_id, body):
        data = load(schemas.ApproveSchema(), body)
        return self._cases().approve(actor, _uuid(application_id), data["comment"])

    @rpc
    def reject(self, actor, application_id, body):
        data = load(schemas.RejectSchema(), body)
        return self._cases().reject(actor, _uuid(application_id), data["reason"])

    @rpc
    def return_for_correction(self, actor, application_id, body):
        data = load(schemas.ReturnSchema(), body)
        return self._cases().return_for_correction(actor, _uuid(application_id), data["reason"], data["items"])

    @rpc
    def application_form(self, actor, application_id):
        """就业见习人员申请表 as a PDF (about 50 KB, base64 in the reply: small enough for one RPC message)."""
        detail, pdf = self._cases().form(actor, _uuid(application_id))
        # Every print, whoever makes it, is in the audit trail before the form leaves.
        self._audit("form_printed", actor, detail)
        return {
            "filename": f"就业见习人员申请表-{detail['case_number']}.pdf",
            "content": base64.b64encode(pdf).decode(),
        }

    # ---- public ---------------------------------------------------------------------------------

    @rpc
    def verify(self, case_number, code):
        return self._cases().verify(case_number, code)

    def _audit(self, action, actor, detail, attachment_id=None):
        """Record a staff read in identity's audit trail before the data leaves: no audit, no data."""
        call(
            self.identity.record_audit,
            {
                "action": action,
                "actor": actor,
                "application_id": detail["application_id"],
                "case_number": detail["case_number"],
                "attachment_id": attachment_id,
            },
        )

    def _cases(self):
        # Bounded, and asked before any lock or pooled connection is taken (see usecases): a silent
        # identity holds nothing of ours but the waiting worker, and that for a bounded time.
        applicant_record = functools.partial(call, self.identity.applicant_record)
        return usecases.Applications(self.store, applicant_record, download_path, request_id=self.request_id)


def download_path(attachment_id):
    """The gateway's download endpoint: the bytes stream through it, authorised like the case."""
    return f"/api/v1/attachments/{attachment_id}/content"
