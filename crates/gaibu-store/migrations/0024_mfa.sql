-- Two-factor sign-in with TOTP (RFC 6238, issue 9). A user's secret, and the last time step a
-- code of theirs was accepted (a code is accepted once: every instance sees the same step);
-- their recovery codes, kept hashed; and the step between the password and the second
-- factor (or the enrolment that a privileged user must finish before their first session).
CREATE TABLE user_totp (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    secret TEXT NOT NULL,
    enrolled_at BIGINT NOT NULL,
    last_step BIGINT NOT NULL
);
CREATE TABLE totp_recovery_codes (
    id {{id}},
    user_id BIGINT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at BIGINT
);
CREATE INDEX totp_recovery_codes_of_user ON totp_recovery_codes (user_id, code_hash);
CREATE TABLE sign_in_challenges (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    secret TEXT,
    next_path TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
