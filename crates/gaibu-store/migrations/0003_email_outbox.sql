-- E-mail for notifications: queued in the same transaction as the notification, delivered by a
-- worker that leases rows, so several instances never send the same message twice.
CREATE TABLE email_outbox (
    id {{id}},
    notification_id BIGINT NOT NULL REFERENCES notifications(id),
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    lease_owner TEXT,
    lease_until BIGINT
);
CREATE INDEX email_outbox_pending ON email_outbox (sent_at, lease_until);
