"""The private attachments bucket (S3 through boto3), owned by the applications service.

The gateway never holds bucket credentials: it streams an upload to a presigned
PUT URL for one random key, and readers fetch through presigned GET URLs that
expire within minutes. Bytes never travel over RabbitMQ.
"""
import os
import secrets
from urllib.parse import quote

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from nameko.extensions import DependencyProvider

from common import config

UPLOAD_URL_SECONDS = 300
DOWNLOAD_URL_SECONDS = 300


def client():
    endpoint = config.s3_endpoint_url()
    options = {"config": Config(signature_version="s3v4", s3={"addressing_style": "path"},
                                retries={"max_attempts": 3, "mode": "standard"})}
    if endpoint:
        # A local S3-compatible server accepts any credentials; real S3 uses the usual AWS chain.
        options.update(endpoint_url=endpoint,
                       aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "local"),
                       aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
                       region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    return boto3.client("s3", **options)


def new_key():
    """A random object key: it reveals neither the person nor the case."""
    return "attachments/" + secrets.token_hex(16)


class Bucket:
    def __init__(self, s3, name):
        self.s3 = s3
        self.name = name

    def ensure(self):
        """Create the bucket if missing, private to this service."""
        try:
            self.s3.head_bucket(Bucket=self.name)
        except ClientError:
            try:
                self.s3.create_bucket(Bucket=self.name)
            except ClientError as exc:
                if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise
            self.s3.put_public_access_block(Bucket=self.name, PublicAccessBlockConfiguration={
                "BlockPublicAcls": True, "IgnorePublicAcls": True,
                "BlockPublicPolicy": True, "RestrictPublicBuckets": True})

    def upload_url(self, key, content_type):
        return self.s3.generate_presigned_url(
            "put_object", Params={"Bucket": self.name, "Key": key, "ContentType": content_type},
            ExpiresIn=UPLOAD_URL_SECONDS, HttpMethod="PUT")

    def download_url(self, key, filename, content_type):
        disposition = f"attachment; filename*=UTF-8''{quote(filename, safe='')}"
        return self.s3.generate_presigned_url(
            "get_object", Params={"Bucket": self.name, "Key": key, "ResponseContentType": content_type,
                                  "ResponseContentDisposition": disposition},
            ExpiresIn=DOWNLOAD_URL_SECONDS)

    def size(self, key):
        """The stored object's size, or None when there is no such object."""
        try:
            return self.s3.head_object(Bucket=self.name, Key=key)["ContentLength"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def delete(self, keys):
        """Delete objects (missing ones count as deleted)."""
        keys = list(keys)
        for start in range(0, len(keys), 1000):
            chunk = keys[start:start + 1000]
            answer = self.s3.delete_objects(Bucket=self.name, Delete={
                "Objects": [{"Key": k} for k in chunk], "Quiet": True})
            if answer.get("Errors"):
                raise RuntimeError(f"S3 refused to delete {len(answer['Errors'])} objects: {answer['Errors'][0]}")


class Objects(DependencyProvider):
    """Hands workers the bucket; creates it at start when missing."""

    def __init__(self):
        self.bucket = None

    def setup(self):
        self.bucket = Bucket(client(), config.s3_bucket())
        if config.s3_endpoint_url():
            # The local S3-compatible server starts empty; real S3 buckets are provisioned by operators.
            self.bucket.ensure()

    def get_dependency(self, worker_ctx):
        return self.bucket
