-- "Log in as" (R-IMP-1). An account may forbid it (on by default). An impersonation session is
-- an ordinary session of the person acted as, in one account, that also names who is acting
-- and why; deleting the impersonator's login ends it.
ALTER TABLE accounts ADD COLUMN allow_impersonation BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE sessions ADD COLUMN impersonator_id BLOB REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE sessions ADD COLUMN impersonation_reason TEXT;
