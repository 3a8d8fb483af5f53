-- depends:
-- The event store: every stream's events in one append-only log.
-- `position` is the global commit order (appends hold a table lock until commit,
-- so positions become visible in order; see common/eventstore.py).
CREATE TABLE events (
    position       bigserial   PRIMARY KEY,
    event_id       uuid        NOT NULL UNIQUE,
    stream_id      uuid        NOT NULL,
    stream_version integer     NOT NULL CHECK (stream_version > 0),
    type           text        NOT NULL,
    payload        jsonb       NOT NULL,
    metadata       jsonb       NOT NULL DEFAULT '{}',
    occurred_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_id, stream_version)
);

-- How far each outbox relay has published (only positions the broker confirmed).
CREATE TABLE relay_checkpoints (
    name       text        PRIMARY KEY,
    position   bigint      NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);
