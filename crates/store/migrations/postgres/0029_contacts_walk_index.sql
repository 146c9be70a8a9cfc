-- SQLite only (decision 0102): its name index now carries the walk's columns, as PostgreSQL's
-- has since 0023. Nothing changes here.
SELECT 1;
