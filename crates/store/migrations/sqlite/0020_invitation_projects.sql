-- R-JOIN-1: the projects an invitee joins when they accept, chosen when the invitation is made
-- (`project_ids` of POST …/invitations, and of POST …/users when the address is invited instead,
-- R-ADD-3). A deleted project drops out of the list (cascade); acceptance joins what is left.
CREATE TABLE invitation_projects (
    account_id     BLOB NOT NULL,
    invitation_id  BLOB NOT NULL,
    project_id     BLOB NOT NULL,
    PRIMARY KEY (invitation_id, project_id),
    FOREIGN KEY (account_id, invitation_id) REFERENCES invitations (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, project_id) REFERENCES projects (account_id, id) ON DELETE CASCADE
);
CREATE INDEX invitation_projects_by_project ON invitation_projects (project_id);
