-- The job runner (issue 17, decision 0096): one table of due jobs. A runner claims a batch with a
-- lease (SQLite: one writer, a plain UPDATE … RETURNING), and a job's effect commits with its `done` mark in one
-- transaction, guarded by `claimed_by` and `lease_until`, so a job is done once whatever the
-- number of runners. `due_at` is when the job may next be claimed: its time while `due`, the end
-- of its lease while `running` (so an expired lease is claimable from the same index range).
CREATE TABLE jobs (
    id          BLOB NOT NULL PRIMARY KEY,
    account_id  BLOB REFERENCES accounts (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    dedupe_key  TEXT NOT NULL,
    due_at      BIGINT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'due' CHECK (state IN ('due', 'running', 'done', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    lease_until BIGINT,
    claimed_by  BLOB,
    last_error  TEXT,
    done_at     BIGINT,
    created_at  BIGINT NOT NULL,
    CONSTRAINT jobs_dedupe UNIQUE (kind, dedupe_key)
);
CREATE INDEX jobs_claimable ON jobs (due_at, id) WHERE state IN ('due', 'running');
CREATE INDEX jobs_failed ON jobs (id) WHERE state = 'failed';
CREATE INDEX jobs_done ON jobs (done_at) WHERE state = 'done';
