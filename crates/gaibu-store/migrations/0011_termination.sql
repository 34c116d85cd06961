-- The end of use of a class-2+ service (S7.1): the administrator's request to the ISM, the
-- ISM's decision, the ledger's and the register's end, the disposal of the information with its
-- proof (S7.1-4, S3.7-3), the end-of-use measures (S3.7-2) and the completion record (S7.1-6).
-- One termination per service; a returned one is applied for again in the same record.
CREATE TABLE terminations (
    id {{id}},
    service_id BIGINT NOT NULL REFERENCES services(id),
    org_unit_id BIGINT NOT NULL REFERENCES org_units(id),
    state TEXT NOT NULL,
    reason TEXT NOT NULL,
    planned_end_on TEXT NOT NULL,
    service_life_policy_id BIGINT REFERENCES policy_versions(id),
    highly_confidential BIGINT NOT NULL DEFAULT 0,
    requested_by BIGINT NOT NULL REFERENCES users(id),
    requested_at BIGINT NOT NULL,
    decided_by BIGINT REFERENCES users(id),
    decided_at BIGINT,
    decision_reason TEXT,
    ledger_retired_on TEXT,
    register_ended_on TEXT,
    register_ended_by BIGINT REFERENCES users(id),
    disposal TEXT NOT NULL DEFAULT 'null',
    disposal_recorded_by BIGINT REFERENCES users(id),
    disposal_recorded_at BIGINT,
    proof_filename TEXT,
    proof_content_type TEXT,
    proof_size_bytes BIGINT,
    proof_sha256 TEXT,
    end_of_use TEXT NOT NULL DEFAULT '{}',
    completed_by BIGINT REFERENCES users(id),
    completed_at BIGINT,
    completion_note TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    CONSTRAINT terminations_service UNIQUE (service_id)
);
CREATE INDEX terminations_waiting ON terminations (state, org_unit_id);

-- S7.1-3: the usage-register entry of an ended service says so, with the date.
ALTER TABLE usage_register ADD COLUMN ended_on TEXT;
