-- Workflow runs (R-WF-1, decision 0100): a template started on a contact or a project. A run
-- copies its template's steps (with the version) when it starts, so editing the template changes
-- later runs only. `epoch` goes up on every pause, resume and cancel: a step's job carries the
-- epoch it was enqueued in and does nothing when it is stale.
CREATE TABLE workflow_runs (
    id               BLOB NOT NULL PRIMARY KEY,
    account_id       BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    template_id      BLOB,
    template_name    TEXT NOT NULL,
    template_version BIGINT NOT NULL,
    contact_id       BLOB REFERENCES contacts (id) ON DELETE CASCADE,
    project_id       BLOB REFERENCES projects (id) ON DELETE CASCADE,
    state            TEXT NOT NULL,
    epoch            BIGINT NOT NULL DEFAULT 0,
    started_by       BLOB NOT NULL,
    started_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    CHECK ((contact_id IS NULL) <> (project_id IS NULL))
);
CREATE INDEX workflow_runs_by_account ON workflow_runs (account_id, id);
CREATE INDEX workflow_runs_by_contact ON workflow_runs (contact_id, id) WHERE contact_id IS NOT NULL;
CREATE INDEX workflow_runs_by_project ON workflow_runs (project_id, id) WHERE project_id IS NOT NULL;

-- One row per step of a run, in order. `spec` is the step as the template had it (JSON);
-- `assignee_id` is who it was resolved to when the run started (NULL: nobody, the step fails
-- with the reason when due). An email step waiting for approval holds its rendered subject and
-- body; `result_id` is the to-do, event or outbox email the step made.
CREATE TABLE workflow_run_steps (
    id          BLOB NOT NULL PRIMARY KEY,
    run_id      BLOB NOT NULL REFERENCES workflow_runs (id) ON DELETE CASCADE,
    account_id  BLOB NOT NULL,
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    spec        TEXT NOT NULL,
    assignee_id BLOB,
    due_at      BIGINT NOT NULL,
    state       TEXT NOT NULL,
    reason      TEXT,
    subject     TEXT,
    body        TEXT,
    result_id   BLOB,
    decided_by  BLOB,
    updated_at  BIGINT NOT NULL,
    UNIQUE (run_id, position)
);
-- The approval queue: an assignee's waiting emails, and the account's.
CREATE INDEX workflow_steps_waiting ON workflow_run_steps (account_id, assignee_id, due_at, id) WHERE state = 'waiting';
CREATE INDEX workflow_steps_waiting_all ON workflow_run_steps (account_id, due_at, id) WHERE state = 'waiting';
