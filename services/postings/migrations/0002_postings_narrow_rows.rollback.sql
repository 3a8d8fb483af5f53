ALTER TABLE postings ALTER COLUMN search_grams SET STORAGE EXTENDED;
ALTER TABLE postings RESET (toast_tuple_target);
