"""The local S3-compatible store that `make up` and the tests start: moto's server with
every request authenticated and authorised through its IAM.

`python -m deploy.objectstore PORT` with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set
(`deploy.system.local_s3_credentials()` makes a random pair per start). Before the port
opens, one IAM user with those credentials and a policy for S3 is created in-process;
from the first request on, moto refuses anonymous and wrongly signed requests. Its
/moto-api/ (a dump of all data, reset) is refused too, and so is any request without an
Authorization header: moto cannot check presigned URLs, so nothing uses them; the services
and the gateway sign every request with boto3.
"""

import json
import os
import signal
import sys

from moto import settings
from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.models import iam_backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from waitress import serve
from werkzeug.wrappers import Response

USER = "attachments"
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
DENIED = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>'
)


def create_user(access_key_id, secret_access_key):
    """The one IAM user, holding the given credentials (moto would draw random ones)."""
    iam = iam_backends[DEFAULT_ACCOUNT_ID]["aws"]
    iam.create_user(region_name="us-east-1", user_name=USER)
    iam.put_user_policy(USER, "attachments-s3", json.dumps(POLICY))
    key = iam.create_access_key(USER)
    del iam.access_keys[key.access_key_id]
    key.access_key_id, key.secret_access_key = access_key_id, secret_access_key
    iam.access_keys[key.access_key_id] = key


class Guarded:
    """moto's application without its management API, and without the requests it cannot judge:
    one with no Authorization header (anonymous, or presigned, whose signature moto cannot check)
    is refused before moto sees it."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith("/moto-api") or not environ.get("HTTP_AUTHORIZATION"):
            return Response(DENIED, status=403, content_type="application/xml")(environ, start_response)
        return self.app(environ, start_response)


def main(port, host="127.0.0.1"):
    access_key_id, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
    if not access_key_id or not secret:
        print("objectstore: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", file=sys.stderr)
        return 2
    os.environ.setdefault("MOTO_PORT", str(port))
    create_user(access_key_id, secret)
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0  # every request from now on is authenticated
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # waitress rather than moto's own werkzeug server, which closes every connection after its
    # answer: each S3 call then cost a new TCP connection and a new thread here.
    serve(Guarded(DomainDispatcherApplication(create_backend_app)), host=host, port=port, threads=4)
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1])))
