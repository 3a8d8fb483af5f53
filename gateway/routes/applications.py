"""Attachments, applications and review endpoints (就业见习人员申请).

Uploads: the gateway parses the multipart body as a stream (the file part is
spooled to a temporary file, never held whole in memory), measures it, hashes
it, judges its type by content, and writes it to the bucket under the random
key the applications service issued. Downloads: the service says whether the
caller may see the attachment (as they may see its case) and where it is; the
gateway streams it out. The service owns the bucket and its rules; clients
never talk to the store, and bytes never travel over RabbitMQ.
"""

import base64
import hashlib
import unicodedata
from urllib.parse import quote

import filetype
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from common import errors, objects, validation
from common.rpc import call
from common.transport import rpc_proxy
from contracts import applications as schemas
from gateway import inputs
from gateway.http import json_response, route

TAG = "就业见习申请"
REVIEW_TAG = "就业见习审核"

MAX_FILE_BYTES = schemas.MAX_ATTACHMENT_BYTES
# Room for the multipart boundaries, part headers and the `kind` field around the file.
MULTIPART_OVERHEAD = 64 * 1024
CHUNK = 64 * 1024
SNIFF_BYTES = 8192
ALLOWED_TYPES = {"application/pdf": "application/pdf", "image/jpeg": "image/jpeg", "image/png": "image/png"}


def idempotency_key(request):
    return schemas.check_idempotency_key(request.headers.get("Idempotency-Key"))


def optional_json(request, schema):
    """A JSON body that may be left out entirely (then {})."""
    if not request.content_length and "chunked" not in request.headers.get("Transfer-Encoding", ""):
        return {}
    return inputs.json_body(request, schema)


