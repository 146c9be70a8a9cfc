-- The time report's weekly rollup (R-TIME-1, decision 0104): stopped seconds and entry counts by
-- account, ISO week (its Monday, UTC), member and project (NULL: none), kept by statement
-- triggers on time_entries (transition tables: a bulk insert upserts once per key, not per row)
-- in the writing statement's transaction, so no write path can forget it. A report reads whole
-- weeks here and only its partial edge weeks from time_entries. Rows whose entries were all
-- deleted stay with zero counts; readers skip them.
CREATE TABLE time_week_totals (
    account_id  UUID NOT NULL REFERENCES accounts (id),
    week        TEXT NOT NULL,
    user_id     UUID NOT NULL,
    project_id  UUID,
    seconds     BIGINT NOT NULL,
    entries     BIGINT NOT NULL,
    CONSTRAINT time_week_totals_key UNIQUE NULLS NOT DISTINCT (account_id, week, user_id, project_id)
);

INSERT INTO time_week_totals (account_id, week, user_id, project_id, seconds, entries)
SELECT account_id, week, user_id, project_id, SUM(seconds), COUNT(*) FROM time_entries
WHERE seconds IS NOT NULL GROUP BY account_id, week, user_id, project_id;

CREATE FUNCTION time_week_totals_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE time_week_totals t SET seconds = t.seconds - o.seconds, entries = t.entries - o.entries
    FROM (SELECT account_id, week, user_id, project_id, SUM(seconds) AS seconds, COUNT(*) AS entries
          FROM old_rows WHERE seconds IS NOT NULL GROUP BY account_id, week, user_id, project_id) o
    WHERE t.account_id = o.account_id AND t.week = o.week AND t.user_id = o.user_id
      AND t.project_id IS NOT DISTINCT FROM o.project_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO time_week_totals AS t (account_id, week, user_id, project_id, seconds, entries)
    SELECT account_id, week, user_id, project_id, SUM(seconds), COUNT(*)
    FROM new_rows WHERE seconds IS NOT NULL
    GROUP BY account_id, week, user_id, project_id ORDER BY account_id, week, user_id, project_id
    ON CONFLICT (account_id, week, user_id, project_id)
    DO UPDATE SET seconds = t.seconds + EXCLUDED.seconds, entries = t.entries + EXCLUDED.entries;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER time_week_totals_insert AFTER INSERT ON time_entries
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION time_week_totals_apply();
CREATE TRIGGER time_week_totals_update AFTER UPDATE ON time_entries
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION time_week_totals_apply();
CREATE TRIGGER time_week_totals_delete AFTER DELETE ON time_entries
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION time_week_totals_apply();
