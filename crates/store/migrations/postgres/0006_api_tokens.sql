-- Personal API tokens: long-lived bearer secrets of one person in one account. Only the
-- SHA-256 of the secret is kept; `prefix` is its first characters, shown in lists. A token
-- dies with its membership: deleting the membership deletes it (the foreign key below), and the
-- service refuses it while the membership is not active. Revoked tokens stay for the record.
CREATE TABLE api_tokens (
    id           UUID NOT NULL PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    account_id   UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   BYTEA NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ,
    CONSTRAINT api_tokens_membership FOREIGN KEY (account_id, user_id)
        REFERENCES memberships (account_id, user_id) ON DELETE CASCADE
);
-- A person's tokens in an account (the list), and the membership foreign key's lookups.
CREATE INDEX api_tokens_member ON api_tokens (account_id, user_id);
