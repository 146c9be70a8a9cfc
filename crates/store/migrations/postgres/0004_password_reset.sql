-- R-AUTH-5: single-use password reset links. Only the SHA-256 of the secret is kept.
CREATE TABLE password_resets (
    token_hash   BYTEA NOT NULL PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The admin who sent it (R-AUTH-5 "sent by an admin"), or NULL when the user asked.
    requested_by UUID,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    used_at      TIMESTAMPTZ
);
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);
