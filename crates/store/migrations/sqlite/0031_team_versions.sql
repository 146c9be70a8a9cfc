-- The team list's page cache (decision 0110): one number per account that changes in the same
-- transaction as every write to what a page of the account's members shows (its memberships,
-- their users' listed columns, the account's owner). A page is kept with the number it was read
-- at and served again only while a read transaction still finds that number. Triggers keep it,
-- so no write path (the server, the CLI, another process on the file) can forget it. SQLite only:
-- it has one writer, so the bump costs no contention; PostgreSQL keeps no such row.
CREATE TABLE team_versions (
    account_id BLOB NOT NULL PRIMARY KEY,
    version    INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO team_versions (account_id, version) SELECT id, 1 FROM accounts;

CREATE TRIGGER team_version_member_insert AFTER INSERT ON memberships BEGIN
  INSERT INTO team_versions (account_id, version) VALUES (NEW.account_id, 1)
  ON CONFLICT (account_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER team_version_member_update AFTER UPDATE ON memberships BEGIN
  INSERT INTO team_versions (account_id, version) VALUES (NEW.account_id, 1)
  ON CONFLICT (account_id) DO UPDATE SET version = version + 1;
  UPDATE team_versions SET version = version + 1
  WHERE account_id = OLD.account_id AND OLD.account_id <> NEW.account_id;
END;
CREATE TRIGGER team_version_member_delete AFTER DELETE ON memberships BEGIN
  UPDATE team_versions SET version = version + 1 WHERE account_id = OLD.account_id;
END;
-- The users' columns a page lists (crates/store/src/sql/team/member_list.rs, `SELECT`).
CREATE TRIGGER team_version_user_update
AFTER UPDATE OF id, email, username, first_name, last_name, phone, company ON users BEGIN
  UPDATE team_versions SET version = version + 1
  WHERE account_id IN (SELECT account_id FROM memberships WHERE user_id = OLD.id OR user_id = NEW.id);
END;
CREATE TRIGGER team_version_owner_update AFTER UPDATE OF owner_id ON accounts BEGIN
  UPDATE team_versions SET version = version + 1 WHERE account_id = NEW.id;
END;
