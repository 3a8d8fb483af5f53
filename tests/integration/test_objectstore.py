"""The local object store answers nothing without valid credentials (issue 9, "Attachments
readable and replaceable"): each attack the issue ran against :9070, against the store the
tests start the way `make up` does (deploy.objectstore)."""

import re
import uuid

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from common import objects

SECRET_BYTES = b"%PDF-1.4 private scan " + uuid.uuid4().hex.encode()


@pytest.fixture(scope="module")
def stored(s3_endpoint):
    bucket = objects.Bucket(objects.client(), f"jx-store-{uuid.uuid4().hex[:12]}")
    bucket.ensure()
    key = objects.new_key()
    bucket.put(key, SECRET_BYTES, len(SECRET_BYTES), "application/pdf")
    return bucket, key


def url_of(s3_endpoint, bucket, key=""):
    return f"{s3_endpoint}/{bucket.name}/{key}"


def assert_intact(bucket, key):
    assert b"".join(bucket.chunks(key)) == SECRET_BYTES


def refused(resp):
    return resp.status_code == 403 and SECRET_BYTES not in resp.content and b"attachments/" not in resp.content


def test_anonymous_listing_reading_writing_and_deleting_are_refused(s3_endpoint, stored):
    bucket, key = stored
    assert refused(requests.get(url_of(s3_endpoint, bucket) + "?list-type=2", timeout=10))
    assert refused(requests.get(s3_endpoint + "/", timeout=10))
    assert refused(requests.get(url_of(s3_endpoint, bucket, key), timeout=10))
    assert refused(
        requests.put(
            url_of(s3_endpoint, bucket, key),
            data=b"<html>owned</html>",
            headers={"Content-Type": "text/html"},
            timeout=10,
        )
    )
    assert refused(requests.delete(url_of(s3_endpoint, bucket, key), timeout=10))
    assert_intact(bucket, key)


@pytest.mark.parametrize("tamper", ["other_key", "expired", "bogus_signature", "as_issued"])
def test_presigned_style_requests_are_refused_whatever_their_signature(s3_endpoint, stored, tamper):
    bucket, key = stored
    other = objects.new_key()
    bucket.put(other, b"%PDF other", 10, "application/pdf")
    expires = 1 if tamper == "expired" else 300
    # "as_issued": moto cannot check a presigned URL, so the store must refuse even a valid one.
    signed = {
        method: bucket.s3.generate_presigned_url(
            operation, Params={"Bucket": bucket.name, "Key": other}, ExpiresIn=expires, HttpMethod=method
        )
        for method, operation in (("GET", "get_object"), ("PUT", "put_object"), ("DELETE", "delete_object"))
    }
    for method, url in signed.items():
        if tamper == "other_key":
            url = url.replace(other, key)
        elif tamper == "expired":
            url = re.sub(r"X-Amz-Date=[0-9TZ]+", "X-Amz-Date=20200101T000000Z", url)
        elif tamper == "bogus_signature":
            url = url.split("X-Amz-Signature=")[0] + "X-Amz-Signature=" + "0" * 64
        data = b"<html>owned</html>" if method == "PUT" else None
        assert refused(requests.request(method, url, data=data, timeout=10)), (method, tamper)
    assert_intact(bucket, key)
    assert b"".join(bucket.chunks(other)) == b"%PDF other"


@pytest.mark.parametrize("access_key", ["known", "unknown"])
def test_wrongly_signed_requests_are_refused(s3_endpoint, stored, access_key):
    bucket, key = stored
    key_id = bucket.s3._request_signer._credentials.access_key if access_key == "known" else "AKIAFORGED0000000000"
    forger = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=key_id,
        aws_secret_access_key="not-the-secret",
        config=Config(s3={"addressing_style": "path"}),
    )
    for attempt in (
        lambda: forger.list_objects_v2(Bucket=bucket.name),
        lambda: forger.get_object(Bucket=bucket.name, Key=key),
        lambda: forger.put_object(Bucket=bucket.name, Key=key, Body=b"<html>owned</html>"),
        lambda: forger.delete_object(Bucket=bucket.name, Key=key),
    ):
        with pytest.raises(ClientError) as caught:
            attempt()
        assert caught.value.response["Error"]["Code"] in (
            "SignatureDoesNotMatch",
            "InvalidAccessKeyId",
            "AccessDenied",
            "403",
        )
    assert_intact(bucket, key)


def test_the_management_api_is_closed(s3_endpoint, stored):
    bucket, key = stored
    assert refused(requests.get(s3_endpoint + "/moto-api/data.json", timeout=10))
    assert refused(requests.post(s3_endpoint + "/moto-api/reset", timeout=10))
    assert_intact(bucket, key)
