-- depends: 0001_event_consumer
-- Who is an approved intern, and where: fed only by applications' approval events.
CREATE TABLE interns (
    applicant_id        uuid PRIMARY KEY,
    application_id      uuid NOT NULL,
    jurisdiction_city   text NOT NULL,
    jurisdiction_county text,
    approved_at         timestamptz NOT NULL,
    recorded_at         timestamptz NOT NULL DEFAULT now()
);
