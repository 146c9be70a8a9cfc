-- The distribution step (decision 0105), run by bench/citus.sh on the coordinator after Roster's
-- migrations have made plain tables there, before any row is written. Not a migration: a try.
--
--   users                                   reference table (on every node)
--   accounts                                distributed by id
--   every table with account_id NOT NULL    distributed by account_id, colocated with accounts
--   sessions, setup_tokens, password_resets, sign_in_throttle, pending_registrations,
--   registration_mails, emails, jobs, audit_events
--                                           local tables on the coordinator, in Citus' metadata
--
-- Citus wants the distribution column in every primary key and unique constraint of a
-- distributed table, and in both sides of a foreign key between two of them. So: (1) every
-- foreign key is dropped, (2) the keys that lack account_id get it, (3) the tables are
-- distributed, (4) the foreign keys come back, the single-column ones into other tenant tables
-- rewritten as (account_id, x) and the ones from coordinator tables into accounts left out.
-- Every node also needs citus.enable_unsafe_triggers = on and citus.multi_shard_modify_mode =
-- sequential (bench/citus.sh writes them into postgresql.conf).
\set ON_ERROR_STOP on
\timing off
SET client_min_messages = warning;

-- (1) Drop every foreign key; they come back in (4).
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT conrelid::regclass AS t, conname FROM pg_constraint
           WHERE contype = 'f' AND connamespace = 'public'::regnamespace LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.t, r.conname);
  END LOOP;
END $$;

-- (2) Keys. Rows are only ever unique within an account, so each key gains account_id in front.
-- Where (account_id, id) was already unique besides the primary key, that copy goes.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['contacts', 'tags', 'saved_filters', 'projects', 'todo_lists', 'todos', 'calendars',
      'events', 'api_tokens', 'time_entries', 'tickets', 'ticket_messages', 'workflow_templates',
      'workflow_runs', 'workflow_run_steps'] LOOP
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I, ADD PRIMARY KEY (account_id, id)', t, t || '_pkey');
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT IF EXISTS %I', t, t || '_account_id_id_key');
  END LOOP;
END $$;
ALTER TABLE contact_tags DROP CONSTRAINT contact_tags_pkey, ADD PRIMARY KEY (account_id, contact_id, tag_id);
ALTER TABLE project_members DROP CONSTRAINT project_members_pkey, ADD PRIMARY KEY (account_id, project_id, user_id);
ALTER TABLE project_tags DROP CONSTRAINT project_tags_pkey, ADD PRIMARY KEY (account_id, project_id, tag_id);
ALTER TABLE invitation_projects DROP CONSTRAINT invitation_projects_pkey,
  ADD PRIMARY KEY (account_id, invitation_id, project_id);
ALTER TABLE workflow_run_steps DROP CONSTRAINT workflow_run_steps_run_id_position_key,
  ADD UNIQUE (account_id, run_id, position);
-- A secret's hash is unique by its randomness; the database can now only say so per account.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_token_hash_key, ADD UNIQUE (account_id, token_hash);
ALTER TABLE invitations DROP CONSTRAINT invitations_token_hash_key, ADD UNIQUE (account_id, token_hash);
-- The slug is unique across accounts and accounts are distributed by id: no constraint can say
-- so. In this try nothing guards it but the service's slug_taken check (the plan: a reference
-- table of slugs, decision 0105).
ALTER TABLE accounts DROP CONSTRAINT accounts_slug_key;
CREATE INDEX accounts_slug ON accounts (slug);

-- The weekly rollup (migration 0030) is kept by statement triggers over transition tables; on a
-- shard Citus plans the trigger's statement as a distributed one and the transition table is
-- gone ("executor could not find named tuplestore "new_rows""). Row triggers instead, after (3).
DROP TRIGGER time_week_totals_insert ON time_entries;
DROP TRIGGER time_week_totals_update ON time_entries;
DROP TRIGGER time_week_totals_delete ON time_entries;

-- (3) Distribute.
SELECT create_reference_table('users');
SELECT create_distributed_table('accounts', 'id');
SELECT create_distributed_table(t, 'account_id', colocate_with => 'accounts')
FROM unnest(ARRAY['roles', 'memberships', 'account_smtp', 'email_templates', 'mail_quota', 'api_tokens',
    'invitations', 'invitation_projects', 'contacts', 'tags', 'contact_tags', 'saved_filters', 'projects',
    'project_members', 'project_tags', 'todo_lists', 'todos', 'calendars', 'events', 'reminder_claims',
    'time_entries', 'time_week_totals', 'ticket_numbers', 'tickets', 'ticket_messages',
    'workflow_templates', 'workflow_runs', 'workflow_run_steps']) AS t;
