-- A service's ledger entry names its Business System Manager and Infrastructure Manager, who
-- define and check its operation-time measures (S3.6), and says whether it falls within the
-- scope of the city's security policy (S1.2).
ALTER TABLE services ADD COLUMN business_system_manager_id BIGINT REFERENCES users(id);
ALTER TABLE services ADD COLUMN infrastructure_manager_id BIGINT REFERENCES users(id);
ALTER TABLE services ADD COLUMN in_scope BIGINT NOT NULL DEFAULT 1;

-- What falls due on a day — a periodic check, a re-check, a corrective action, a check order,
-- a certificate's expiry, the end of a usage period — written in the transaction of the record
-- that sets it, and read by the reminder scheduler. One open deadline per (kind, subject).
CREATE TABLE deadlines (
    id {{id}},
    kind TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    service_id BIGINT REFERENCES services(id),
    due_on TEXT NOT NULL,
    recipients TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    closed_at BIGINT,
    CONSTRAINT deadlines_unique UNIQUE (kind, subject_id)
);
CREATE INDEX deadlines_open ON deadlines (closed_at, due_on);
CREATE INDEX deadlines_service ON deadlines (service_id);

-- Each reminder once, whatever the number of instances: the key is the claim.
CREATE TABLE reminders_sent (
    deadline_id BIGINT NOT NULL REFERENCES deadlines(id),
    due_on TEXT NOT NULL,
    lead TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (deadline_id, due_on, lead)
);
