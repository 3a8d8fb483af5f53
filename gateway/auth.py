"""Who is calling: bearer-token verification and role checks, done in the gateway."""

from dataclasses import dataclass

import jwt

from common import errors, tokens
from gateway.revocations import TABLE


@dataclass(frozen=True)
class Principal:
    user_id: str
    username: str
    roles: tuple
    jurisdiction: dict | None
    token_id: str = ""
    expires_at: int = 0
    installation: str = ""  # the identity database that issued the token (its `ins`)

    def has(self, role):
        return role in self.roles

    def as_rpc(self):
        return {
            "user_id": self.user_id,
            "username": self.username,
            "roles": list(self.roles),
            "jurisdiction": self.jurisdiction,
        }


def authenticate(request, *roles):
    """The caller, who must hold at least one of `roles` when any are given."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.Unauthenticated()
    try:
        claims = tokens.verify(token.strip())
    except jwt.ExpiredSignatureError:
        raise errors.Unauthenticated("登录已过期，请重新登录") from None
    except jwt.InvalidTokenError:
        raise errors.Unauthenticated("登录凭证无效") from None
    TABLE.check(claims)
    principal = Principal(
        claims["sub"],
        claims.get("username", ""),
        tuple(claims.get("roles", ())),
        claims.get("jurisdiction"),
        claims["jti"],
        claims["exp"],
        claims["ins"],
    )
    if roles and not any(principal.has(r) for r in roles):
        raise errors.Forbidden()
    return principal
