"""Identity's Nameko entrypoints: registration, login, personal details, staff accounts."""
from eventlet import tpool

from common import clock, errors, tokens
from common.rpc import Pingable, RequestId, Store, rpc
from common.validation import load
from contracts import identity as schemas
from services.identity import domain
from services.identity.store import IdentityStore


class IdentityService(Pingable):
    name = "identity"

    store = Store("identity", IdentityStore)
    request_id = RequestId()

    @rpc
    def register(self, body):
        data = load(schemas.RegisterSchema(), body)
        password_hash = tpool.execute(domain.hash_password, data["password"])
        row = self.store.create_user(data["username"], password_hash, data["real_name"], ["applicant"],
                                     id_number=data["id_number"], phone=data["phone"])
        return domain.public_user(row)

    @rpc
    def login(self, body):
        data = load(schemas.LoginSchema(), body)
        username = data["username"]
        seconds = domain.locked_for(self.store.failures(username), clock.now())
        if seconds:
            raise domain.rate_limited(seconds)
        row = self.store.user_by_username(username)
        if not tpool.execute(domain.password_matches, row and row["password_hash"], data["password"]):
            self.store.record_failure(username, lambda record: domain.after_failure(record, clock.now()))
            raise errors.InvalidCredentials()
        self.store.clear_failures(username)
        user = domain.public_user(row)
        token, ttl = tokens.issue(user)
        return {"access_token": token, "token_type": "Bearer", "expires_in": ttl, "user": user}

    @rpc
    def me(self, user_id):
        row = self.store.user_by_id(user_id)
        if row is None:
            raise errors.NotFound("用户不存在")
        return domain.me(row)

    @rpc
    def create_staff(self, actor, body):
        if "admin" not in actor.get("roles", ()):
            raise errors.Forbidden()
        data = load(schemas.StaffUserSchema(), body)
        password_hash = tpool.execute(domain.hash_password, data["password"])
        row = self.store.create_user(data["username"], password_hash, data["real_name"], data["roles"],
                                     jurisdiction=data["jurisdiction"])
        return domain.public_user(row)

    @rpc
    def applicant_record(self, user_id):
        """Name and ID number for services that must check them (applications).

        Internal only: the gateway never exposes this answer, and callers must
        not log it or put it in events.
        """
        row = self.store.user_by_id(user_id)
        if row is None or row["id_number"] is None:
            raise errors.NotFound("用户不存在")
        return {"user_id": str(row["user_id"]), "real_name": row["real_name"],
                "id_number": row["id_number"], "phone": row["phone"]}
