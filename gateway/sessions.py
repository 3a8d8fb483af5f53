"""The gateway's side of revocation: consume identity's broadcasts, load and refresh the table."""

import logging
import time

import eventlet
from nameko.events import BROADCAST, event_handler
from nameko.timer import timer

from common import config, errors, logs
from common.rpc import call
from common.transport import rpc_proxy
from gateway.details import MeCache
from gateway.revocations import TABLE

log = logging.getLogger("gateway")

#: How often the timer looks whether the table is due (so an empty table is loaded within a second).
TICK_SECONDS = 1
#: A refresh answers fast or is retried at the next tick, whatever the bound on requests.
REFRESH_CALL_SECONDS = 5


class SessionRevocations:
    identity = rpc_proxy("identity")
    # The same attribute as IdentityRoutes': the service binds one, so both see one cache per process.
    me_cache = MeCache()

    # Each gateway process gets its own exclusive, auto-deleted queue: every replica hears every revocation.
    @event_handler("identity", "session_revoked", handler_type=BROADCAST, reliable_delivery=False)
    def on_session_revoked(self, revocation):
        TABLE.apply(revocation)
        self.me_cache.drop(TABLE.installation, revocation["user_id"])

    # Not eager: a call made while the container is still starting can lose its reply.
    @timer(interval=TICK_SECONDS)
    def refresh_revocations(self):
        if not TABLE.due(config.revocation_refresh_seconds()):
            return
        try:
            with eventlet.Timeout(REFRESH_CALL_SECONDS):  # call() turns it into ServiceUnavailable
                TABLE.load(call(self.identity.revocations), time.time())
        except errors.ServiceError as exc:
            # Identity not answering yet (start-up) or for a while: keep the table, try again next tick.
            logs.log(log, logging.WARNING, "revocations not refreshed", error=exc.code, details=exc.details)
