-- Bringing a city's existing spreadsheets in (issue 11). Each import run is kept with its file's
-- name and SHA-256, and every record it made or changed points back to it (and to its row) in
-- the audit trail. A service brought in from a ledger was approved before gaibu, on paper: its
-- application says where it came from instead of carrying a sheet.
CREATE TABLE imports (
    id {{id}},
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    imported_by BIGINT NOT NULL REFERENCES users(id),
    imported_at BIGINT NOT NULL
);
ALTER TABLE applications ADD COLUMN origin TEXT;
-- The column mapping a person confirmed for a file layout (its header row), offered again for
-- the next file of that layout.
CREATE TABLE import_mappings (
    id {{id}},
    kind TEXT NOT NULL,
    signature TEXT NOT NULL,
    mapping TEXT NOT NULL,
    saved_by BIGINT NOT NULL REFERENCES users(id),
    saved_at BIGINT NOT NULL,
    CONSTRAINT import_mappings_unique UNIQUE (kind, signature)
);
