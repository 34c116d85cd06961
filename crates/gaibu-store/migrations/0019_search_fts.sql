-- On SQLite the search postings move from the B-tree `search_grams` to an FTS5 table per entity
-- (rowid = the record's id; each gram a token, written as the hex of its UTF-8 so that the
-- `ascii` tokenizer keeps it whole). A B-tree of (gram, id) took a random page for every gram
-- of a new document, about a hundred pages per write; FTS5 writes a transaction's postings as
-- one small segment and merges segments in the background of later writes (docs/search.md).
-- The documents are emptied so that the next start builds the index afresh (`reindex_if_empty`).
-- PostgreSQL keeps `search_grams`.
-- sqlite only
CREATE VIRTUAL TABLE search_fts_service USING fts5(grams, content='', contentless_delete=1, tokenize='ascii');
CREATE VIRTUAL TABLE search_fts_application USING fts5(grams, content='', contentless_delete=1, tokenize='ascii');
CREATE VIRTUAL TABLE search_fts_account USING fts5(grams, content='', contentless_delete=1, tokenize='ascii');
DROP TABLE search_grams;
DELETE FROM search_docs;
-- postgres only
SELECT 1;
-- both
