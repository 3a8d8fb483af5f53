-- depends: 0003_outbox
-- Keyword search on a narrow table of its own. A keyword common enough to match thousands
-- of posts costs one heap visit per match (to check it is open and to count it); in
-- `postings`, with its descriptions and contacts inline, those visits touched almost a page
-- each. Here a row holds only what searches filter and sort on, and the grams are not
-- stored at all: the GIN index is on an expression over search_text.
-- Measured at 100,000 posts, 20 common words (900-7,500 matches each): PostgreSQL CPU per
-- query 6.45 -> 1.83 ms, store p95 3.8 ms (benchmarks/postings_search.py).

-- Every 1- and 2-character substring inside one field (fields are joined by a newline,
-- which queries never contain, so no gram spans two fields); a single space is no gram.
CREATE FUNCTION posting_grams(search_text text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT gram ORDER BY gram), '{}')
    FROM (
        SELECT substr(field, i, n) AS gram
        FROM unnest(string_to_array(search_text, E'\n')) AS field,
             generate_series(1, length(field)) AS i,
             (VALUES (1), (2)) AS width(n)
        WHERE i + n - 1 <= length(field)
    ) grams
    WHERE gram <> ' '
$$;

CREATE TABLE posting_search (
    posting_id            uuid PRIMARY KEY REFERENCES postings,
    published_at          timestamptz NOT NULL,
    deadline              date NOT NULL,
    monthly_subsidy       integer NOT NULL,
    closed_at             timestamptz,
    city_code             text NOT NULL,
    county_code           text NOT NULL,
    education_requirement text NOT NULL,
    industry              text NOT NULL,
    search_text           text NOT NULL
);

-- Kept by the database rather than by each write path: bulk loads, edits, closing, and the
-- previous release's processes during a rolling update all land here the same way.
CREATE FUNCTION posting_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO posting_search AS s (
        posting_id, published_at, deadline, monthly_subsidy, closed_at, city_code, county_code,
        education_requirement, industry, search_text
    ) VALUES (
        NEW.posting_id, NEW.published_at, NEW.deadline, NEW.monthly_subsidy, NEW.closed_at, NEW.city_code,
        NEW.county_code, NEW.education_requirement, NEW.industry, NEW.search_text
    )
    ON CONFLICT (posting_id) DO UPDATE SET
        published_at = EXCLUDED.published_at, deadline = EXCLUDED.deadline,
        monthly_subsidy = EXCLUDED.monthly_subsidy, closed_at = EXCLUDED.closed_at,
        city_code = EXCLUDED.city_code, county_code = EXCLUDED.county_code,
        education_requirement = EXCLUDED.education_requirement, industry = EXCLUDED.industry,
        search_text = EXCLUDED.search_text
    WHERE (s.*) IS DISTINCT FROM (EXCLUDED.*);
    RETURN NULL;
END
$$;

INSERT INTO posting_search
SELECT posting_id, published_at, deadline, monthly_subsidy, closed_at, city_code, county_code,
       education_requirement, industry, search_text
FROM postings;

CREATE TRIGGER posting_search_sync AFTER INSERT OR UPDATE ON postings
    FOR EACH ROW EXECUTE FUNCTION posting_search_sync();

-- fastupdate off: posts arrive one at a time, and grams waiting in a pending list would be
-- scanned whole by every keyword search until the next vacuum.
CREATE INDEX posting_search_grams ON posting_search USING gin (posting_grams(search_text))
    WITH (fastupdate = off);
-- Words in more posts than the count cap: their newest open page is found walking this.
CREATE INDEX posting_search_open_newest ON posting_search (published_at DESC, posting_id DESC)
    WHERE closed_at IS NULL;

-- The previous release still writes and reads postings.search_grams (and its index) during a
-- rolling update; this release no longer writes it. The next release drops both.
ALTER TABLE postings ALTER COLUMN search_grams DROP NOT NULL;
