-- Sign-in through the city's OpenID provider (issue 9): the requests on their way to the
-- provider and back (the browser holds a token; the state, nonce and PKCE verifier stay here),
-- and, per user, whether a password signs them in at all.
CREATE TABLE sso_requests (
    token_hash TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next_path TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
ALTER TABLE users ADD COLUMN password_login BIGINT NOT NULL DEFAULT 1;
