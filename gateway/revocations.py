"""Which valid-looking tokens the gateway refuses, kept in memory so no request reads a database.

Identity broadcasts every revocation (`session_revoked`: a user's new session generation
after a password change or a disabled account, or one logged-out token's jti until it
expires); each gateway process consumes them through its own broadcast queue into this
table. The table is loaded from identity's `revocations` RPC at start and reloaded
periodically, as the backstop for a broadcast lost on the way. Revocations only ever
grow (a generation only rises, a jti stays until expiry), so merging a snapshot with
events in any order gives the same table.
"""

import time

from common import errors


class RevocationTable:
    def __init__(self):
        self.installation = None
        self.generations = {}
        self.tokens = {}
        self.loaded_at = None  # time.monotonic() of the last snapshot

    @property
    def ready(self):
        return self.installation is not None

    def due(self, interval):
        return self.loaded_at is None or time.monotonic() - self.loaded_at >= interval

    def load(self, snapshot, now):
        """Merge identity's snapshot {"installation", "generations": {user: n}, "tokens": {jti: exp}}."""
        for user_id, generation in snapshot["generations"].items():
            self._raise(user_id, generation)
        self.tokens.update(snapshot["tokens"])
        self.tokens = {jti: exp for jti, exp in self.tokens.items() if exp > now}
        self.installation = snapshot["installation"]
        self.loaded_at = time.monotonic()

    def apply(self, revocation):
        """One `session_revoked` event: {"user_id", "generation"} or {"user_id", "jti", "expires_at"}."""
        if "generation" in revocation:
            self._raise(revocation["user_id"], revocation["generation"])
        if "jti" in revocation:
            self.tokens[revocation["jti"]] = revocation["expires_at"]

    def _raise(self, user_id, generation):
        if generation > self.generations.get(user_id, 0):
            self.generations[user_id] = generation

    def check(self, claims):
        """Raises Unauthenticated for a revoked token, ServiceUnavailable before the first load."""
        if not self.ready:
            raise errors.ServiceUnavailable("会话状态尚未加载，请稍后再试", details={"reason": "sessions not loaded"})
        if claims["ins"] != self.installation:
            raise errors.Unauthenticated("登录凭证无效")
        if claims["gen"] < self.generations.get(claims["sub"], 0) or claims["jti"] in self.tokens:
            raise errors.Unauthenticated("登录已失效，请重新登录")


#: This gateway process's table.
TABLE = RevocationTable()
