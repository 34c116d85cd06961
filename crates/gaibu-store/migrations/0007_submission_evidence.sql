-- Evidence attached by contractors to their submitted sheets (S5.3, S3.2c).
CREATE TABLE submission_evidence (
    id {{id}},
    submission_id BIGINT NOT NULL REFERENCES contractor_submissions(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    expires_on TEXT,
    note TEXT NOT NULL DEFAULT '',
    uploaded_by BIGINT NOT NULL REFERENCES users(id),
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX submission_evidence_submission ON submission_evidence (submission_id);