def clean_filename(name):
    """The file's own name, without any client path, control characters or excess length."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return name[-255:] or "upload"


def receive_upload(request):
    """(kind, file storage, meta) of a multipart upload, checked for size and content type."""
    if request.mimetype != "multipart/form-data":
        raise errors.InvalidInput("请以 multipart/form-data 上传文件", details={"file": ["缺少上传文件"]})
    if (request.content_length or 0) > MAX_FILE_BYTES + MULTIPART_OVERHEAD:
        raise errors.FileTooLarge(details={"file": ["文件不得超过 10 MiB"]})
    request.max_content_length = MAX_FILE_BYTES + MULTIPART_OVERHEAD
    request.max_form_memory_size = 512 * 1024  # bounds the parser buffer and the `kind` field
    request.max_form_parts = 8
    try:
        form, files = request.form, request.files
    except RequestEntityTooLarge:
        raise errors.FileTooLarge(details={"file": ["文件不得超过 10 MiB"]}) from None
    validation.load(schemas.AttachmentFormSchema(), {name: form[name] for name in ("kind",) if name in form})
    upload = files.get("file")
    if upload is None:
        raise errors.InvalidInput.field("file", "缺少上传文件")
    stream = upload.stream
    stream.seek(0)
    digest, size, head = hashlib.sha256(), 0, b""
    while chunk := stream.read(CHUNK):
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        digest.update(chunk)
        size += len(chunk)
    if size > MAX_FILE_BYTES:
        raise errors.FileTooLarge(details={"file": ["文件不得超过 10 MiB"]})
    if size == 0:
        raise errors.InvalidInput.field("file", "文件为空")
    kind_guess = filetype.guess(head)
    content_type = ALLOWED_TYPES.get(kind_guess.mime if kind_guess else None)
    if content_type is None:
        raise errors.UnsupportedFileType(details={"file": ["仅支持 PDF、JPEG、PNG 文件（按文件内容判断）"]})
    stream.seek(0)
    meta = {
        "kind": form["kind"],
        "filename": clean_filename(upload.filename),
        "size": size,
        "content_type": content_type,
        "sha256": digest.hexdigest(),
    }
    return stream, meta


def content_disposition(filename):
    """`attachment` with an ASCII fallback name and the real one in RFC 5987 form (Chinese names)."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename) or "attachment"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class ApplicationsRoutes:
    applications = rpc_proxy("applications")
    attachments_bucket = objects.Objects()

    @route(
        "POST",
        "/api/v1/attachments",
        "上传附件（PDF/JPEG/PNG，不超过 10 MiB）",
        TAG,
        roles=("applicant",),
        response=schemas.AttachmentSchema,
        status=201,
        errors=(400, 413, 415),
        extra={"multipart": schemas.AttachmentUploadSchema},
    )
    def upload_attachment(self, request, principal):
        key = idempotency_key(request)
        stream, meta = receive_upload(request)
        actor = principal.as_rpc()
        issued = call(self.applications.prepare_upload, actor, meta, key)
        if "replay" in issued:
            answer = issued["replay"]
        else:
            self.attachments_bucket.put(issued["object_key"], stream, meta["size"], meta["content_type"])
            answer = call(self.applications.record_upload, actor, issued["attachment_id"], meta, key)
        return json_response(answer["body"], answer["status"])

    @route(
        "GET",
        "/api/v1/attachments/<string:attachment_id>/content",
        "下载附件（本人或辖区审核人员）",
        TAG,
        auth=True,
        errors=(404,),
        extra={"binary": tuple(schemas.CONTENT_TYPES)},
    )
    def download_attachment(self, request, attachment_id, principal):
        found = call(self.applications.attachment_content, principal.as_rpc(), attachment_id)
        chunks = self.attachments_bucket.chunks(found["object_key"])
        return Response(
            chunks,
            status=200,
            direct_passthrough=True,
            content_type=found["content_type"],
            headers={
                "Content-Length": str(found["size"]),
                "Content-Disposition": content_disposition(found["filename"]),
                "Cache-Control": "no-store",
            },
        )

    @route(
        "POST",
        "/api/v1/applications",
        "提交就业见习人员申请",
        TAG,
        roles=("applicant",),
        body=schemas.ApplicationSchema,
        response=schemas.SubmittedSchema,
        status=201,
        errors=(400, 409),
    )
    def submit_application(self, request, principal):
        key = idempotency_key(request)
        body = inputs.json_body(request, schemas.ApplicationSchema())
        answer = call(self.applications.submit, principal.as_rpc(), body, key)
        return json_response(answer["body"], answer["status"])

    @route(
        "GET",
        "/api/v1/applications",
        "我的办件",
        TAG,
        roles=("applicant",),
        query=schemas.MyApplicationsQuery,
        response=schemas.ApplicationPageSchema,
        errors=(400,),
    )
    def my_applications(self, request, principal):
        query = inputs.query(request, schemas.MyApplicationsQuery)
        return json_response(call(self.applications.my_applications, principal.as_rpc(), query))

    @route(
        "GET",
        "/api/v1/applications/<string:application_id>",
        "申请详情（本人或审核人员）",
        TAG,
        auth=True,
        response=schemas.ApplicationDetailSchema,
        errors=(404,),
    )
    def get_application(self, request, application_id, principal):
        return json_response(call(self.applications.application, principal.as_rpc(), application_id))

    @route(
        "POST",
        "/api/v1/applications/<string:application_id>/withdraw",
        "撤回未审核的申请",
        TAG,
        roles=("applicant",),
        response=schemas.ApplicationDetailSchema,
        errors=(404, 409),
    )
    def withdraw_application(self, request, application_id, principal):
        return json_response(call(self.applications.withdraw, principal.as_rpc(), application_id))

    @route(
        "GET",
        "/api/v1/applications/<string:application_id>/form.pdf",
        "打印就业见习人员申请表（PDF）",
        TAG,
        auth=True,
        errors=(404,),
        extra={"binary": "application/pdf"},
    )
    def application_form(self, request, application_id, principal):
        form = call(self.applications.application_form, principal.as_rpc(), application_id)
        disposition = f"inline; filename=\"application-form.pdf\"; filename*=UTF-8''{quote(form['filename'])}"
        return Response(
            base64.b64decode(form["content"]),
            status=200,
            content_type="application/pdf",
            headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
        )

    @route(
        "POST",
        "/api/v1/applications/<string:application_id>/resubmit",
        "退回补正后重新提交（完整表单）",
        TAG,
        roles=("applicant",),
        body=schemas.ApplicationSchema,
        response=schemas.ApplicationDetailSchema,
        errors=(400, 404, 409),
    )
    def resubmit_application(self, request, application_id, principal):
        key = idempotency_key(request)
        body = inputs.json_body(request, schemas.ApplicationSchema())
        return json_response(call(self.applications.resubmit, principal.as_rpc(), application_id, body, key))

    @route(
        "GET",
        "/api/v1/verify/<string:case_number>",
        "核验打印的申请表（公开）",
        TAG,
        query=schemas.VerifyQuery,
        response=schemas.VerificationSchema,
        errors=(404,),
    )
    def verify_application(self, request, case_number):
        query = inputs.query(request, schemas.VerifyQuery())
        return json_response(call(self.applications.verify, case_number, query.get("code")))

    @route(
        "GET",
        "/api/v1/review/applications",
        "待审核申请（本辖区）",
        REVIEW_TAG,
        roles=("reviewer",),
        query=schemas.ReviewQuery,
        response=schemas.ApplicationPageSchema,
        errors=(400,),
    )
    def review_queue(self, request, principal):
        query = inputs.query(request, schemas.ReviewQuery)
        return json_response(call(self.applications.review_queue, principal.as_rpc(), query))

    @route(
        "POST",
        "/api/v1/review/applications/<string:application_id>/approve",
        "审核通过",
        REVIEW_TAG,
        roles=("reviewer",),
        body=schemas.ApproveSchema,
        response=schemas.ApplicationDetailSchema,
        errors=(400, 404, 409),
        extra={"optional_body": True},
    )
    def approve_application(self, request, application_id, principal):
        body = optional_json(request, schemas.ApproveSchema())
        return json_response(call(self.applications.approve, principal.as_rpc(), application_id, body))

    @route(
        "POST",
        "/api/v1/review/applications/<string:application_id>/reject",
        "审核不通过",
        REVIEW_TAG,
        roles=("reviewer",),
        body=schemas.RejectSchema,
        response=schemas.ApplicationDetailSchema,
        errors=(400, 404, 409),
    )
    def reject_application(self, request, application_id, principal):
        body = inputs.json_body(request, schemas.RejectSchema())
        return json_response(call(self.applications.reject, principal.as_rpc(), application_id, body))

    @route(
        "POST",
        "/api/v1/review/applications/<string:application_id>/return",
        "退回补正",
        REVIEW_TAG,
        roles=("reviewer",),
        body=schemas.ReturnSchema,
        response=schemas.ApplicationDetailSchema,
        errors=(400, 404, 409),
    )
    def return_application(self, request, application_id, principal):
        body = inputs.json_body(request, schemas.ReturnSchema())
        return json_response(call(self.applications.return_for_correction, principal.as_rpc(), application_id, body))
