UPDATE postings SET search_grams = posting_grams(search_text) WHERE search_grams IS NULL;
ALTER TABLE postings ALTER COLUMN search_grams SET NOT NULL;
DROP TRIGGER posting_search_sync ON postings;
DROP FUNCTION posting_search_sync();
DROP TABLE posting_search;
DROP FUNCTION posting_grams(text);
