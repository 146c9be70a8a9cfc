-- Workflow templates (R-WF-1, decision 0099): an account's ordered steps, stored as one JSON
-- array in the template row (written and read whole; a run copies it when it starts).
-- `version` goes up on every edit, so a run records which version it copied.
CREATE TABLE workflow_templates (
    id          BLOB NOT NULL PRIMARY KEY,
    account_id  BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    steps       TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    created_by  BLOB NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX workflow_templates_by_name ON workflow_templates (account_id, name, id);
