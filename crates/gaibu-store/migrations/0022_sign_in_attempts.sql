-- Sign-in throttling (issue 9): attempts counted per login since its last success (every
-- attempt, before its password is checked), failures per client address in a window. Keys
-- are `login:<normalised login>` and `addr:<address>`; the rows hold no password or secret.
CREATE TABLE sign_in_attempts (
    key TEXT PRIMARY KEY,
    attempts BIGINT NOT NULL,
    previous_at BIGINT,
    last_at BIGINT NOT NULL,
    locked_until BIGINT,
    window_start BIGINT NOT NULL
);
