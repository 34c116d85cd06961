-- The personnel rotation (人事異動, issue 11). A list of moves is applied as one batch: each
-- move keeps who moved from which post to which, on which day, and whether it is waiting for
-- its day (pending), done (applied) or could not be done when its day came (failed). A move
-- dated in the future is applied by the scheduler on its date.
CREATE TABLE rotation_batches (
    id {{id}},
    source TEXT NOT NULL,
    file_name TEXT,
    sha256 TEXT,
    move_count BIGINT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE TABLE rotation_moves (
    id {{id}},
    batch_id BIGINT NOT NULL REFERENCES rotation_batches(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    login TEXT NOT NULL,
    org_unit_code TEXT NOT NULL,
    position TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    leaves BIGINT NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    from_org_unit_id BIGINT REFERENCES org_units(id),
    from_position TEXT,
    to_org_unit_id BIGINT REFERENCES org_units(id),
    applied_at BIGINT,
    failure TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX rotation_moves_due ON rotation_moves (state, effective_on);
CREATE INDEX rotation_moves_user ON rotation_moves (user_id, state);
-- A service whose External Service Administrator moved or left, until a successor is
-- designated (S3.4c, S5.2.1-5h).
CREATE TABLE successor_needed (
    id {{id}},
    service_id BIGINT NOT NULL REFERENCES services(id),
    move_id BIGINT REFERENCES rotation_moves(id),
    previous_administrator_id BIGINT NOT NULL REFERENCES users(id),
    opened_at BIGINT NOT NULL,
    closed_at BIGINT,
    closed_by BIGINT REFERENCES users(id)
);
CREATE INDEX successor_needed_open ON successor_needed (closed_at, service_id);
-- The official accounts of a leaver's post, for their services' administrators to close or
-- hand over (identity codes managed over their whole life, S3.5.1a).
CREATE TABLE leaver_accounts (
    id {{id}},
    move_id BIGINT NOT NULL REFERENCES rotation_moves(id),
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    service_id BIGINT NOT NULL REFERENCES services(id),
    opened_at BIGINT NOT NULL,
    resolved_at BIGINT,
    resolved_by BIGINT REFERENCES users(id),
    CONSTRAINT leaver_accounts_unique UNIQUE (move_id, account_id)
);
CREATE INDEX leaver_accounts_open ON leaver_accounts (resolved_at, service_id);
