-- Evidence files' bytes kept in the database (issue 8), so that every instance behind one
-- database reaches every file. Content-addressed by SHA-256: a file is its chunks of 256 KiB in
-- order, and its object row, written after the last chunk, says it is whole. Storing the same
-- content again changes nothing.
-- sqlite only
CREATE TABLE evidence_chunks (
    sha256 TEXT NOT NULL,
    seq BIGINT NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (sha256, seq)
);
-- postgres only
CREATE TABLE evidence_chunks (
    sha256 TEXT NOT NULL,
    seq BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (sha256, seq)
);
-- Evidence is mostly compressed already (PDF, images, Office files): kept out of line, as is.
ALTER TABLE evidence_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;
-- both
CREATE TABLE evidence_objects (
    sha256 TEXT PRIMARY KEY,
    size_bytes BIGINT NOT NULL,
    chunk_count BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
