-- The class-2+ track: evaluation, procurement, review rounds, the service usage register
-- (S5.2.1-5) and in-app notifications.

ALTER TABLE applications ADD COLUMN evaluation TEXT NOT NULL DEFAULT '{}';
ALTER TABLE applications ADD COLUMN procurement TEXT NOT NULL DEFAULT '{}';
ALTER TABLE applications ADD COLUMN round BIGINT NOT NULL DEFAULT 0;
ALTER TABLE applications ADD COLUMN submitted_at BIGINT;
ALTER TABLE applications ADD COLUMN decision_reason TEXT;

-- Every submission is a round; the ISM's decision and per-item comments belong to it, so
-- rounds can be compared after a return and resubmission.
CREATE TABLE application_rounds (
    id {{id}},
    application_id BIGINT NOT NULL REFERENCES applications(id),
    round BIGINT NOT NULL,
    submitted_by BIGINT NOT NULL REFERENCES users(id),
    submitted_at BIGINT NOT NULL,
    content TEXT NOT NULL,
    decision TEXT,
    decided_by BIGINT REFERENCES users(id),
    decided_at BIGINT,
    reason TEXT,
    comments TEXT NOT NULL DEFAULT '{}',
    CONSTRAINT application_rounds_unique UNIQUE (application_id, round)
);

-- サービス利用状況: exactly the eight fields of S5.2.1-5, kept by the ISM.
CREATE TABLE usage_register (
    id {{id}},
    service_id BIGINT NOT NULL UNIQUE REFERENCES services(id),
    org_unit_id BIGINT NOT NULL REFERENCES org_units(id),
    service_name TEXT NOT NULL,
    provider_name TEXT NOT NULL,
    purpose TEXT NOT NULL,
    classification TEXT NOT NULL,
    period_of_use TEXT NOT NULL,
    applicant TEXT NOT NULL,
    user_scope TEXT NOT NULL,
    administrator TEXT NOT NULL,
    citizen_facing BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE notifications (
    id {{id}},
    user_id BIGINT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    application_id BIGINT,
    service_id BIGINT,
    subject TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_user ON notifications (user_id, read_at);
