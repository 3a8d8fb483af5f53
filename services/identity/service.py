"""Identity's Nameko entrypoints: registration, login, sessions, personal details, staff accounts,
and the audit trail."""

import logging
from datetime import UTC, datetime

from eventlet import tpool
from nameko.events import EventDispatcher
from nameko.timer import timer
from prometheus_client import Counter

from common import clock, consumer, errors, logs, tokens
from common.ids import parse_uuid
from common.paging import page_body
from common.rpc import Pingable, RequestId, Store, rpc
from common.validation import load
from contracts import identity as schemas
from services.identity import domain
from services.identity.store import IdentityStore

log = logging.getLogger("identity")

#: What gateways consume to refuse revoked tokens (one broadcast queue per gateway process).
SESSION_REVOKED = "session_revoked"
PURGE_INTERVAL_SECONDS = 3600
METRICS_INTERVAL_SECONDS = 15

PASSWORD_CHECKS = Counter("identity_login_password_checks_total", "Passwords checked (argon2) at login")
# Gateways cache these answers (gateway/details.py); this shows how many still reach identity.
ME_READS = Counter("identity_me_reads_total", "Personal details read by `me` (GET /api/v1/me)")


class IdentityService(Pingable):
    name = "identity"

    store = Store("identity", IdentityStore)
    request_id = RequestId()
    dispatch = EventDispatcher()

    @rpc
    def register(self, body):
        data = load(schemas.RegisterSchema(), body)
        password_hash = tpool.execute(domain.hash_password, data["password"])
        row = self.store.create_user(
            data["username"],
            password_hash,
            data["real_name"],
            ["applicant"],
            id_number=data["id_number"],
            phone=data["phone"],
        )
        return domain.public_user(row)

    @rpc
    def login(self, body, client_address=""):
        """A token, unless this username is locked for this address (or for all): then 429 without
        checking the password. `client_address` is the caller as the gateway determined it."""
        data = load(schemas.LoginSchema(), body)
        username, address = data["username"], str(client_address or "")[:64]
        now = clock.now()
        attempt, seconds = self.store.reserve_attempt(username, address, now, lambda state: domain.refusal(state, now))
        if seconds:
            raise domain.rate_limited(seconds)
        succeeded = None
        try:
            row = self.store.user_by_username(username)
            PASSWORD_CHECKS.inc()
            matches = tpool.execute(domain.password_matches, row and row["password_hash"], data["password"])
            succeeded = matches and not domain.login_refused_for(row)
        finally:
            self.store.finish_attempt(attempt, username, address, succeeded, clock.now())
        if not succeeded:
            raise errors.InvalidCredentials()
        if domain.needs_rehash(row["password_hash"]):
            # Only a login knows the password. A concurrent password change makes this a no-op.
            new_hash = tpool.execute(domain.hash_password, data["password"])
            self.store.rehash_password(row["user_id"], row["password_hash"], new_hash)
        user = domain.public_user(row)
        token, ttl = tokens.issue(user, self.store.installation_id(), row["session_generation"])
        return {"access_token": token, "token_type": "Bearer", "expires_in": ttl, "user": user}

    # ---- sessions -------------------------------------------------------------------------------

    @rpc
    def logout(self, actor, token_id, expires_at):
        """Revoke one token (its jti) until it would have expired."""
        expiry = datetime.fromtimestamp(int(expires_at), UTC)
        self.store.revoke_token(token_id, actor["user_id"], expiry)
        revocation = {"user_id": actor["user_id"], "jti": token_id, "expires_at": int(expires_at)}
        self._broadcast(revocation)
        return revocation

    @rpc
    def change_password(self, actor, body):
        """Every token issued before stops working (the session generation goes up)."""
        data = load(schemas.ChangePasswordSchema(), body)
        row = self.store.user_by_id(actor["user_id"])
        if row is None:
            raise errors.Unauthenticated()
        domain.check_current_password(
            tpool.execute(domain.password_matches, row["password_hash"], data["current_password"])
        )
        new_hash = tpool.execute(domain.hash_password, data["new_password"])
        changed = self.store.change_password(
            row["user_id"],
            row["password_hash"],
            new_hash,
            domain.account_entry("password_changed", actor, row["user_id"], self.request_id),
        )
        domain.check_current_password(changed is not None)  # changed meanwhile by another request
        revocation = {"user_id": str(changed["user_id"]), "generation": changed["session_generation"]}
        self._broadcast(revocation)
        return revocation

    @rpc
    def revocations(self):
        """The whole revocation state, for a gateway starting or refreshing its table."""
        generations, revoked = self.store.revocations()
        return {
            "installation": self.store.installation_id(),
            "generations": generations,
            "tokens": {jti: int(expiry.timestamp()) for jti, expiry in revoked.items()},
        }

    def _broadcast(self, revocation):
        """After the commit. Should the broker refuse it, gateways still learn it at their next refresh."""
        try:
            self.dispatch(SESSION_REVOKED, revocation)
        except Exception as exc:  # noqa: BLE001  (the change is committed; the periodic refresh is the backstop)
            logs.log(
                log,
                logging.WARNING,
                "revocation not broadcast; gateways pick it up at their refresh",
                user_id=revocation["user_id"],
                error=type(exc).__name__,
            )

    # ---- personal details and staff accounts ------------------------------------------------------

    @rpc
    def me(self, user_id):
        ME_READS.inc()
        row = self.store.user_by_id(user_id)
        if row is None:
            raise errors.Unauthenticated("登录凭证无效")  # a token whose subject is gone
        return domain.me(row)

    @rpc
    def create_staff(self, actor, body):
        domain.require_admin(actor)
        data = load(schemas.StaffUserSchema(), body)
        password_hash = tpool.execute(domain.hash_password, data["password"])
        row = self.store.create_user(
            data["username"],
            password_hash,
            data["real_name"],
            data["roles"],
            jurisdiction=data["jurisdiction"],
            audit=lambda user_id: domain.account_entry("user_created", actor, user_id, self.request_id),
        )
        return domain.public_user(row)

    @rpc
    def staff(self, actor, query):
        domain.require_admin(actor)
        q = load(schemas.StaffQuery(), query)
        rows, total = self.store.staff_page(q["role"], q["page"], q["page_size"])
        return page_body([domain.staff_account(r) for r in rows], total, q["page"], q["page_size"])

    @rpc
    def disable_staff(self, actor, user_id):
        """A disabled account's logins fail and its tokens stop working."""
        domain.require_admin(actor)
        key = self._staff_key(user_id)
        domain.check_can_disable(actor, key)
        row, changed = self._set_disabled(actor, key, True, "user_disabled")
        if changed:
            self._broadcast({"user_id": str(row["user_id"]), "generation": row["session_generation"]})
        return domain.staff_account(row)

    @rpc
    def enable_staff(self, actor, user_id):
        domain.require_admin(actor)
        row, _ = self._set_disabled(actor, self._staff_key(user_id), False, "user_enabled")
        return domain.staff_account(row)

    @staticmethod
    def _staff_key(user_id):
        key = parse_uuid(user_id)
        if key is None:
            raise errors.NotFound("账号不存在")
        return key

    def _set_disabled(self, actor, key, disabled, action):
        result = self.store.set_disabled(key, disabled, domain.account_entry(action, actor, key, self.request_id))
        if result is None:
            raise errors.NotFound("账号不存在")
        return result

    @rpc
    def applicant_record(self, user_id):
        """Name and ID number for services that must check them (applications).

        Internal only: the gateway never exposes this answer, and callers must
        not log it or put it in events.
        """
        row = self.store.user_by_id(user_id)
        if row is None or row["id_number"] is None:
            raise errors.NotFound("用户不存在")
        return {
            "user_id": str(row["user_id"]),
            "real_name": row["real_name"],
            "id_number": row["id_number"],
            "phone": row["phone"],
        }

    # ---- audit trail ------------------------------------------------------------------------------

    @rpc
    def record_audit(self, entry):
        """A staff read (application_viewed, attachment_downloaded, form_printed), recorded before the
        caller answers: no audit, no data. `entry` = {"action", "actor": the gateway's principal
        (user_id, username, roles), and as they apply "application_id", "case_number", "attachment_id"}.
        The request id travels with the RPC."""
        data = load(schemas.AuditEntrySchema(), entry)
        self.store.record_audit(domain.read_entry(data, self.request_id))

    @rpc
    def audit(self, actor, query):
        domain.require_admin(actor)
        q = load(schemas.AuditQuery(), query)
        rows, total = self.store.audit_page(
            q["actor"], q["action"], q["application_id"], q["month"], q["page"], q["page_size"]
        )
        return page_body([domain.audit_view(r) for r in rows], total, q["page"], q["page_size"])

    # Decisions come from applications' events, so none escapes whichever process made it.
    @consumer.handler("applications", "application_submitted")
    def on_application_submitted(self, event):
        self.store.record_case_number(event["application_id"], event["case_number"])

    @consumer.handler("applications", "application_approved")
    def on_application_approved(self, event):
        self._audit_decision("application_approved", event)

    @consumer.handler("applications", "application_rejected")
    def on_application_rejected(self, event):
        self._audit_decision("application_rejected", event)

    @consumer.handler("applications", "application_returned")
    def on_application_returned(self, event):
        self._audit_decision("application_returned", event)

    def _audit_decision(self, action, event):
        reviewer = self.store.user_by_id(event["reviewer_id"])
        self.store.record_decision(domain.decision_entry(action, event, reviewer, self.request_id))

    # ---- housekeeping -----------------------------------------------------------------------------

    @timer(interval=PURGE_INTERVAL_SECONDS)
    def purge_login_records(self):
        self.store.purge_login_records(clock.now())

    @timer(interval=METRICS_INTERVAL_SECONDS, eager=True)
    def refresh_metrics(self):
        self.store.refresh_parked_metric()
