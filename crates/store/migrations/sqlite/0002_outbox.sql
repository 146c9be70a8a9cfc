-- R-MAIL-1: the transactional outbox. A row is written in the same transaction as the change
-- that causes the email; delivery workers claim due rows with a lease.
CREATE TABLE emails (
    id              BLOB NOT NULL PRIMARY KEY,
    account_id      BLOB REFERENCES accounts (id) ON DELETE CASCADE,
    template        TEXT NOT NULL,
    to_addr         TEXT NOT NULL,
    from_addr       TEXT NOT NULL,
    reply_to        TEXT,
    bcc             TEXT,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    -- Stays the same across retries, so a receiver can drop a duplicate of an at-least-once send.
    message_id      TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX emails_due ON emails (status, next_attempt_at);
CREATE INDEX emails_account ON emails (account_id, id);
