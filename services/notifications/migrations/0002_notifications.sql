-- depends: 0001_event_consumer
-- Each case's owner and number, learnt from `application_submitted` (notifications learn
-- everything from the integration events and never call applications).
CREATE TABLE cases (
    application_id uuid PRIMARY KEY,
    applicant_id   uuid NOT NULL,
    case_number    text NOT NULL
);

-- One message per decision event: `event_id` is unique, a second guard beside the consumer
-- inbox. `created_at` is the decision's own instant, so redelivery or a rebuild keeps the order.
CREATE TABLE notifications (
    notification_id uuid        PRIMARY KEY,
    recipient_id    uuid        NOT NULL,
    event_id        uuid        NOT NULL UNIQUE,
    type            text        NOT NULL,
    title           text        NOT NULL,
    body            text        NOT NULL,
    application_id  uuid        NOT NULL,
    case_number     text        NOT NULL,
    created_at      timestamptz NOT NULL,
    read_at         timestamptz
);
-- A person's messages, newest first, and their unread count.
CREATE INDEX notifications_recipient ON notifications (recipient_id, created_at DESC, notification_id DESC);
CREATE INDEX notifications_unread ON notifications (recipient_id) WHERE read_at IS NULL;
