"""Signed access tokens: identity issues them, the gateway verifies them without an RPC."""
import time
import uuid
from typing import Any

import jwt

from common import config

ALGORITHM = "HS256"
ISSUER = "jx-identity"


def issue(user: dict[str, Any], now: float | None = None, ttl: int | None = None) -> tuple[str, int]:
    now = int(now if now is not None else time.time())
    ttl = ttl if ttl is not None else config.jwt_ttl_seconds()
    claims = {
        "sub": user["user_id"],
        "username": user["username"],
        "roles": user["roles"],
        "jurisdiction": user.get("jurisdiction"),
        "iss": ISSUER,
        "iat": now,
        "exp": now + ttl,
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, config.jwt_secret(), algorithm=ALGORITHM), ttl


def verify(token: str) -> dict[str, Any]:
    """The token's claims; raises jwt.InvalidTokenError when expired, forged or malformed."""
    return jwt.decode(
        token, config.jwt_secret(), algorithms=[ALGORITHM], issuer=ISSUER,
        options={"require": ["sub", "exp", "iat", "iss"]},
    )
