-- Support tickets (R-TKT-1, decision 0098): numbered per account, a thread of messages.

-- The last ticket number given in each account; taking the next one updates this row, so two
-- tickets opened at once never get the same number.
CREATE TABLE ticket_numbers (
    account_id  UUID PRIMARY KEY REFERENCES accounts (id),
    last_number BIGINT NOT NULL
);

CREATE TABLE tickets (
    id            UUID PRIMARY KEY,
    account_id    UUID NOT NULL REFERENCES accounts (id),
    number        BIGINT NOT NULL,
    subject       TEXT NOT NULL,
    sort_subject  TEXT NOT NULL,
    contact_id    UUID REFERENCES contacts (id) ON DELETE SET NULL,
    status        TEXT NOT NULL,
    priority      TEXT NOT NULL,
    assigned_to   UUID,
    opened_by     TEXT NOT NULL,
    created_by    UUID NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (account_id, id),
    UNIQUE (account_id, number),
    FOREIGN KEY (account_id, assigned_to) REFERENCES memberships (account_id, user_id)
);
-- Keyset pages led by the filters the list offers (status, assignee), then the sort key.
CREATE INDEX tickets_by_status_assignee ON tickets (account_id, status, assigned_to, number);
CREATE INDEX tickets_by_status ON tickets (account_id, status, number);
CREATE INDEX tickets_by_assignee ON tickets (account_id, assigned_to, number);
CREATE INDEX tickets_updated_by_status_assignee ON tickets (account_id, status, assigned_to, updated_at, id);
CREATE INDEX tickets_updated ON tickets (account_id, updated_at, id);
CREATE INDEX tickets_by_contact ON tickets (account_id, contact_id, number);

CREATE TABLE ticket_messages (
    id          UUID PRIMARY KEY,
    account_id  UUID NOT NULL,
    ticket_id   UUID NOT NULL,
    author      TEXT NOT NULL,
    user_id     UUID NOT NULL,
    body        TEXT NOT NULL,
    emailed_to  TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (account_id, ticket_id) REFERENCES tickets (account_id, id) ON DELETE CASCADE
);
CREATE INDEX ticket_messages_by_ticket ON ticket_messages (ticket_id, created_at, id);
