-- The time report's weekly rollup (R-TIME-1, decision 0104): stopped seconds and entry counts by
-- account, ISO week (its Monday, UTC), member and project (NULL: none), kept by triggers on
-- time_entries in the writing statement's transaction, so no write path can forget it. A report
-- reads whole weeks here and only its partial edge weeks from time_entries. Rows whose entries
-- were all deleted stay with zero counts; readers skip them.
CREATE TABLE time_week_totals (
    account_id  BLOB NOT NULL REFERENCES accounts (id),
    week        TEXT NOT NULL,
    user_id     BLOB NOT NULL,
    project_id  BLOB,
    seconds     BIGINT NOT NULL,
    entries     BIGINT NOT NULL
);
-- One row per key, "no project" included (SQLite's UNIQUE lets NULLs repeat: the key's
-- expression does not).
CREATE UNIQUE INDEX time_week_totals_key ON time_week_totals (account_id, week, user_id, ifnull(project_id, x''));

INSERT INTO time_week_totals (account_id, week, user_id, project_id, seconds, entries)
SELECT account_id, week, user_id, project_id, SUM(seconds), COUNT(*) FROM time_entries
WHERE seconds IS NOT NULL GROUP BY account_id, week, user_id, project_id;

CREATE TRIGGER time_week_totals_insert AFTER INSERT ON time_entries WHEN NEW.seconds IS NOT NULL BEGIN
  INSERT INTO time_week_totals (account_id, week, user_id, project_id, seconds, entries)
  VALUES (NEW.account_id, NEW.week, NEW.user_id, NEW.project_id, 0, 0) ON CONFLICT DO NOTHING;
  UPDATE time_week_totals SET seconds = seconds + NEW.seconds, entries = entries + 1
  WHERE account_id = NEW.account_id AND week = NEW.week AND user_id = NEW.user_id
    AND ifnull(project_id, x'') = ifnull(NEW.project_id, x'');
END;
CREATE TRIGGER time_week_totals_delete AFTER DELETE ON time_entries WHEN OLD.seconds IS NOT NULL BEGIN
  UPDATE time_week_totals SET seconds = seconds - OLD.seconds, entries = entries - 1
  WHERE account_id = OLD.account_id AND week = OLD.week AND user_id = OLD.user_id
    AND ifnull(project_id, x'') = ifnull(OLD.project_id, x'');
END;
CREATE TRIGGER time_week_totals_update_old AFTER UPDATE ON time_entries WHEN OLD.seconds IS NOT NULL BEGIN
  UPDATE time_week_totals SET seconds = seconds - OLD.seconds, entries = entries - 1
  WHERE account_id = OLD.account_id AND week = OLD.week AND user_id = OLD.user_id
    AND ifnull(project_id, x'') = ifnull(OLD.project_id, x'');
END;
CREATE TRIGGER time_week_totals_update_new AFTER UPDATE ON time_entries WHEN NEW.seconds IS NOT NULL BEGIN
  INSERT INTO time_week_totals (account_id, week, user_id, project_id, seconds, entries)
  VALUES (NEW.account_id, NEW.week, NEW.user_id, NEW.project_id, 0, 0) ON CONFLICT DO NOTHING;
  UPDATE time_week_totals SET seconds = seconds + NEW.seconds, entries = entries + 1
  WHERE account_id = NEW.account_id AND week = NEW.week AND user_id = NEW.user_id
    AND ifnull(project_id, x'') = ifnull(NEW.project_id, x'');
END;
