"""Who is on the other end of the socket, for the per-address login lockout."""

import ipaddress
from functools import lru_cache

from common import config

MAX_ADDRESS_CHARS = 64


@lru_cache(maxsize=1)
def _trusted():
    return config.trusted_proxies()


def client_address(request):
    return resolve(request.remote_addr or "", request.headers.get("X-Forwarded-For", ""), _trusted())


def resolve(peer, forwarded_for, trusted):
    """The socket peer; when the peer is a trusted proxy, the rightmost `X-Forwarded-For` hop that is
    not itself a trusted proxy. Hops left of that one are whatever the client claimed, never believed."""
    address = peer
    if not _is_trusted(address, trusted):
        return address[:MAX_ADDRESS_CHARS]
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        address = hop
        if not _is_trusted(hop, trusted):
            break
    return address[:MAX_ADDRESS_CHARS]


def _is_trusted(address, trusted):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)
