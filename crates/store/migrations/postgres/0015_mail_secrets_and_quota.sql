-- R-MAIL-6: an email whose secret (a reset, set-password or invitation link) is stored sealed
-- beside the body, which holds "[link hidden]" instead; and whether only the installation's
-- server may deliver it (mail with a secret for someone the account does not alone answer for,
-- impersonation notices).
ALTER TABLE emails ADD COLUMN installation_only BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE emails ADD COLUMN secret_sealed BYTEA;
-- R-MAIL-7: emails an account enqueued per clock hour (hours since the Unix epoch), one row per
-- account and hour, bumped atomically (the row lock serialises concurrent enqueues), so replicas
-- share the count.
CREATE TABLE mail_quota (
    account_id UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    hour       BIGINT NOT NULL,
    sent       BIGINT NOT NULL,
    PRIMARY KEY (account_id, hour)
);
