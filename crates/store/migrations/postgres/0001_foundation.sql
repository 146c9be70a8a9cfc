-- Roster foundation schema (PostgreSQL). Kept in step with ../sqlite/0001_foundation.sql by the
-- `schema_shape_is_the_same_on_both_backends` test.

CREATE TABLE users (
    id            UUID NOT NULL PRIMARY KEY,
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
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE accounts (
    id                  UUID NOT NULL PRIMARY KEY,
    name                TEXT NOT NULL,
    slug                TEXT NOT NULL UNIQUE,
    owner_id            UUID NOT NULL,
    invite_policy       TEXT NOT NULL DEFAULT 'owner_only' CHECK (invite_policy IN ('owner_only', 'permission')),
    invitation_ttl_days INTEGER NOT NULL DEFAULT 7 CHECK (invitation_ttl_days BETWEEN 1 AND 90),
    public_signup       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE roles (
    account_id  UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id          UUID NOT NULL,
    name        TEXT NOT NULL,
    permissions TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, id),
    UNIQUE (account_id, name)
);

CREATE TABLE memberships (
    account_id      UUID NOT NULL REFERENCES accounts (id) DEFERRABLE INITIALLY DEFERRED,
    user_id         UUID NOT NULL REFERENCES users (id),
    role            TEXT NOT NULL,
    custom_role_id  UUID,
    permissions     TEXT,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'archived')),
    landing_page    TEXT NOT NULL DEFAULT 'dashboard',
    contact_tab     TEXT NOT NULL DEFAULT 'overview',
    show_calendar   BOOLEAN NOT NULL DEFAULT TRUE,
    daily_reminders BOOLEAN NOT NULL DEFAULT FALSE,
    last_sign_in_at TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    -- The member's users.sort_name, copied so the team list is one index range scan.
    sort_name       TEXT NOT NULL,
    PRIMARY KEY (account_id, user_id),
    CONSTRAINT memberships_custom_role FOREIGN KEY (account_id, custom_role_id) REFERENCES roles (account_id, id)
);
CREATE INDEX memberships_user ON memberships (user_id);
CREATE INDEX memberships_by_name ON memberships (account_id, sort_name, user_id);
CREATE UNIQUE INDEX memberships_one_owner_role ON memberships (account_id) WHERE role = 'owner';

-- R-OWN-1: exactly one owner by construction, and that owner is a member of this account.
ALTER TABLE accounts ADD CONSTRAINT accounts_owner_is_member FOREIGN KEY (id, owner_id)
    REFERENCES memberships (account_id, user_id) DEFERRABLE INITIALLY DEFERRED;

CREATE FUNCTION roster_owner_stays_active() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF EXISTS (SELECT 1 FROM accounts a WHERE a.id = OLD.account_id AND a.owner_id = OLD.user_id) THEN
            RAISE EXCEPTION 'R-OWN-4: the owner cannot be deleted' USING ERRCODE = 'check_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF NEW.status <> 'active'
       AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = NEW.account_id AND a.owner_id = NEW.user_id) THEN
        RAISE EXCEPTION 'R-OWN-4: the owner cannot be disabled or archived' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER memberships_owner_stays_active BEFORE UPDATE OF status OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION roster_owner_stays_active();

CREATE FUNCTION roster_owner_is_active() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM memberships m
                   WHERE m.account_id = NEW.id AND m.user_id = NEW.owner_id AND m.status = 'active') THEN
        RAISE EXCEPTION 'R-OWN-3: ownership moves only to an active member' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER accounts_owner_is_active BEFORE UPDATE OF owner_id ON accounts
    FOR EACH ROW EXECUTE FUNCTION roster_owner_is_active();

CREATE TABLE sessions (
    id              UUID NOT NULL PRIMARY KEY,
    token_hash      BYTEA NOT NULL UNIQUE,
    user_id         UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    account_id      UUID REFERENCES accounts (id) ON DELETE SET NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('console', 'api')),
    csrf_token      TEXT NOT NULL,
    user_agent      TEXT,
    ip              TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    last_seen_at    TIMESTAMPTZ NOT NULL,
    idle_expires_at TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE setup_tokens (
    token_hash BYTEA NOT NULL PRIMARY KEY,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE audit_events (
    id              UUID NOT NULL PRIMARY KEY,
    account_id      UUID,
    actor_id        UUID,
    impersonator_id UUID,
    action          TEXT NOT NULL,
    target_type     TEXT,
    target_id       TEXT,
    ip              TEXT,
    details         TEXT,
    at              TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_events_account ON audit_events (account_id, id);
