-- Contractors and designated managers (S5.3), their people, and the requirement sheets they
-- submit for the external services they use for the city's work.
CREATE TABLE contractors (
    id {{id}},
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    work TEXT NOT NULL,
    org_unit_id BIGINT NOT NULL REFERENCES org_units(id),
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);

-- A user with a contractor is a contractor's person: they see their own submissions only.
ALTER TABLE users ADD COLUMN contractor_id BIGINT REFERENCES contractors(id);

CREATE TABLE contractor_submissions (
    id {{id}},
    contractor_id BIGINT NOT NULL REFERENCES contractors(id),
    service_name TEXT NOT NULL,
    provider TEXT NOT NULL,
    confidentiality TEXT NOT NULL,
    track TEXT NOT NULL,
    classification_policy_id BIGINT NOT NULL REFERENCES policy_versions(id),
    sheet_policy_id BIGINT NOT NULL REFERENCES policy_versions(id),
    answers TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL,
    submitted_at BIGINT,
    verified_by BIGINT REFERENCES users(id),
    verified_at BIGINT,
    note TEXT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX contractor_submissions_contractor ON contractor_submissions (contractor_id);
