DROP TABLE idempotency_keys;
DROP TABLE case_counters;
DROP TABLE applications;
DROP TABLE application_particulars;
DROP TABLE attachments;
