-- The last-sign-in order by a column computed from last_sign_in_at (never signed in = the epoch)
-- instead of an index on the expression: SQLite seeks an index by a row value
-- ((sort_sign_in, user_id) > (?, ?)) only over columns. Over the expression it sought the first
-- equal key and stepped through every equal one: with a fifth of a million members never signed
-- in, page 1,000 of that order took 5 ms against 0.6 ms for page 1.
ALTER TABLE memberships ADD COLUMN sort_sign_in INTEGER GENERATED ALWAYS AS (COALESCE(last_sign_in_at, 0)) VIRTUAL;
DROP INDEX memberships_list_sign_in;
CREATE INDEX memberships_list_sign_in ON memberships (account_id, status, sort_sign_in, user_id);
