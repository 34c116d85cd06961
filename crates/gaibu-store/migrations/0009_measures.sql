-- A service's security measures after approval (S3.5, S3.6): the build-time measures its
-- administrator records, the rules its Business System and Infrastructure Managers define for
-- the operation-time and end-of-use measures, and the periodic checks. Each record keeps the
-- service-life policy version it was made under (S1.3).

-- S3.5.6: one record per (service, build-time measure), versioned.
CREATE TABLE service_measures (
    id {{id}},
    service_id BIGINT NOT NULL REFERENCES services(id),
    measure_id TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    provider_said TEXT NOT NULL,
    evidence TEXT NOT NULL,
    policy_id BIGINT NOT NULL REFERENCES policy_versions(id),
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    recorded_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    CONSTRAINT service_measures_unique UNIQUE (service_id, measure_id)
);

-- S3.6-1a–i, S3.6-2, S3.7-1a–c: the rules defined beforehand, one per (service, measure).
-- The termination reads the S3.7-1 texts from here: keep the table's name.
CREATE TABLE service_rules (
    id {{id}},
    service_id BIGINT NOT NULL REFERENCES services(id),
    measure_id TEXT NOT NULL,
    body TEXT NOT NULL,
    policy_id BIGINT NOT NULL REFERENCES policy_versions(id),
    defined_by BIGINT NOT NULL REFERENCES users(id),
    defined_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    CONSTRAINT service_rules_unique UNIQUE (service_id, measure_id)
);

-- S3.6-3: each periodic check, with every operation-time measure's result (JSON).
CREATE TABLE periodic_checks (
    id {{id}},
    service_id BIGINT NOT NULL REFERENCES services(id),
    checked_on TEXT NOT NULL,
    summary TEXT NOT NULL,
    items TEXT NOT NULL,
    policy_id BIGINT NOT NULL REFERENCES policy_versions(id),
    checked_by BIGINT NOT NULL REFERENCES users(id),
    checked_at BIGINT NOT NULL,
    next_due_on TEXT
);
CREATE INDEX periodic_checks_service ON periodic_checks (service_id, checked_on);

-- The next periodic check of a service in operation (S3.6-3); NULL when none is due.
ALTER TABLE services ADD COLUMN next_check_due TEXT;
CREATE INDEX services_next_check ON services (next_check_due);
