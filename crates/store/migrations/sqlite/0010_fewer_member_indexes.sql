-- Every membership row is written to each index of the table: two were redundant once the
-- per-status list indexes of 0009 existed. The team list's default query (active and disabled, by
-- name) merges the memberships_list_name ranges; an exact email lookup seeks
-- memberships_list_email once per status. Writes (roster demo, import, add user) get cheaper.
DROP INDEX memberships_by_name;
DROP INDEX memberships_email;
-- A text search first walks the name order testing each row (see member_list.rs): with the email
-- and company in the index too, the walk reads the index alone (about three times faster).
DROP INDEX memberships_list_name;
CREATE INDEX memberships_list_name ON memberships (account_id, status, sort_name, user_id, sort_email, sort_company);
