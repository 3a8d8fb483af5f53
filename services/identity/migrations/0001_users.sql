-- depends:
CREATE TABLE users (
    user_id         uuid PRIMARY KEY,
    username        text NOT NULL,
    password_hash   text NOT NULL,
    real_name       text NOT NULL,
    id_number       text,
    phone           text,
    roles           text[] NOT NULL,
    jurisdiction_city   text,
    jurisdiction_county text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (jurisdiction_county IS NULL OR jurisdiction_city IS NOT NULL)
);
-- Usernames are unique regardless of letter case, so "Li_Lei" cannot shadow "li_lei".
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_id_number_key ON users (id_number) WHERE id_number IS NOT NULL;

-- Failed-login bookkeeping per (lower-cased) username, also for names that do not exist,
-- so a lockout reveals nothing about which accounts are real.
CREATE TABLE login_failures (
    username_key   text PRIMARY KEY,
    failures       integer NOT NULL,
    window_started timestamptz NOT NULL,
    locked_until   timestamptz
);
