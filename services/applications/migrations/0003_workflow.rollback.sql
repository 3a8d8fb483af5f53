ALTER TABLE application_particulars DROP COLUMN verification_code;
DROP INDEX application_particulars_name;
DROP INDEX applications_one_active;
CREATE UNIQUE INDEX applications_one_active ON applications (applicant_id)
    WHERE status IN ('pending', 'approved');
ALTER TABLE applications DROP COLUMN return_reason, DROP COLUMN return_items;
