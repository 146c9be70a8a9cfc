-- An admin's substring search at a million contacts (issue 16, decision 0102). As PostgreSQL's
-- 0023 did: the name index carries what the bounded walk tests (name, company, first address)
-- and what the list's own conditions read (hidden, assignee), so the walk never visits the
-- table. SQLite has no INCLUDE: the columns follow the key. A walk of 50,000 index entries
-- costs what 8,000 table rows did.
DROP INDEX contacts_by_name;
CREATE INDEX contacts_by_name ON contacts (account_id, sort_name, id, sort_company, email, hidden_from_client_list, assigned_to);
