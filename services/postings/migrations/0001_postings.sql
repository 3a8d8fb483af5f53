-- depends:
-- Internship posts. `status` is not stored: a post is open while closed_at is null
-- and its deadline (a Shanghai calendar date) is not yet past, judged at query time.
CREATE TABLE postings (
    posting_id            uuid PRIMARY KEY,
    title                 text NOT NULL,
    employer_name         text NOT NULL,
    employer_credit_code  text NOT NULL,
    city_code             text NOT NULL,
    county_code           text NOT NULL,
    industry              text NOT NULL,
    headcount             integer NOT NULL CHECK (headcount BETWEEN 1 AND 999),
    education_requirement text NOT NULL,
    major_requirement     text NOT NULL,
    duration_months       integer NOT NULL CHECK (duration_months BETWEEN 3 AND 12),
    monthly_subsidy       integer NOT NULL CHECK (monthly_subsidy >= 0),
    address               text NOT NULL,
    contact_name          text NOT NULL,
    contact_phone         text NOT NULL,
    description           text NOT NULL,
    deadline              date NOT NULL,
    published_at          timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    closed_at             timestamptz,
    created_by            uuid,
    closed_by             uuid,
    -- Keyword search: the normalised title, employer and description, and the set of
    -- their 1- and 2-character grams. A GIN index on the grams finds any substring
    -- (Chinese has no spaces to split words on); LIKE on search_text rechecks longer ones.
    search_text           text NOT NULL,
    search_grams          text[] NOT NULL
);

-- Region pages sorted newest first, counted from the index alone (deadline is included).
CREATE INDEX postings_open_newest ON postings (published_at DESC, posting_id)
    INCLUDE (deadline) WHERE closed_at IS NULL;
CREATE INDEX postings_open_city ON postings (city_code, published_at DESC, posting_id)
    INCLUDE (deadline) WHERE closed_at IS NULL;
CREATE INDEX postings_open_county ON postings (county_code, published_at DESC, posting_id)
    INCLUDE (deadline) WHERE closed_at IS NULL;
CREATE INDEX postings_search_grams ON postings USING gin (search_grams);
