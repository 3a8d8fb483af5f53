"""The gateway's multipart upload reader: size limit, type by content, hashing, bounded memory."""

import hashlib
import io
import tempfile

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from common import errors
from gateway.routes.applications import MAX_FILE_BYTES, receive_upload
from tests.files import jpeg, padded_pdf, pdf, png


def request(content, filename="f.pdf", kind="diploma", extra_headers=None):
    data = {"file": (io.BytesIO(content), filename)}
    if kind is not None:
        data["kind"] = kind
    environ = EnvironBuilder(method="POST", data=data, headers=extra_headers).get_environ()
    return Request(environ)


@pytest.mark.parametrize("content,mime", [(pdf(), "application/pdf"), (png(), "image/png"), (jpeg(), "image/jpeg")])
def test_accepts_pdf_png_jpeg_and_measures_them(content, mime):
    stream, meta = receive_upload(request(content, "证书.pdf"))
    assert meta == {
        "kind": "diploma",
        "filename": "证书.pdf",
        "size": len(content),
        "content_type": mime,
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    assert stream.read() == content  # rewound for the upload to the bucket


def test_exactly_10_mib_passes_and_is_spooled_to_disk_not_memory():
    stream, meta = receive_upload(request(padded_pdf(MAX_FILE_BYTES)))
    assert meta["size"] == MAX_FILE_BYTES
    assert isinstance(stream, tempfile.SpooledTemporaryFile) and stream._rolled  # on disk past 500 KiB


def test_one_byte_more_is_413():
    with pytest.raises(errors.FileTooLarge):
        receive_upload(request(padded_pdf(MAX_FILE_BYTES + 1)))


def test_declared_length_far_over_the_limit_is_413_before_reading():
    req = request(pdf())
    req.environ["CONTENT_LENGTH"] = str(MAX_FILE_BYTES * 2)
    with pytest.raises(errors.FileTooLarge):
        receive_upload(req)


@pytest.mark.parametrize(
    "content", [b"%PDX not really a pdf" * 10, "文本文件".encode() * 50, b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"]
)
def test_other_content_is_415_whatever_its_name(content):
    with pytest.raises(errors.UnsupportedFileType):
        receive_upload(request(content, "scan.pdf"))


def test_missing_parts_are_400():
    with pytest.raises(errors.InvalidInput) as exc:
        receive_upload(request(pdf(), kind=None))
    assert "kind" in exc.value.details
    with pytest.raises(errors.InvalidInput) as exc:
        receive_upload(request(pdf(), kind="selfie"))
    assert "kind" in exc.value.details
    with pytest.raises(errors.InvalidInput) as exc:
        receive_upload(request(b""))
    assert "file" in exc.value.details
    with pytest.raises(errors.InvalidInput) as exc:
        receive_upload(Request(EnvironBuilder(method="POST", json={"kind": "id_card"}).get_environ()))
    assert "file" in exc.value.details
