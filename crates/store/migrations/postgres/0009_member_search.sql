-- R-LIST-1 at a million members: what the team list sorts and searches by is copied into
-- memberships (kept in step by insert_membership and update_user_profile), so every sort is one
-- index range scan of one account and every page is a keyset seek (page 1,000 costs what page 1
-- costs). Each sort index starts with (account_id, status): the default list (active + disabled)
-- reads one range per status and merges them, the Archived tab reads its own range.
-- Substring search uses a trigram GIN index (pg_trgm, a trusted extension since PostgreSQL 13).
-- See docs/ARCHITECTURE.md, "Users list at scale".
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE memberships ADD COLUMN sort_email TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN sort_company TEXT NOT NULL DEFAULT '';
UPDATE memberships m SET sort_email = u.email, sort_company = lower(COALESCE(u.company, ''))
  FROM users u WHERE u.id = m.user_id;

CREATE INDEX memberships_list_name ON memberships (account_id, status, sort_name, user_id);
CREATE INDEX memberships_list_email ON memberships (account_id, status, sort_email, user_id);
CREATE INDEX memberships_list_company ON memberships (account_id, status, sort_company, sort_name, user_id);
CREATE INDEX memberships_list_role ON memberships (account_id, status, role, sort_name, user_id);
-- When they joined: the export's default walk.
CREATE INDEX memberships_list_created ON memberships (account_id, status, created_at, user_id);
-- Never signed in sorts as the oldest sign-in (the epoch).
CREATE INDEX memberships_list_sign_in ON memberships
  (account_id, status, (COALESCE(last_sign_in_at, '1970-01-01 00:00:00+00'::timestamptz)), user_id);
-- Exact email lookup in one account.
CREATE INDEX memberships_email ON memberships (account_id, sort_email);
CREATE INDEX memberships_search ON memberships
  USING gin ((sort_name || ' ' || sort_email || ' ' || sort_company) gin_trgm_ops);
