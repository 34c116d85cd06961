-- Full-text search that works for Japanese text without word breaks, the same on both backends
-- (docs/search.md): each searchable record's normalised text, and an inverted index of every
-- distinct character and character bigram of it. A word of two or more characters is looked up
-- by its bigrams and confirmed with LIKE on the text; a one-character word by its character.
-- The store keeps both in the transaction of each write; an existing database is indexed at
-- start-up when the index is empty (or by `gaibu search reindex`).
CREATE TABLE search_docs (
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id)
);
-- sqlite only
CREATE TABLE search_grams (
    entity TEXT NOT NULL,
    gram TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    PRIMARY KEY (entity, gram, entity_id)
) WITHOUT ROWID;
-- postgres only
CREATE TABLE search_grams (
    entity TEXT NOT NULL,
    gram TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    PRIMARY KEY (entity, gram, entity_id)
);
-- both
