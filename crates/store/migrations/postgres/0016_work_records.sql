-- Work records I (issue 16): contacts (R-CON-1), saved filters (R-CON-2), tags, projects
-- (R-PRJ-1), to-do lists (R-TODO-1), calendars and events (R-CAL-1), daily reminder claims
-- (R-MAIL-5). Decision 0077 has the shape; every record row carries account_id, and each kind's
-- "own" column (assigned_to, project_members.user_id, owner_id) references the membership, so an
-- assignee or owner is always a member of the same account (R-CON-1's "active member" is checked
-- by the service; the key keeps the database from ever pointing into another account).
-- Times are timestamptz; dates ('due_on', 'follow_up_on') are ISO text 'YYYY-MM-DD'.

CREATE TABLE contacts (
    id                      UUID PRIMARY KEY,
    account_id              UUID NOT NULL REFERENCES accounts (id),
    kind                    TEXT NOT NULL CHECK (kind IN ('client', 'lead', 'vendor', 'collaborator')),
    first_name              TEXT NOT NULL,
    last_name               TEXT NOT NULL DEFAULT '',
    company                 TEXT,
    -- The first address, lowercased: exact-email lookups use it (contacts_email).
    email                   TEXT,
    -- Every address and phone number, as a JSON array of strings.
    emails                  TEXT NOT NULL DEFAULT '[]',
    phones                  TEXT NOT NULL DEFAULT '[]',
    address                 TEXT,
    notes                   TEXT,
    stage                   TEXT NOT NULL DEFAULT 'new',
    assigned_to             UUID,
    hidden_from_client_list BOOLEAN NOT NULL DEFAULT FALSE,
    follow_up_on            TEXT,
    -- The member this collaborator contact stands for (R-JOIN-1); NULL for everyone else.
    member_user_id          UUID,
    -- lower(first || ' ' || last), lower(company): what lists sort by.
    sort_name               TEXT NOT NULL,
    sort_company            TEXT NOT NULL DEFAULT '',
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (account_id, assigned_to) REFERENCES memberships (account_id, user_id)
);
-- An admin's list by each sort, and a member's own list (assigned_to first) by each sort.
CREATE INDEX contacts_by_name ON contacts (account_id, sort_name, id);
CREATE INDEX contacts_by_company ON contacts (account_id, sort_company, sort_name, id);
CREATE INDEX contacts_by_created ON contacts (account_id, created_at, id);
CREATE INDEX contacts_by_stage ON contacts (account_id, stage, sort_name, id);
CREATE INDEX contacts_assigned_name ON contacts (account_id, assigned_to, sort_name, id);
CREATE INDEX contacts_assigned_created ON contacts (account_id, assigned_to, created_at, id);
CREATE INDEX contacts_assigned_stage ON contacts (account_id, assigned_to, stage, sort_name, id);
CREATE INDEX contacts_email ON contacts (account_id, email);
CREATE INDEX contacts_follow_up ON contacts (account_id, assigned_to, follow_up_on) WHERE follow_up_on IS NOT NULL;
CREATE UNIQUE INDEX contacts_member ON contacts (account_id, member_user_id) WHERE member_user_id IS NOT NULL;

-- Substring search: a trigram GIN index per account over the contact's names, company and first
-- address (pg_trgm and btree_gin come from 0009 and 0012), as memberships_search_account does.
CREATE INDEX contacts_search ON contacts
  USING gin (account_id, (sort_name || ' ' || sort_company || ' ' || COALESCE(email, '')) gin_trgm_ops);

-- The account's tags, shared by contacts and projects; names unique per account, any case.
CREATE TABLE tags (
    id          UUID PRIMARY KEY,
    account_id  UUID NOT NULL REFERENCES accounts (id),
    name        TEXT NOT NULL,
    sort_name   TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (account_id, sort_name),
    UNIQUE (account_id, id)
);

CREATE TABLE contact_tags (
    account_id  UUID NOT NULL,
    contact_id  UUID NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    tag_id      UUID NOT NULL,
    PRIMARY KEY (contact_id, tag_id),
    FOREIGN KEY (account_id, tag_id) REFERENCES tags (account_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_tags_by_tag ON contact_tags (account_id, tag_id, contact_id);

-- R-CON-2: a member's saved contact filters; `query` is the filter as JSON (type, stage, tag,
-- assigned_to, q), always applied inside the member's own scope.
CREATE TABLE saved_filters (
    id          UUID PRIMARY KEY,
    account_id  UUID NOT NULL,
    user_id     UUID NOT NULL,
    name        TEXT NOT NULL,
    query       TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (account_id, user_id, name),
    FOREIGN KEY (account_id, user_id) REFERENCES memberships (account_id, user_id) ON DELETE CASCADE
);

CREATE TABLE projects (
    id          UUID PRIMARY KEY,
    account_id  UUID NOT NULL REFERENCES accounts (id),
    name        TEXT NOT NULL,
    sort_name   TEXT NOT NULL,
    contact_id  UUID REFERENCES contacts (id) ON DELETE SET NULL,
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'on_hold', 'completed', 'cancelled')),
    -- Who made it (R-DEL-1 moves it to the heir).
    owner_id    UUID NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (account_id, id),
    FOREIGN KEY (account_id, owner_id) REFERENCES memberships (account_id, user_id)
);
CREATE INDEX projects_by_name ON projects (account_id, sort_name, id);
CREATE INDEX projects_by_created ON projects (account_id, created_at, id);
CREATE INDEX projects_contact ON projects (contact_id);

