-- The life of gaibu's own accounts (issue 9): a session ends when idle as well as at its
-- absolute expiry; an API token expires and records when it was last used; a user can be
-- deactivated (a leaver), keeping their records and audit events.
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = created_at;
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;
-- Tokens made before they could expire live 90 days from when they were made.
UPDATE api_tokens SET expires_at = created_at + 7776000000;
CREATE INDEX api_tokens_of_user ON api_tokens (user_id, id);
ALTER TABLE users ADD COLUMN deactivated_at BIGINT;
