-- A contact's page lists the to-dos and events linked to it (decision 0093): each is one index
-- range, in the account, of the rows that have a contact (deleting a contact, which sets these
-- links to NULL, finds its rows the same way).
CREATE INDEX todos_by_contact ON todos (account_id, contact_id, done, id) WHERE contact_id IS NOT NULL;
CREATE INDEX events_by_contact ON events (account_id, contact_id, starts_at, id) WHERE contact_id IS NOT NULL;
