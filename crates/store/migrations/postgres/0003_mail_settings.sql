-- R-MAIL-2: an account's own outgoing server. The password is sealed by the service (AEAD with
-- the installation's secret key, bound to the account id) and never read back out to a person.
CREATE TABLE account_smtp (
    account_id   UUID NOT NULL PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    host         TEXT NOT NULL,
    port         INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    security     TEXT NOT NULL CHECK (security IN ('none', 'starttls', 'tls', 'opportunistic')),
    username     TEXT,
    password_enc BYTEA,
    from_addr    TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

-- R-MAIL-4: an account's override of a built-in template, validated before it is saved.
CREATE TABLE email_templates (
    account_id UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    text_body  TEXT NOT NULL,
    html_body  TEXT NOT NULL,
    updated_by UUID,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, name)
);
