-- R-LIST-1 at a million members: what the team list sorts and searches by is copied into
-- memberships (kept in step by insert_membership and update_user_profile), so every sort is one
-- index range scan of one account and every page is a keyset seek (page 1,000 costs what page 1
-- costs). Each sort index starts with (account_id, status): the default list (active + disabled)
-- reads one range per status and merges them, the Archived tab reads its own range.
-- Substring search uses an FTS5 trigram index over the same copies (external content: the text
-- lives once, in memberships), kept by triggers. See docs/ARCHITECTURE.md, "Users list at scale".
ALTER TABLE memberships ADD COLUMN sort_email TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN sort_company TEXT NOT NULL DEFAULT '';
UPDATE memberships SET
  sort_email = (SELECT u.email FROM users u WHERE u.id = memberships.user_id),
  sort_company = (SELECT lower(COALESCE(u.company, '')) FROM users u WHERE u.id = memberships.user_id);

CREATE INDEX memberships_list_name ON memberships (account_id, status, sort_name, user_id);
CREATE INDEX memberships_list_email ON memberships (account_id, status, sort_email, user_id);
CREATE INDEX memberships_list_company ON memberships (account_id, status, sort_company, sort_name, user_id);
CREATE INDEX memberships_list_role ON memberships (account_id, status, role, sort_name, user_id);
-- When they joined: the export's default walk.
CREATE INDEX memberships_list_created ON memberships (account_id, status, created_at, user_id);
-- Never signed in sorts as the oldest sign-in (the epoch).
CREATE INDEX memberships_list_sign_in ON memberships (account_id, status, COALESCE(last_sign_in_at, 0), user_id);
-- Exact email lookup in one account.
CREATE INDEX memberships_email ON memberships (account_id, sort_email);

-- rowid is memberships' implicit rowid. VACUUM may renumber implicit rowids: after a VACUUM run
-- INSERT INTO member_search(member_search) VALUES ('rebuild').
CREATE VIRTUAL TABLE member_search USING fts5(
  sort_name, sort_email, sort_company, content = 'memberships', content_rowid = 'rowid', tokenize = 'trigram'
);
CREATE TRIGGER member_search_insert AFTER INSERT ON memberships BEGIN
  INSERT INTO member_search (rowid, sort_name, sort_email, sort_company)
  VALUES (NEW.rowid, NEW.sort_name, NEW.sort_email, NEW.sort_company);
END;
CREATE TRIGGER member_search_delete AFTER DELETE ON memberships BEGIN
  INSERT INTO member_search (member_search, rowid, sort_name, sort_email, sort_company)
  VALUES ('delete', OLD.rowid, OLD.sort_name, OLD.sort_email, OLD.sort_company);
END;
CREATE TRIGGER member_search_update AFTER UPDATE OF sort_name, sort_email, sort_company ON memberships BEGIN
  INSERT INTO member_search (member_search, rowid, sort_name, sort_email, sort_company)
  VALUES ('delete', OLD.rowid, OLD.sort_name, OLD.sort_email, OLD.sort_company);
  INSERT INTO member_search (rowid, sort_name, sort_email, sort_company)
  VALUES (NEW.rowid, NEW.sort_name, NEW.sort_email, NEW.sort_company);
END;
INSERT INTO member_search (member_search) VALUES ('rebuild');
