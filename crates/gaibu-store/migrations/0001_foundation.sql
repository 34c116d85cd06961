-- gaibu foundation: organisation, people, sessions, policy versions, applications,
-- approved services with their ledger entries, official accounts, and the audit chain.
-- Timestamps are epoch milliseconds (BIGINT), dates ISO text, structured values JSON text:
-- the same column types on SQLite and PostgreSQL.

CREATE TABLE org_units (
    id {{id}},
    parent_id BIGINT REFERENCES org_units(id),
    code TEXT NOT NULL UNIQUE,
    name_ja TEXT NOT NULL,
    name_en TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id {{id}},
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    org_unit_id BIGINT NOT NULL REFERENCES org_units(id),
    position TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT 'ja',
    password_hash TEXT,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE role_assignments (
    id {{id}},
    user_id BIGINT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    org_unit_id BIGINT NOT NULL REFERENCES org_units(id),
    created_at BIGINT NOT NULL,
    CONSTRAINT role_assignments_unique UNIQUE (user_id, role, org_unit_id)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
    id {{id}},
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE policy_versions (
    id {{id}},
    kind TEXT NOT NULL,
    version TEXT NOT NULL,
    title_ja TEXT NOT NULL,
    title_en TEXT NOT NULL,
    content TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    status TEXT NOT NULL,
    loaded_at BIGINT NOT NULL,
    approved_by BIGINT REFERENCES users(id),
    approved_at BIGINT,
    CONSTRAINT policy_versions_unique UNIQUE (kind, content_sha256)
);

CREATE TABLE applications (
    id {{id}},
    applicant_id BIGINT NOT NULL REFERENCES users(id),
    org_unit_id BIGINT NOT NULL REFERENCES org_units(id),
    state TEXT NOT NULL,
    track TEXT NOT NULL,
    service_name TEXT NOT NULL,
    provider TEXT NOT NULL,
    confidentiality TEXT NOT NULL,
    fields TEXT NOT NULL,
    answers TEXT NOT NULL DEFAULT '{}',
    classification_policy_id BIGINT NOT NULL REFERENCES policy_versions(id),
    sheet_policy_id BIGINT REFERENCES policy_versions(id),
    approved_by BIGINT REFERENCES users(id),
    approved_at BIGINT,
    approval_snapshot TEXT,
    snapshot_sha256 TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX applications_org ON applications (org_unit_id);
CREATE INDEX applications_applicant ON applications (applicant_id);

CREATE TABLE services (
    id {{id}},
    application_id BIGINT NOT NULL UNIQUE REFERENCES applications(id),
    name TEXT NOT NULL,
    provider TEXT NOT NULL,
    org_unit_id BIGINT NOT NULL REFERENCES org_units(id),
    track TEXT NOT NULL,
    confidentiality TEXT NOT NULL,
    administrator_id BIGINT NOT NULL REFERENCES users(id),
    approved_at BIGINT NOT NULL,
    ledger_status TEXT,
    system_name TEXT,
    registered_on TEXT,
    ledger_note TEXT,
    registered_by BIGINT REFERENCES users(id),
    retired_on TEXT,
    retire_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE accounts (
    id {{id}},
    service_id BIGINT NOT NULL REFERENCES services(id),
    account_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    holder_org_unit_id BIGINT NOT NULL REFERENCES org_units(id),
    holder_position TEXT NOT NULL,
    created_on TEXT NOT NULL,
    purpose TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    closed_on TEXT,
    registered_by BIGINT NOT NULL REFERENCES users(id),
    registered_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    CONSTRAINT accounts_unique UNIQUE (service_id, account_id)
);

CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    actor_id BIGINT,
    actor_login TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT,
    service_id BIGINT,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_entity ON audit_events (entity, entity_id);
CREATE INDEX audit_events_service ON audit_events (service_id);

-- The chain's head: one row, updated in the same transaction as each append. Taking its row
-- lock serialises appenders on both backends, and it records the tail so truncation shows.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Append-only in the database too; the hash chain detects whoever gets past this.
-- sqlite only
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
-- postgres only
CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
-- both
