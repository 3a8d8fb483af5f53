-- depends: 0001_event_store
-- Uploaded files: the bytes are in the private bucket under `object_key` (random, says
-- nothing about the person); a row becomes `stored` once the object is verified in the
-- bucket, and is bound to one case on submit. Unbound rows older than a day are purged.
CREATE TABLE attachments (
    attachment_id  uuid        PRIMARY KEY,
    owner_id       uuid        NOT NULL,
    object_key     text        NOT NULL UNIQUE,
    kind           text        NOT NULL,
    filename       text,
    size           bigint,
    content_type   text,
    sha256         text,
    stored         boolean     NOT NULL DEFAULT false,
    application_id uuid,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (NOT stored OR (filename IS NOT NULL AND size IS NOT NULL AND content_type IS NOT NULL AND sha256 IS NOT NULL))
);
CREATE INDEX attachments_application ON attachments (application_id) WHERE application_id IS NOT NULL;
CREATE INDEX attachments_unbound ON attachments (created_at) WHERE application_id IS NULL;

-- A submission's personal particulars, kept beside (not in) the event log: the log is
-- immutable and published, and must hold no ID number or phone.
CREATE TABLE application_particulars (
    application_id   uuid PRIMARY KEY,
    real_name        text NOT NULL,
    id_number_masked text NOT NULL,
    phone            text NOT NULL,
    household_address text NOT NULL,
    current_address  text NOT NULL,
    unemployment_registration_number text
);

-- Read model (projection of the events, rebuilt from them by a command): one row per case.
CREATE TABLE applications (
    application_id    uuid        PRIMARY KEY,
    case_number       text        NOT NULL UNIQUE,
    applicant_id      uuid        NOT NULL,
    category          text        NOT NULL,
    status            text        NOT NULL,
    jurisdiction_city   text      NOT NULL,
    jurisdiction_county text,
    gender            text        NOT NULL,
    education         text        NOT NULL,
    school            text        NOT NULL,
    major             text,
    graduation_date   date,
    submitted_at      timestamptz NOT NULL,
    decided_at        timestamptz,
    reviewer_id       uuid,
    comment           text,
    reason            text,
    version           integer     NOT NULL
);
-- One active (pending or approved) case per person, whatever races happen.
CREATE UNIQUE INDEX applications_one_active ON applications (applicant_id)
    WHERE status IN ('pending', 'approved');
-- My cases: by person, newest first (month filters are submitted_at ranges).
CREATE INDEX applications_mine ON applications (applicant_id, submitted_at DESC);
-- Review queue: by status, then region, in submission order.
CREATE INDEX applications_queue ON applications (status, jurisdiction_city, jurisdiction_county, submitted_at);

-- Case-number serials, one row per Shanghai day, taken in the submitting transaction.
CREATE TABLE case_counters (
    day    date    PRIMARY KEY,
    serial integer NOT NULL
);

-- Idempotency-Key answers per person and endpoint, kept 24 hours.
CREATE TABLE idempotency_keys (
    owner_id    uuid        NOT NULL,
    scope       text        NOT NULL,
    key         text        NOT NULL,
    status      integer,
    body        jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (owner_id, scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
