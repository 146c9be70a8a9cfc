-- Time tracking (R-TIME-1, decision 0097). A running timer is an entry without `ended_at`; the
-- partial unique index lets each member of an account run at most one, and two members at once.
-- `week` is the Monday (YYYY-MM-DD) of the ISO week of `started_at` in UTC and `seconds` the
-- duration once stopped, both written by the application, so the report is one GROUP BY on
-- both backends over the (account_id, started_at) range of the covering `time_entries_report`.
-- The author is kept when they leave (no key to memberships): the hours were theirs.
CREATE TABLE time_entries (
    id          UUID PRIMARY KEY,
    account_id  UUID NOT NULL REFERENCES accounts (id),
    user_id     UUID NOT NULL,
    project_id  UUID REFERENCES projects (id) ON DELETE SET NULL,
    contact_id  UUID REFERENCES contacts (id) ON DELETE SET NULL,
    note        TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    ended_at    TIMESTAMPTZ,
    seconds     BIGINT,
    week        TEXT NOT NULL,
    created_by  UUID NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    CHECK (ended_at IS NULL OR ended_at >= started_at),
    CHECK ((ended_at IS NULL) = (seconds IS NULL))
);
CREATE UNIQUE INDEX time_entries_one_running ON time_entries (account_id, user_id) WHERE ended_at IS NULL;
CREATE INDEX time_entries_by_member ON time_entries (account_id, user_id, started_at, id);
CREATE INDEX time_entries_report ON time_entries (account_id, started_at, user_id, project_id, week, seconds);
CREATE INDEX time_entries_by_project ON time_entries (project_id) WHERE project_id IS NOT NULL;
CREATE INDEX time_entries_by_contact ON time_entries (contact_id) WHERE contact_id IS NOT NULL;
