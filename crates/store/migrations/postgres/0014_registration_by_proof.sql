-- R-AUTH-3, R-AUTH-8: open registration makes the login and its account only once the address is
-- proved. Until then the registration waits here; only the SHA-256 of the emailed secret is kept.
CREATE TABLE pending_registrations (
    id            UUID NOT NULL PRIMARY KEY,
    email         TEXT NOT NULL,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    account_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    token_hash    BYTEA NOT NULL UNIQUE,
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    used_at       TIMESTAMPTZ
);
CREATE INDEX pending_registrations_email ON pending_registrations (email, created_at);
-- Every registration email (a confirmation link, or "someone tried to register with your
-- address"), so one address gets at most a few an hour, counted by every replica alike.
CREATE TABLE registration_mails (
    email   TEXT NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX registration_mails_email ON registration_mails (email, sent_at);