SELECT citus_add_local_table_to_metadata(t)
FROM unnest(ARRAY['sessions', 'setup_tokens', 'password_resets', 'sign_in_throttle', 'pending_registrations',
    'registration_mails', 'emails', 'jobs', 'audit_events']) AS t;

-- (4) Foreign keys back, one per statement (Citus refuses several ADD CONSTRAINT in one ALTER
-- TABLE). Unchanged: into accounts (its id is the distribution column), into (account_id, …) of
-- another tenant table, and into users (a reference table).
ALTER TABLE roles ADD FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE;
ALTER TABLE memberships ADD FOREIGN KEY (account_id) REFERENCES accounts (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE memberships ADD FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE memberships ADD CONSTRAINT memberships_custom_role FOREIGN KEY (account_id, custom_role_id)
  REFERENCES roles (account_id, id);
ALTER TABLE accounts ADD CONSTRAINT accounts_owner_is_member FOREIGN KEY (id, owner_id)
  REFERENCES memberships (account_id, user_id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE account_smtp ADD FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE;
ALTER TABLE email_templates ADD FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE;
ALTER TABLE mail_quota ADD FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE;
ALTER TABLE api_tokens ADD FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE api_tokens ADD FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_membership FOREIGN KEY (account_id, user_id)
  REFERENCES memberships (account_id, user_id) ON DELETE CASCADE;
ALTER TABLE invitations ADD FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE;
ALTER TABLE invitations ADD FOREIGN KEY (invited_by) REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE invitations ADD FOREIGN KEY (accepted_by)
  REFERENCES users (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE invitation_projects ADD FOREIGN KEY (account_id, invitation_id)
  REFERENCES invitations (account_id, id) ON DELETE CASCADE;
ALTER TABLE invitation_projects ADD FOREIGN KEY (account_id, project_id)
  REFERENCES projects (account_id, id) ON DELETE CASCADE;
ALTER TABLE contacts ADD FOREIGN KEY (account_id) REFERENCES accounts (id);
ALTER TABLE contacts ADD FOREIGN KEY (account_id, assigned_to) REFERENCES memberships (account_id, user_id);
ALTER TABLE tags ADD FOREIGN KEY (account_id) REFERENCES accounts (id);
ALTER TABLE saved_filters ADD FOREIGN KEY (account_id, user_id)
  REFERENCES memberships (account_id, user_id) ON DELETE CASCADE;
ALTER TABLE projects ADD FOREIGN KEY (account_id) REFERENCES accounts (id);
ALTER TABLE projects ADD FOREIGN KEY (account_id, owner_id) REFERENCES memberships (account_id, user_id);
ALTER TABLE project_members ADD FOREIGN KEY (account_id, project_id)
  REFERENCES projects (account_id, id) ON DELETE CASCADE;
ALTER TABLE project_members ADD FOREIGN KEY (account_id, user_id)
  REFERENCES memberships (account_id, user_id);
ALTER TABLE project_tags ADD FOREIGN KEY (account_id, project_id)
  REFERENCES projects (account_id, id) ON DELETE CASCADE;
ALTER TABLE project_tags ADD FOREIGN KEY (account_id, tag_id)
  REFERENCES tags (account_id, id) ON DELETE CASCADE;
ALTER TABLE contact_tags ADD FOREIGN KEY (account_id, tag_id)
  REFERENCES tags (account_id, id) ON DELETE CASCADE;
ALTER TABLE todo_lists ADD FOREIGN KEY (account_id) REFERENCES accounts (id);
ALTER TABLE todo_lists ADD FOREIGN KEY (account_id, owner_id) REFERENCES memberships (account_id, user_id);
ALTER TABLE todos ADD FOREIGN KEY (account_id, list_id)
  REFERENCES todo_lists (account_id, id) ON DELETE CASCADE;
ALTER TABLE todos ADD FOREIGN KEY (account_id, assignee_id) REFERENCES memberships (account_id, user_id);
ALTER TABLE calendars ADD FOREIGN KEY (account_id) REFERENCES accounts (id);
ALTER TABLE calendars ADD FOREIGN KEY (account_id, owner_id) REFERENCES memberships (account_id, user_id);
ALTER TABLE events ADD FOREIGN KEY (account_id, calendar_id)
  REFERENCES calendars (account_id, id) ON DELETE CASCADE;
ALTER TABLE time_entries ADD FOREIGN KEY (account_id) REFERENCES accounts (id);
ALTER TABLE time_week_totals ADD FOREIGN KEY (account_id) REFERENCES accounts (id);
ALTER TABLE ticket_numbers ADD FOREIGN KEY (account_id) REFERENCES accounts (id);
ALTER TABLE tickets ADD FOREIGN KEY (account_id) REFERENCES accounts (id);
ALTER TABLE tickets ADD FOREIGN KEY (account_id, assigned_to) REFERENCES memberships (account_id, user_id);
ALTER TABLE ticket_messages ADD FOREIGN KEY (account_id, ticket_id)
  REFERENCES tickets (account_id, id) ON DELETE CASCADE;
ALTER TABLE workflow_templates ADD FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE;
ALTER TABLE workflow_runs ADD FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE;

-- Rewritten: a link to a contact, project or run named it by id alone; now by (account_id, id).
-- Citus 13.0 refuses ON DELETE SET NULL on any key holding the distribution column, even
-- PostgreSQL 15's SET NULL (column) that would leave account_id alone. So these links get plain
-- keys, and a trigger on contacts and on projects clears them before the row goes (in the
-- same account: colocated shards, so on the worker that holds the row).
ALTER TABLE contact_tags ADD FOREIGN KEY (account_id, contact_id)
  REFERENCES contacts (account_id, id) ON DELETE CASCADE;
ALTER TABLE projects ADD FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id);
ALTER TABLE todos ADD FOREIGN KEY (account_id, project_id) REFERENCES projects (account_id, id);
ALTER TABLE todos ADD FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id);
ALTER TABLE events ADD FOREIGN KEY (account_id, project_id) REFERENCES projects (account_id, id);
ALTER TABLE events ADD FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id);
ALTER TABLE time_entries ADD FOREIGN KEY (account_id, project_id) REFERENCES projects (account_id, id);
ALTER TABLE time_entries ADD FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id);
ALTER TABLE tickets ADD FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id);
CREATE FUNCTION roster_unlink_contact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE projects SET contact_id = NULL WHERE account_id = OLD.account_id AND contact_id = OLD.id;
  UPDATE todos SET contact_id = NULL WHERE account_id = OLD.account_id AND contact_id = OLD.id;
  UPDATE events SET contact_id = NULL WHERE account_id = OLD.account_id AND contact_id = OLD.id;
  UPDATE time_entries SET contact_id = NULL WHERE account_id = OLD.account_id AND contact_id = OLD.id;
  UPDATE tickets SET contact_id = NULL WHERE account_id = OLD.account_id AND contact_id = OLD.id;
  RETURN OLD;
