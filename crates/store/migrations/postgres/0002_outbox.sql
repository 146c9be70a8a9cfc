-- R-MAIL-1: the transactional outbox. A row is written in the same transaction as the change
-- that causes the email; delivery workers claim due rows with a lease (FOR UPDATE SKIP LOCKED).
CREATE TABLE emails (
    id              UUID NOT NULL PRIMARY KEY,
    account_id      UUID REFERENCES accounts (id) ON DELETE CASCADE,
    template        TEXT NOT NULL,
    to_addr         TEXT NOT NULL,
    from_addr       TEXT NOT NULL,
    reply_to        TEXT,
    bcc             TEXT,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    message_id      TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    lease_until     TIMESTAMPTZ,
    last_error      TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ
);
CREATE INDEX emails_due ON emails (status, next_attempt_at);
CREATE INDEX emails_account ON emails (account_id, id);
