-- Roster foundation schema (SQLite). Kept in step with ../postgres/0001_foundation.sql by the
-- `schema_shape_is_the_same_on_both_backends` test. Ids are UUIDv7 (BLOB here, uuid there);
-- times are unix microseconds here (BIGINT), timestamptz there.

CREATE TABLE users (
    id            BLOB NOT NULL PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    username      TEXT UNIQUE,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    sort_name     TEXT NOT NULL,
    phone         TEXT,
    company       TEXT,
    password_hash TEXT,
    time_zone     TEXT NOT NULL DEFAULT 'UTC',
    is_operator   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- R-OWN-1: the owner is one column, so an account has exactly one owner by construction; the
-- deferred foreign key makes that owner a membership of this very account.
CREATE TABLE accounts (
    id                  BLOB NOT NULL PRIMARY KEY,
    name                TEXT NOT NULL,
    slug                TEXT NOT NULL UNIQUE,
    owner_id            BLOB NOT NULL,
    invite_policy       TEXT NOT NULL DEFAULT 'owner_only' CHECK (invite_policy IN ('owner_only', 'permission')),
    invitation_ttl_days INTEGER NOT NULL DEFAULT 7 CHECK (invitation_ttl_days BETWEEN 1 AND 90),
    public_signup       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    CONSTRAINT accounts_owner_is_member FOREIGN KEY (id, owner_id)
        REFERENCES memberships (account_id, user_id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE roles (
    account_id  BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id          BLOB NOT NULL,
    name        TEXT NOT NULL,
    permissions TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (account_id, id),
    UNIQUE (account_id, name)
);

CREATE TABLE memberships (
    account_id      BLOB NOT NULL REFERENCES accounts (id) DEFERRABLE INITIALLY DEFERRED,
    user_id         BLOB NOT NULL REFERENCES users (id),
    role            TEXT NOT NULL,
    custom_role_id  BLOB,
    permissions     TEXT,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'archived')),
    landing_page    TEXT NOT NULL DEFAULT 'dashboard',
    contact_tab     TEXT NOT NULL DEFAULT 'overview',
    show_calendar   BOOLEAN NOT NULL DEFAULT TRUE,
    daily_reminders BOOLEAN NOT NULL DEFAULT FALSE,
    last_sign_in_at BIGINT,
    created_at      BIGINT NOT NULL,
    -- The member's users.sort_name, copied so the team list is one index range scan.
    sort_name       TEXT NOT NULL,
    PRIMARY KEY (account_id, user_id),
    CONSTRAINT memberships_custom_role FOREIGN KEY (account_id, custom_role_id) REFERENCES roles (account_id, id)
);
CREATE INDEX memberships_user ON memberships (user_id);
CREATE INDEX memberships_by_name ON memberships (account_id, sort_name, user_id);
-- Belt and braces for R-OWN-1: at most one membership carries the owner role.
CREATE UNIQUE INDEX memberships_one_owner_role ON memberships (account_id) WHERE role = 'owner';

-- R-OWN-4: the owner's membership stays active; R-OWN-3: ownership moves only to an active member.
CREATE TRIGGER memberships_owner_stays_active BEFORE UPDATE OF status ON memberships
WHEN NEW.status <> 'active'
 AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = NEW.account_id AND a.owner_id = NEW.user_id)
BEGIN
    SELECT RAISE(ABORT, 'R-OWN-4: the owner cannot be disabled or archived');
END;

CREATE TRIGGER memberships_owner_not_deleted BEFORE DELETE ON memberships
WHEN EXISTS (SELECT 1 FROM accounts a WHERE a.id = OLD.account_id AND a.owner_id = OLD.user_id)
BEGIN
    SELECT RAISE(ABORT, 'R-OWN-4: the owner cannot be deleted');
END;

CREATE TRIGGER accounts_owner_is_active BEFORE UPDATE OF owner_id ON accounts
WHEN NOT EXISTS (SELECT 1 FROM memberships m
                 WHERE m.account_id = NEW.id AND m.user_id = NEW.owner_id AND m.status = 'active')
BEGIN
    SELECT RAISE(ABORT, 'R-OWN-3: ownership moves only to an active member');
END;

CREATE TABLE sessions (
    id              BLOB NOT NULL PRIMARY KEY,
    token_hash      BLOB NOT NULL UNIQUE,
    user_id         BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    account_id      BLOB REFERENCES accounts (id) ON DELETE SET NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('console', 'api')),
    csrf_token      TEXT NOT NULL,
    user_agent      TEXT,
    ip              TEXT,
    created_at      BIGINT NOT NULL,
    last_seen_at    BIGINT NOT NULL,
    idle_expires_at BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE setup_tokens (
    token_hash BLOB NOT NULL PRIMARY KEY,
    expires_at BIGINT NOT NULL
);

-- R-AUD-1. No foreign keys: the log keeps ids of users erased later (R-DEL-1).
CREATE TABLE audit_events (
    id              BLOB NOT NULL PRIMARY KEY,
    account_id      BLOB,
    actor_id        BLOB,
    impersonator_id BLOB,
    action          TEXT NOT NULL,
    target_type     TEXT,
    target_id       TEXT,
    ip              TEXT,
    details         TEXT,
    at              BIGINT NOT NULL
);
CREATE INDEX audit_events_account ON audit_events (account_id, id);
