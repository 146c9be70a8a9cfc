-- The last-sign-in order by a column computed from last_sign_in_at (never signed in = the epoch)
-- instead of an index on the expression, as on SQLite (which seeks an index by a row value only
-- over columns): one sort key, written the same on both backends.
ALTER TABLE memberships ADD COLUMN sort_sign_in TIMESTAMPTZ
  GENERATED ALWAYS AS (COALESCE(last_sign_in_at, '1970-01-01 00:00:00+00'::timestamptz)) STORED;
DROP INDEX memberships_list_sign_in;
CREATE INDEX memberships_list_sign_in ON memberships (account_id, status, sort_sign_in, user_id);
