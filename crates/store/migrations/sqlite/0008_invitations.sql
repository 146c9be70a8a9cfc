-- Invitations (R-INV-1). The link's secret is never stored: `token_hash` is its SHA-256, and a
-- resend replaces it (the old link dies). `status` is pending, accepted or revoked; an
-- invitation is expired when it is pending and `expires_at` has passed. The rights to give are
-- kept as a built-in role key, or `custom` with the custom role's id (no foreign key: the role
-- may be deleted meanwhile) and its permission list copied, used when the role is gone.
-- `accepted_by` is checked at commit: acceptance marks the row first (the race is decided by that
-- conditional update) and then, for a new address, makes the login it names.
CREATE TABLE invitations (
    account_id     BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id             BLOB NOT NULL,
    email          TEXT NOT NULL,
    role           TEXT NOT NULL,
    custom_role_id BLOB,
    permissions    TEXT,
    token_hash     BLOB NOT NULL UNIQUE,
    invited_by     BLOB REFERENCES users (id) ON DELETE SET NULL,
    status         TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'revoked')),
    expires_at     BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    accepted_at    BIGINT,
    accepted_by    BLOB REFERENCES users (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    revoked_at     BIGINT,
    -- The last "ask for a new invitation" from a dead link: at most one a day, decided by a
    -- conditional update (no race can send two).
    last_requested_at BIGINT,
    PRIMARY KEY (account_id, id)
);
-- At most one pending invitation per address in an account (an expired one is superseded by
-- the service before a new one is made).
CREATE UNIQUE INDEX invitations_pending_email ON invitations (account_id, lower(email)) WHERE status = 'pending';
