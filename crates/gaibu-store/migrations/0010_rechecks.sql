-- Re-checks (S6.1), corrective actions and the stop of use (S6.2), and checks ordered by the
-- ISM (S6.3).

-- Why a service's use was stopped (利用停止), until a re-check passes.
ALTER TABLE services ADD COLUMN suspended_on TEXT;
ALTER TABLE services ADD COLUMN suspend_reason TEXT;

-- A re-check: the event that opened it (a change of terms or configuration, an incident, an
-- expiring certificate, a corrective action) and the requirement sheet answered again.
CREATE TABLE rechecks (
    id {{id}},
    service_id BIGINT NOT NULL REFERENCES services(id),
    administrator_id BIGINT NOT NULL REFERENCES users(id),
    cause TEXT NOT NULL,
    description TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    tos_version TEXT NOT NULL DEFAULT '',
    tos_url TEXT NOT NULL DEFAULT '',
    evidence_id BIGINT REFERENCES evidence(id),
    due_on TEXT NOT NULL,
    state TEXT NOT NULL,
    sheet_policy_id BIGINT REFERENCES policy_versions(id),
    answers TEXT NOT NULL DEFAULT '{}',
    reason TEXT NOT NULL DEFAULT '',
    judged_by BIGINT REFERENCES users(id),
    judged_at BIGINT,
    opened_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    -- One re-check per certificate.
    CONSTRAINT rechecks_certificate UNIQUE (evidence_id)
);
CREATE INDEX rechecks_service ON rechecks (service_id, state);
CREATE INDEX rechecks_administrator ON rechecks (administrator_id, state);

-- A corrective action for a re-check that was not compliant.
CREATE TABLE corrective_actions (
    id {{id}},
    recheck_id BIGINT NOT NULL REFERENCES rechecks(id),
    service_id BIGINT NOT NULL REFERENCES services(id),
    administrator_id BIGINT NOT NULL REFERENCES users(id),
    owner_id BIGINT NOT NULL REFERENCES users(id),
    due_on TEXT NOT NULL,
    plan TEXT NOT NULL,
    state TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    resulted_by BIGINT REFERENCES users(id),
    resulted_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    CONSTRAINT corrective_actions_recheck UNIQUE (recheck_id)
);
CREATE INDEX corrective_actions_owner ON corrective_actions (owner_id, state);
CREATE INDEX corrective_actions_administrator ON corrective_actions (administrator_id, state);

-- A check ordered by the ISM, and one row per service it covers.
CREATE TABLE check_orders (
    id {{id}},
    ordered_by BIGINT NOT NULL REFERENCES users(id),
    target TEXT NOT NULL,
    reason TEXT NOT NULL,
    due_on TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE check_order_targets (
    id {{id}},
    order_id BIGINT NOT NULL REFERENCES check_orders(id),
    service_id BIGINT NOT NULL REFERENCES services(id),
    administrator_id BIGINT NOT NULL REFERENCES users(id),
    due_on TEXT NOT NULL,
    state TEXT NOT NULL,
    result TEXT NOT NULL DEFAULT '',
    reported_by BIGINT REFERENCES users(id),
    reported_at BIGINT,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    CONSTRAINT check_order_targets_unique UNIQUE (order_id, service_id)
);
CREATE INDEX check_order_targets_order ON check_order_targets (order_id, state, due_on);
CREATE INDEX check_order_targets_administrator ON check_order_targets (administrator_id, state);
