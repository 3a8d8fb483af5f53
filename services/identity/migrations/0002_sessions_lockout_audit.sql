-- depends: 0001_users

-- Sessions: a disabled account cannot log in; bumping session_generation revokes every
-- token issued before (tokens carry the generation they were issued under).
ALTER TABLE users ADD COLUMN disabled boolean NOT NULL DEFAULT false,
                  ADD COLUMN session_generation integer NOT NULL DEFAULT 0;

-- This database's identity, carried by every token: a token minted against another
-- (earlier) database names subjects that may not exist here, and the gateway refuses it.
CREATE TABLE installation (
    singleton       boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    installation_id uuid NOT NULL DEFAULT gen_random_uuid()
);
INSERT INTO installation DEFAULT VALUES;

-- Logged-out tokens, kept until they would have expired anyway.
CREATE TABLE revoked_tokens (
    jti        uuid PRIMARY KEY,
    user_id    uuid NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);

-- Lockout per username and client address (replaces the per-username count).
DROP TABLE login_failures;

-- Consecutive failures of one username from one address.
CREATE TABLE login_guards (
    username_key   text NOT NULL,
    address        text NOT NULL,
    failures       integer NOT NULL DEFAULT 0,
    window_started timestamptz,
    locked_until   timestamptz,
    PRIMARY KEY (username_key, address)
);
-- Password checks in flight: reserved before argon2 runs, so concurrent guesses cannot
-- all read a count below the limit.
CREATE TABLE login_attempts (
    attempt_id   uuid PRIMARY KEY,
    username_key text NOT NULL,
    address      text NOT NULL,
    started_at   timestamptz NOT NULL
);
CREATE INDEX login_attempts_username ON login_attempts (username_key);
-- Every failure of a username, from whatever address, for the sliding per-username ceiling.
CREATE TABLE login_failure_log (
    username_key text NOT NULL,
    failed_at    timestamptz NOT NULL
);
CREATE INDEX login_failure_log_username ON login_failure_log (username_key, failed_at);
-- Usernames locked for every address after too many failures from all of them.
CREATE TABLE login_username_locks (
    username_key text PRIMARY KEY,
    locked_until timestamptz NOT NULL
);

-- The audit trail: who did what to which case or account, when, in which request.
-- Append-only: the triggers below refuse UPDATE, DELETE and TRUNCATE.
CREATE TABLE audit (
    audit_id       bigserial PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    actor_id       uuid,
    actor_username text,
    actor_roles    text[] NOT NULL DEFAULT '{}',
    action         text NOT NULL,
    application_id uuid,
    case_number    text,
    attachment_id  uuid,
    target_user_id uuid,
    request_id     text,
    -- The integration event an entry was made from: a redelivered event adds nothing.
    event_id       uuid UNIQUE
);
CREATE INDEX audit_newest ON audit (at DESC, audit_id DESC);
CREATE INDEX audit_by_actor ON audit (actor_id, at DESC);
CREATE INDEX audit_by_application ON audit (application_id, at DESC);
CREATE INDEX audit_by_action ON audit (action, at DESC);

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_no_update_or_delete BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- Case numbers learnt from application_submitted events, shown beside decisions in the audit.
CREATE TABLE case_numbers (
    application_id uuid PRIMARY KEY,
    case_number    text NOT NULL
);

-- Application events identity kept failing on (common/consumer.py, common/deadletters.py).
CREATE TABLE dead_letters (
    id          bigserial   PRIMARY KEY,
    service     text        NOT NULL,
    queue       text        NOT NULL,
    event_type  text        NOT NULL,
    event_id    text,
    payload     jsonb       NOT NULL,
    headers     jsonb       NOT NULL DEFAULT '{}',
    attempts    integer     NOT NULL,
    error       text        NOT NULL,
    parked_at   timestamptz NOT NULL DEFAULT now(),
    replayed_at timestamptz
);
CREATE INDEX dead_letters_parked ON dead_letters (id) WHERE replayed_at IS NULL;
