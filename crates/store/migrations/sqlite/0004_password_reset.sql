-- R-AUTH-5: single-use password reset links. Only the SHA-256 of the secret is kept.
CREATE TABLE password_resets (
    token_hash   BLOB NOT NULL PRIMARY KEY,
    user_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The admin who sent it (R-AUTH-5 "sent by an admin"), or NULL when the user asked.
    requested_by BLOB,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT
);
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);
