-- Cross-account statements of the store (decision 0105), run by bench/citus.sh on the coordinator
-- after a small `roster demo`. Each is planned (EXPLAIN: how many shard tasks) and run, its
-- writes rolled back, and prints "ok name: plan" or "FAILED name: error" (a coordinator
-- table or the reference table shows as 1 task). The texts are those
-- of crates/store/src/sql (some values inlined).
\set ON_ERROR_STOP off
SET client_min_messages = notice;
CREATE TEMP TABLE smoke (n serial, name text, outcome text);
CREATE FUNCTION pg_temp.check(name text, q text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  line text;
  plan text := 'on the coordinator';
BEGIN
  BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
      IF line ~ 'Task Count: ' THEN
        plan := CASE WHEN line ~ 'Task Count: 1$' THEN 'router (1 task)'
                     ELSE 'multi-shard (' || substring(line FROM '[0-9]+') || ' tasks)' END;
        EXIT;
      END IF;
    END LOOP;
    EXECUTE q;
    RAISE EXCEPTION USING MESSAGE = 'smoke-rollback';
  EXCEPTION WHEN OTHERS THEN
    IF SQLERRM = 'smoke-rollback' THEN
      INSERT INTO smoke (name, outcome) VALUES (name, 'ok ' || name || ': ' || plan);
    ELSE
      INSERT INTO smoke (name, outcome) VALUES (name, 'FAILED ' || name || ': ' || SQLERRM);
    END IF;
  END;
END $$;

SELECT id AS demo FROM accounts WHERE slug = 'demo' \gset
SELECT user_id AS owner FROM memberships WHERE account_id = :'demo' AND role = 'owner' \gset

SELECT pg_temp.check('one account''s member page (team list)', format($q$
  SELECT m.user_id, m.sort_name FROM memberships m JOIN users u ON u.id = m.user_id
  JOIN accounts a ON a.id = m.account_id
  WHERE m.account_id = %L AND m.status = 'active' ORDER BY m.sort_name, m.user_id LIMIT 50$q$, :'demo'));
SELECT pg_temp.check('memberships_of_user (account chooser)', format($q$
  SELECT a.id, a.name, m.role FROM memberships m JOIN accounts a ON a.id = m.account_id
  WHERE m.user_id = %L ORDER BY a.name, a.id$q$, :'owner'));
SELECT pg_temp.check('account_by_slug', $q$SELECT id FROM accounts a WHERE a.slug = 'demo'$q$);
SELECT pg_temp.check('all_accounts (operator)', $q$
  SELECT id, name FROM accounts a WHERE (a.name, a.id) > ('', '00000000-0000-0000-0000-000000000000')
  ORDER BY a.name, a.id LIMIT 50$q$);
SELECT pg_temp.check('api_token_by_hash', $q$
  SELECT t.id, u.email, m.status FROM api_tokens t JOIN users u ON u.id = t.user_id
  LEFT JOIN memberships m ON m.account_id = t.account_id AND m.user_id = t.user_id
  WHERE t.token_hash = '\x00' AND t.revoked_at IS NULL$q$);
SELECT pg_temp.check('invitation_by_hash', $q$SELECT id FROM invitations i WHERE i.token_hash = '\x00'$q$);
SELECT pg_temp.check('reminder_members (sweep)', $q$
  SELECT m.account_id, m.user_id, u.email, a.name FROM memberships m JOIN users u ON u.id = m.user_id
  JOIN accounts a ON a.id = m.account_id
  WHERE m.daily_reminders AND m.status = 'active'
    AND (m.account_id, m.user_id) > ('00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000000')
  ORDER BY m.account_id, m.user_id LIMIT 100$q$);
SELECT pg_temp.check('a user''s profile (users, a reference table)', format($q$
  UPDATE users SET sort_name = 'x' WHERE id = %L$q$, :'owner'));
SELECT pg_temp.check('memberships by user alone (profile edit)', format($q$
  UPDATE memberships SET sort_name = 'x' WHERE user_id = %L$q$, :'owner'));
SELECT pg_temp.check('outbox claim (emails + account_smtp, SKIP LOCKED)', $q$
  UPDATE emails SET lease_until = now() WHERE id IN (SELECT id FROM emails
  WHERE status = 'queued' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
  AND (false OR (NOT installation_only AND account_id IN (SELECT account_id FROM account_smtp)))
  ORDER BY next_attempt_at, id LIMIT 16 FOR UPDATE SKIP LOCKED) RETURNING id$q$);
SELECT pg_temp.check('jobs claim (SKIP LOCKED)', $q$
  UPDATE jobs SET state = 'running', lease_until = now() WHERE id IN (SELECT id FROM jobs
  WHERE state IN ('due', 'running') AND due_at <= now() ORDER BY due_at, id LIMIT 8 FOR UPDATE SKIP LOCKED)
  RETURNING id$q$);
SELECT pg_temp.check('audit page (coordinator + users)', format($q$
  SELECT e.id, a.email FROM audit_events e LEFT JOIN users a ON a.id = e.actor_id
  WHERE e.account_id = %L ORDER BY e.id DESC LIMIT 50$q$, :'demo'));
SELECT pg_temp.check('erase_invitation_addresses', $q$
  UPDATE invitations SET email = 'x' WHERE lower(email) = 'nobody@example.test' AND status <> 'pending'$q$);
SELECT pg_temp.check('delete a contact (links cleared by the trigger)', format($q$
  DELETE FROM contacts WHERE account_id = %1$L
  AND id = (SELECT id FROM contacts WHERE account_id = %1$L ORDER BY id LIMIT 1)$q$, :'demo'));
SELECT pg_temp.check('delete a project (links cleared by the trigger)', format($q$
  DELETE FROM projects WHERE account_id = %1$L
  AND id = (SELECT id FROM projects WHERE account_id = %1$L ORDER BY id LIMIT 1)$q$, :'demo'));
SELECT pg_temp.check('weekly rollup equals the entries', $q$
  SELECT 1 / (SELECT CASE WHEN (SELECT COALESCE(sum(seconds), 0) FROM time_entries)
                            = (SELECT COALESCE(sum(seconds), 0) FROM time_week_totals) THEN 1 ELSE 0 END)$q$);
\pset format unaligned
\pset tuples_only on
SELECT outcome FROM smoke ORDER BY n;
