"""Signed access tokens: identity issues them, the gateway verifies them without an RPC.

Besides who and what, a token names the session it belongs to, so the gateway can
refuse it after a revocation without reading a database: `ins` is the identity
database it was issued from (a token minted against another one names subjects that
may not exist), `gen` the user's session generation (a password change or a disabled
account raises it), `jti` the token itself (logout).
"""

import time
import uuid
from typing import Any

import jwt

from common import config

ALGORITHM = "HS256"
ISSUER = "jx-identity"
REQUIRED_CLAIMS = ["sub", "exp", "iat", "iss", "jti", "ins", "gen"]


def issue(
    user: dict[str, Any], installation: str, generation: int, now: float | None = None, ttl: int | None = None
) -> tuple[str, int]:
    issued = int(now if now is not None else time.time())
    ttl = ttl if ttl is not None else config.jwt_ttl_seconds()
    claims = {
        "sub": user["user_id"],
        "username": user["username"],
        "roles": user["roles"],
        "jurisdiction": user.get("jurisdiction"),
        "iss": ISSUER,
        "iat": issued,
        "exp": issued + ttl,
        "jti": str(uuid.uuid4()),
        "ins": str(installation),
        "gen": int(generation),
    }
    return jwt.encode(claims, config.jwt_secret(), algorithm=ALGORITHM), ttl


def verify(token: str) -> dict[str, Any]:
    """The token's claims; raises jwt.InvalidTokenError when expired, forged, malformed or incomplete."""
    claims: dict[str, Any] = jwt.decode(
        token,
        config.jwt_secret(),
        algorithms=[ALGORITHM],
        issuer=ISSUER,
        options={"require": REQUIRED_CLAIMS},
    )
    if (
        not isinstance(claims["gen"], int)
        or not isinstance(claims["jti"], str)
        or not isinstance(claims["ins"], str)
        or not isinstance(claims["sub"], str)
    ):
        raise jwt.InvalidTokenError("malformed session claims")
    return claims