CREATE TABLE project_members (
    account_id  UUID NOT NULL,
    project_id  UUID NOT NULL,
    user_id     UUID NOT NULL,
    PRIMARY KEY (project_id, user_id),
    FOREIGN KEY (account_id, project_id) REFERENCES projects (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, user_id) REFERENCES memberships (account_id, user_id)
);
-- "All projects of this person" (R-PRJ-1): one index range.
CREATE INDEX project_members_by_user ON project_members (account_id, user_id, project_id);

CREATE TABLE project_tags (
    account_id  UUID NOT NULL,
    project_id  UUID NOT NULL,
    tag_id      UUID NOT NULL,
    PRIMARY KEY (project_id, tag_id),
    FOREIGN KEY (account_id, project_id) REFERENCES projects (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, tag_id) REFERENCES tags (account_id, id) ON DELETE CASCADE
);
CREATE INDEX project_tags_by_tag ON project_tags (account_id, tag_id, project_id);

CREATE TABLE todo_lists (
    id          UUID PRIMARY KEY,
    account_id  UUID NOT NULL REFERENCES accounts (id),
    owner_id    UUID NOT NULL,
    name        TEXT NOT NULL,
    is_default  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (account_id, id),
    FOREIGN KEY (account_id, owner_id) REFERENCES memberships (account_id, user_id)
);
CREATE INDEX todo_lists_by_owner ON todo_lists (account_id, owner_id, created_at, id);
CREATE UNIQUE INDEX todo_lists_one_default ON todo_lists (account_id, owner_id) WHERE is_default;

CREATE TABLE todos (
    id           UUID PRIMARY KEY,
    account_id   UUID NOT NULL,
    list_id      UUID NOT NULL,
    title        TEXT NOT NULL,
    due_on       TEXT,
    done         BOOLEAN NOT NULL DEFAULT FALSE,
    done_at      TIMESTAMPTZ,
    project_id   UUID REFERENCES projects (id) ON DELETE SET NULL,
    contact_id   UUID REFERENCES contacts (id) ON DELETE SET NULL,
    assignee_id  UUID,
    created_by   UUID NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (account_id, list_id) REFERENCES todo_lists (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, assignee_id) REFERENCES memberships (account_id, user_id)
);
CREATE INDEX todos_by_list ON todos (list_id, done, due_on, id);
CREATE INDEX todos_due ON todos (account_id, assignee_id, due_on) WHERE NOT done;

CREATE TABLE calendars (
    id          UUID PRIMARY KEY,
    account_id  UUID NOT NULL REFERENCES accounts (id),
    owner_id    UUID NOT NULL,
    name        TEXT NOT NULL,
    is_default  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (account_id, id),
    FOREIGN KEY (account_id, owner_id) REFERENCES memberships (account_id, user_id)
);
CREATE INDEX calendars_by_owner ON calendars (account_id, owner_id, created_at, id);
CREATE UNIQUE INDEX calendars_one_default ON calendars (account_id, owner_id) WHERE is_default;

CREATE TABLE events (
    id           UUID PRIMARY KEY,
    account_id   UUID NOT NULL,
    calendar_id  UUID NOT NULL,
    title        TEXT NOT NULL,
    starts_at    TIMESTAMPTZ NOT NULL,
    ends_at      TIMESTAMPTZ NOT NULL,
    all_day      BOOLEAN NOT NULL DEFAULT FALSE,
    contact_id   UUID REFERENCES contacts (id) ON DELETE SET NULL,
    project_id   UUID REFERENCES projects (id) ON DELETE SET NULL,
    created_by   UUID NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    CHECK (ends_at >= starts_at),
    FOREIGN KEY (account_id, calendar_id) REFERENCES calendars (account_id, id) ON DELETE CASCADE
);
-- A calendar's month: one index range.
CREATE INDEX events_by_calendar ON events (calendar_id, starts_at, id);
CREATE INDEX events_by_account ON events (account_id, starts_at, id);

-- R-MAIL-5: one row per member per local day, claimed before the reminder is queued (in the same
-- transaction), so several replicas send it once.
CREATE TABLE reminder_claims (
    account_id  UUID NOT NULL,
    user_id     UUID NOT NULL,
    day         TEXT NOT NULL,
    sent        BOOLEAN NOT NULL,
    claimed_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, user_id, day)
);

-- The default contact tab is now a catalogue value (roster_core::ContactTab, R-CON-1).
UPDATE memberships SET contact_tab = 'overview'
  WHERE contact_tab NOT IN ('overview', 'projects', 'todos', 'events', 'emails', 'notes');
