-- depends: 0002_interns
-- An intern's bookmarked posts (at most three: the bookmarking transaction locks the
-- intern's row, then counts). The posts themselves belong to the postings service.
CREATE TABLE favorites (
    applicant_id uuid        NOT NULL REFERENCES interns (applicant_id),
    posting_id   uuid        NOT NULL,
    favorited_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (applicant_id, posting_id)
);
