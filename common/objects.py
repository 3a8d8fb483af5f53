"""The private attachments bucket (S3 through boto3): the applications service owns it,
the gateway streams bytes in and out of it.

Every request is signed with real credentials (the AWS chain; for the local store the
ones `deploy.system` hands every process): no presigned URL is ever issued, so no
client ever talks to the store. Bytes never travel over RabbitMQ.
"""

import secrets
from collections.abc import Iterable, Iterator
from typing import IO, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from nameko.extensions import DependencyProvider

from common import config, errors

CHUNK = 64 * 1024


class StoreUnavailable(errors.ServiceUnavailable):
    default_message = "文件存储暂时不可用，请稍后再试"


def client() -> Any:
    options = {
        "config": Config(
            signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 3, "mode": "standard"}
        )
    }
    endpoint = config.s3_endpoint_url()
    if endpoint:
        options.update(endpoint_url=endpoint, region_name=config.env("AWS_DEFAULT_REGION", "us-east-1"))
    return boto3.client("s3", **options)


def new_key() -> str:
    """A random object key: it reveals neither the person nor the case."""
    return "attachments/" + secrets.token_hex(16)


class Bucket:
    def __init__(self, s3: Any, name: str) -> None:
        self.s3 = s3
        self.name = name

    def ensure(self) -> None:
        """Create the bucket if missing, private to this service."""
        try:
            self.s3.head_bucket(Bucket=self.name)
        except ClientError:
            try:
                self.s3.create_bucket(Bucket=self.name)
            except ClientError as exc:
                if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise
            self.s3.put_public_access_block(
                Bucket=self.name,
                PublicAccessBlockConfiguration={
                    "BlockPublicAcls": True,
                    "IgnorePublicAcls": True,
                    "BlockPublicPolicy": True,
                    "RestrictPublicBuckets": True,
                },
            )

    def put(self, key: str, stream: IO[bytes] | bytes, size: int, content_type: str) -> None:
        try:
            self.s3.put_object(Bucket=self.name, Key=key, Body=stream, ContentLength=size, ContentType=content_type)
        except (BotoCoreError, ClientError) as exc:
            raise StoreUnavailable(details={"reason": type(exc).__name__}) from None

    def chunks(self, key: str) -> Iterator[bytes]:
        """The object's bytes as an iterator of chunks (opened before the first one is asked for)."""
        try:
            body = self.s3.get_object(Bucket=self.name, Key=key)["Body"]
        except (BotoCoreError, ClientError) as exc:
            raise StoreUnavailable(details={"reason": type(exc).__name__}) from None

        def read() -> Iterator[bytes]:
            with body:
                yield from body.iter_chunks(CHUNK)

        return read()

    def size(self, key: str) -> int | None:
        """The stored object's size, or None when there is no such object."""
        try:
            return int(self.s3.head_object(Bucket=self.name, Key=key)["ContentLength"])
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def delete(self, keys: Iterable[str]) -> None:
        """Delete objects (missing ones count as deleted)."""
        keys = list(keys)
        for start in range(0, len(keys), 1000):
            chunk = keys[start : start + 1000]
            answer = self.s3.delete_objects(
                Bucket=self.name, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True}
            )
            if answer.get("Errors"):
                raise RuntimeError(f"S3 refused to delete {len(answer['Errors'])} objects")


class Objects(DependencyProvider):
    """Hands workers the bucket; `ensure` creates it at start when missing (its owner does)."""

    def __init__(self, ensure: bool = False) -> None:
        self.bucket: Bucket | None = None
        self.create = ensure

    def setup(self) -> None:
        self.bucket = Bucket(client(), config.s3_bucket())
        if self.create and config.s3_endpoint_url():
            # The local S3-compatible server starts empty; real S3 buckets are provisioned by operators.
            self.bucket.ensure()

    def get_dependency(self, worker_ctx: Any) -> Bucket | None:
        return self.bucket
