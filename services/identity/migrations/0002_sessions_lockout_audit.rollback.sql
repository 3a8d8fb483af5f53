DROP TABLE dead_letters;
DROP TABLE case_numbers;
DROP TABLE audit;
DROP FUNCTION audit_append_only();
DROP TABLE login_username_locks;
DROP TABLE login_failure_log;
DROP TABLE login_attempts;
DROP TABLE login_guards;
CREATE TABLE login_failures (
    username_key   text PRIMARY KEY,
    failures       integer NOT NULL,
    window_started timestamptz NOT NULL,
    locked_until   timestamptz
);
DROP TABLE revoked_tokens;
DROP TABLE installation;
ALTER TABLE users DROP COLUMN session_generation, DROP COLUMN disabled;
