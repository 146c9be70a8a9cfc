-- R-LIST-1 and import at scale: the FTS5 trigram table merges its segments less eagerly.
-- FTS5 writes new rows as small segments and merges them as it goes; `automerge` is how many
-- segments of one level wait before they are merged (default 4, at most 16). At 2.4 million
-- members, merging was a third of an import's work: 100,000 rows imported at 17,000-17,800
-- rows/s with 4 and at 22,500-23,900 with 16, while substring search stayed at p95 30-32 ms
-- (bench/users.sh). The setting is stored in the table itself (`member_search_config`).
-- PostgreSQL's 0012 made its trigram index per account; FTS5 has no such key (its rows are
-- checked for the account one by one).
INSERT INTO member_search (member_search, rank) VALUES ('automerge', 16);
