-- depends:
-- The consuming side of integration events (see common/consumer.py, common/deadletters.py).

-- Every event a consumer has applied, written in the same transaction as its projection
-- change, so a redelivered event changes nothing.
CREATE TABLE consumer_inbox (
    consumer       text        NOT NULL,
    event_id       uuid        NOT NULL,
    stream_id      text        NOT NULL,
    stream_version integer     NOT NULL,
    handled_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

-- The last stream_version each consumer applied per stream: only the next one may follow.
CREATE TABLE consumer_streams (
    consumer  text    NOT NULL,
    stream_id text    NOT NULL,
    version   integer NOT NULL,
    PRIMARY KEY (consumer, stream_id)
);

-- Messages that kept failing, parked for an operator to inspect and replay.
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
