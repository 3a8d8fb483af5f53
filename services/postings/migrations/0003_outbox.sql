-- depends: 0002_postings_narrow_rows
-- The outbox: every post's publication, change and closing as an event in one
-- append-only log (common/eventstore.py), published in commit order by the relay
-- (common/relay.py) so gateways can drop cached copies of the post.
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

-- How far the relay has published (only positions the broker confirmed).
CREATE TABLE relay_checkpoints (
    name       text        PRIMARY KEY,
    position   bigint      NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);
