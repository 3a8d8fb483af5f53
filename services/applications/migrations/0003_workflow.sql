-- depends: 0002_applications
-- 退回补正 and resubmission, the review queue's name search, verification codes.

ALTER TABLE applications ADD COLUMN return_reason text, ADD COLUMN return_items jsonb;

-- A returned case is active too: still one active case per person.
DROP INDEX applications_one_active;
CREATE UNIQUE INDEX applications_one_active ON applications (applicant_id)
    WHERE status IN ('pending', 'approved', 'returned');

-- The review queue's `q`: the applicant's real name, exact or prefix.
CREATE INDEX application_particulars_name ON application_particulars (real_name text_pattern_ops);

-- The printed form's verification code: random, kept beside (not in) the published log.
-- Cases filed before this migration get one from PostgreSQL's strong random source.
ALTER TABLE application_particulars ADD COLUMN verification_code text;
UPDATE application_particulars
   SET verification_code = upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 12));
ALTER TABLE application_particulars ALTER COLUMN verification_code SET NOT NULL;
