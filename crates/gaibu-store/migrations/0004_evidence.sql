-- Evidence files (S3.2c): audit reports, certificates, terms, SLAs, contracts, attached to an
-- application, a sheet item or an evaluation item. The bytes live in the evidence storage,
-- addressed by their SHA-256; a removed file is marked, never forgotten.
CREATE TABLE evidence (
    id {{id}},
    application_id BIGINT NOT NULL REFERENCES applications(id),
    item_key TEXT NOT NULL DEFAULT '',
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    expires_on TEXT,
    note TEXT NOT NULL DEFAULT '',
    uploaded_by BIGINT NOT NULL REFERENCES users(id),
    uploaded_at BIGINT NOT NULL,
    removed_at BIGINT
);
CREATE INDEX evidence_application ON evidence (application_id);
