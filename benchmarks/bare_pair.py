"""The bare Nameko hop the performance figures are ratios to (not part of the product).

An `@http` gateway making one RPC to a service that does one primary-key SELECT through
psycopg_pool on the postings database, plain Nameko throughout:

    GET /bare/<posting_id>  ->  RPC bare_pk.get  ->  SELECT posting_id, title FROM postings WHERE posting_id = $1

Run each half as its own process, as benchmarks/load.py does:

    .venv/bin/python -m benchmarks.bare_pair service
    BARE_PORT=18080 .venv/bin/python -m benchmarks.bare_pair gateway

With `BARE_TRANSIENT=1` requests and replies are transient (common/transport.py), as the
product's are; without, Nameko's defaults (persistent, confirmed): the difference is what
transient RPC messages are worth.
"""

from common import green

green.patch()

import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

import eventlet  # noqa: E402
from eventlet.event import Event  # noqa: E402
from nameko.rpc import RpcProxy, rpc  # noqa: E402
from nameko.runners import ServiceRunner  # noqa: E402
from nameko.web.handlers import http  # noqa: E402

from common import config, db, transport  # noqa: E402

TRANSIENT = os.environ.get("BARE_TRANSIENT") == "1"


class BarePk:
    name = "bare_pk"

    @(transport.TransientRpc.decorator if TRANSIENT else rpc)
    def get(self, posting_id):
        with POOL.connection() as conn:
            row = conn.execute("SELECT posting_id, title FROM postings WHERE posting_id = %s", (posting_id,)).fetchone()
        return {"posting_id": str(row["posting_id"]), "title": row["title"]} if row else None


class BareGateway:
    name = "bare_gateway"
    bare_pk = transport.rpc_proxy("bare_pk") if TRANSIENT else RpcProxy("bare_pk")

    @http("GET", "/bare/<string:posting_id>")
    def get(self, request, posting_id):
        with eventlet.Timeout(config.rpc_timeout_seconds()):
            found = self.bare_pk.get(posting_id)
        return (200 if found else 404), json.dumps(found)


POOL = None


def main(role):
    global POOL
    settings = config.nameko_config(WEB_SERVER_ADDRESS=f"127.0.0.1:{os.environ.get('BARE_PORT', '18080')}")
    runner = ServiceRunner(settings)
    if role == "service":
        POOL = db.create_pool("postings", max_size=config.max_workers() + 2)
        runner.add_service(BarePk)
    else:
        runner.add_service(BareGateway)
    stopping = Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.send(True) if not stopping.ready() else None)
    runner.start()
    try:
        stopping.wait()
    finally:
        runner.stop()
        if POOL is not None:
            POOL.close()


if __name__ == "__main__":
    main(sys.argv[1])
