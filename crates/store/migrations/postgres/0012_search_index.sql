-- R-LIST-1: the trigram index names the rows of one account. Its first column is the account
-- (a B-tree-like GIN key, from btree_gin), so a search of a large account reads that account's
-- matches alone, not every account's: `ava.` in one of two million-member accounts read 12,000
-- rows instead of 25,000. GIN intersects the account's posting tree with the trigrams' inside
-- one index scan, by skipping, so the account key does not cost its million rows.
-- See docs/ARCHITECTURE.md, "Users list at scale". Building it takes about 16 s per million
-- members and blocks writes to memberships meanwhile.
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX memberships_search_account ON memberships
  USING gin (account_id, (sort_name || ' ' || sort_email || ' ' || sort_company) gin_trgm_ops);
DROP INDEX memberships_search;
