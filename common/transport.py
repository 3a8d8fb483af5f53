"""How RPC messages travel: requests and replies transient, events untouched.

A persistent message in a durable queue is written to disk before the broker confirms it;
an RPC request or reply has no use after its caller's time bound (`RPC_TIMEOUT_SECONDS`),
so that write buys nothing. If the broker restarts with requests or replies in flight,
they are lost and the caller gets 503 after its time bound (reads may simply be repeated;
writes that were made by a request whose reply was lost show on the next read or answer
with a conflict, as for any timeout). Requests keep publisher confirms and `mandatory`,
which is how Nameko tells a caller that no service is listening; a reply goes out without
waiting for a confirm, since the caller's time bound covers its loss too.

Events are another matter: the outbox relay (common/relay.py) publishes them persistent
and confirmed, and nothing here changes that.
"""

from typing import Any

from nameko.amqp.publish import Publisher
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_SERIALIZER,
    LOGIN_METHOD_CONFIG_KEY,
    SERIALIZER_CONFIG_KEY,
)
from nameko.rpc import Responder, Rpc, RpcConsumer, RpcProxy, get_rpc_exchange

from common import config

#: AMQP delivery mode 1: kept in memory only.
TRANSIENT = 1


class ReplyPublisher(Publisher):
    delivery_mode = TRANSIENT
    use_confirms = False


class TransientResponder(Responder):
    publisher_cls = ReplyPublisher


class TransientRpcConsumer(RpcConsumer):
    """Nameko's RPC consumer, answering with transient, unconfirmed replies."""

    def handle_result(self, message: Any, result: Any, exc_info: Any) -> tuple[Any, Any]:
        config = self.container.config
        responder = TransientResponder(
            config[AMQP_URI_CONFIG_KEY],
            get_rpc_exchange(config),
            config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER),
            message,
            ssl=config.get(AMQP_SSL_CONFIG_KEY),
            login_method=config.get(LOGIN_METHOD_CONFIG_KEY),
        )
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info


class TransientRpc(Rpc):
    rpc_consumer = TransientRpcConsumer()


def rpc_proxy(service: str) -> Any:
    """An RpcProxy whose requests are transient (confirmed and mandatory as before) and expire
    with the caller's time bound: a service that comes back after a pause never acts on a
    request its caller has already answered with 503."""
    return RpcProxy(service, delivery_mode=TRANSIENT, expiration=config.rpc_timeout_seconds())