END $$;
CREATE FUNCTION roster_unlink_project() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE todos SET project_id = NULL WHERE account_id = OLD.account_id AND project_id = OLD.id;
  UPDATE events SET project_id = NULL WHERE account_id = OLD.account_id AND project_id = OLD.id;
  UPDATE time_entries SET project_id = NULL WHERE account_id = OLD.account_id AND project_id = OLD.id;
  RETURN OLD;
END $$;
CREATE TRIGGER contacts_unlink BEFORE DELETE ON contacts FOR EACH ROW EXECUTE FUNCTION roster_unlink_contact();
CREATE TRIGGER projects_unlink BEFORE DELETE ON projects FOR EACH ROW EXECUTE FUNCTION roster_unlink_project();
ALTER TABLE workflow_runs ADD FOREIGN KEY (account_id, contact_id)
  REFERENCES contacts (account_id, id) ON DELETE CASCADE;
ALTER TABLE workflow_runs ADD FOREIGN KEY (account_id, project_id)
  REFERENCES projects (account_id, id) ON DELETE CASCADE;
ALTER TABLE workflow_run_steps ADD FOREIGN KEY (account_id, run_id)
  REFERENCES workflow_runs (account_id, id) ON DELETE CASCADE;

-- Coordinator tables into users (a reference table, which has a copy on the coordinator).
ALTER TABLE sessions ADD FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE sessions ADD FOREIGN KEY (impersonator_id) REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE password_resets ADD FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;
-- Left out: sessions.account_id, emails.account_id and jobs.account_id into accounts. A local
-- table may not point into a distributed one; deleting an account must clear them itself.

-- The weekly rollup, one entry at a time (on the worker that holds the entry and its week).
CREATE FUNCTION time_week_totals_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.seconds IS NOT NULL THEN
    UPDATE time_week_totals t SET seconds = t.seconds - OLD.seconds, entries = t.entries - 1
    WHERE t.account_id = OLD.account_id AND t.week = OLD.week AND t.user_id = OLD.user_id
      AND t.project_id IS NOT DISTINCT FROM OLD.project_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.seconds IS NOT NULL THEN
    INSERT INTO time_week_totals AS t (account_id, week, user_id, project_id, seconds, entries)
    VALUES (NEW.account_id, NEW.week, NEW.user_id, NEW.project_id, NEW.seconds, 1)
    ON CONFLICT (account_id, week, user_id, project_id)
    DO UPDATE SET seconds = t.seconds + EXCLUDED.seconds, entries = t.entries + 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER time_week_totals_row AFTER INSERT OR UPDATE OR DELETE ON time_entries
  FOR EACH ROW EXECUTE FUNCTION time_week_totals_row();

ANALYZE;
