//! A member's records as they join and leave: the SQL (R-JOIN-1, R-DEL-1).
use async_trait::async_trait;
use roster_core::Scope;
use time::OffsetDateTime;
use uuid::Uuid;

use super::super::driver::{SqlTx, get, to_db};
use super::super::uuid;
use crate::{JoiningMember, MemberDefaults, MemberRecordsRepo, MovedRecords, Result};

/// `lower(first || ' ' || last)` as the contact lists sort it.
fn sort_name(first: &str, last: &str) -> String {
    format!("{first} {last}").trim().to_lowercase()
}

#[async_trait]
impl MemberRecordsRepo for SqlTx {
    async fn make_join_defaults(
        &mut self,
        scope: &Scope,
        m: &JoiningMember<'_>,
        calendar_name: &str,
        list_name: &str,
        at: OffsetDateTime,
    ) -> Result<()> {
        let account_id = scope.account_id();
        let email = m.email.to_lowercase();
        let emails = serde_json::to_string(&[m.email]).unwrap_or_else(|_| "[]".to_owned());
        let phones =
            serde_json::to_string(&m.phone.into_iter().collect::<Vec<_>>()).unwrap_or_else(|_| "[]".to_owned());
        self.exec(
            "INSERT INTO contacts (id, account_id, kind, first_name, last_name, company, email, emails, phones, \
             stage, hidden_from_client_list, member_user_id, sort_name, sort_company, created_at, updated_at) \
             VALUES ($1, $2, 'collaborator', $3, $4, $5, $6, $7, $8, 'new', TRUE, $9, $10, $11, $12, $12) \
             ON CONFLICT (account_id, member_user_id) WHERE member_user_id IS NOT NULL DO NOTHING",
            args![
                Uuid::now_v7(),
                account_id,
                m.first_name,
                m.last_name,
                m.company,
                email,
                emails,
                phones,
                m.user_id,
                sort_name(m.first_name, m.last_name),
                m.company.unwrap_or_default().to_lowercase(),
                to_db(at)
            ],
        )
        .await?;
        self.exec(
            "INSERT INTO calendars (id, account_id, owner_id, name, is_default, created_at) \
             VALUES ($1, $2, $3, $4, TRUE, $5) ON CONFLICT (account_id, owner_id) WHERE is_default DO NOTHING",
            args![Uuid::now_v7(), account_id, m.user_id, calendar_name, to_db(at)],
        )
        .await?;
        self.exec(
            "INSERT INTO todo_lists (id, account_id, owner_id, name, is_default, created_at) \
             VALUES ($1, $2, $3, $4, TRUE, $5) ON CONFLICT (account_id, owner_id) WHERE is_default DO NOTHING",
            args![Uuid::now_v7(), account_id, m.user_id, list_name, to_db(at)],
        )
        .await?;
        Ok(())
    }

    async fn member_defaults(&mut self, scope: &Scope, user_id: Uuid) -> Result<MemberDefaults> {
        let a = scope.account_id();
        let contact = self
            .opt(
                "SELECT id, hidden_from_client_list FROM contacts WHERE account_id = $1 AND member_user_id = $2",
                args![a, user_id],
                |r| Ok((uuid(r, "id")?, get::<bool>(r, "hidden_from_client_list")?)),
            )
            .await?;
        let default_calendar = self
            .opt(
                "SELECT id FROM calendars WHERE account_id = $1 AND owner_id = $2 AND is_default",
                args![a, user_id],
                |r| uuid(r, "id"),
            )
            .await?;
        let default_list = self
            .opt(
                "SELECT id FROM todo_lists WHERE account_id = $1 AND owner_id = $2 AND is_default",
                args![a, user_id],
                |r| uuid(r, "id"),
            )
            .await?;
        Ok(MemberDefaults { contact, default_calendar, default_list })
    }

    async fn project_choices(&mut self, scope: &Scope, limit: i64) -> Result<Vec<(Uuid, String)>> {
        let (account_id, all, me) = super::scope_args(scope);
        self.all(
            "SELECT p.id, p.name FROM projects p WHERE p.account_id = $1 AND ($2 OR EXISTS (SELECT 1 FROM \
             project_members pm WHERE pm.project_id = p.id AND pm.user_id = $3)) \
             ORDER BY p.created_at DESC, p.id DESC LIMIT $4",
            args![account_id, all, me, limit],
            |r| Ok((uuid(r, "id")?, get(r, "name")?)),
        )
        .await
    }

    async fn set_invitation_projects(
        &mut self,
        scope: &Scope,
        invitation_id: Uuid,
        project_ids: &[Uuid],
    ) -> Result<()> {
        for id in project_ids {
            self.exec(
                "INSERT INTO invitation_projects (account_id, invitation_id, project_id) VALUES ($1, $2, $3) \
                 ON CONFLICT (invitation_id, project_id) DO NOTHING",
                args![scope.account_id(), invitation_id, *id],
            )
            .await?;
        }
        Ok(())
    }

    async fn invitation_projects(&mut self, scope: &Scope, invitation_id: Uuid) -> Result<Vec<Uuid>> {
        self.all(
            "SELECT project_id FROM invitation_projects WHERE account_id = $1 AND invitation_id = $2 ORDER BY project_id",
            args![scope.account_id(), invitation_id],
            |r| uuid(r, "project_id"),
        )
        .await
    }

    async fn projects_among(&mut self, scope: &Scope, ids: &[Uuid]) -> Result<Vec<Uuid>> {
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            let hit = self
                .opt("SELECT id FROM projects WHERE account_id = $1 AND id = $2", args![scope.account_id(), *id], |r| {
                    uuid(r, "id")
                })
                .await?;
            if let Some(id) = hit.filter(|id| !found.contains(id)) {
                found.push(id);
            }
        }
        Ok(found)
    }

    async fn join_projects(&mut self, scope: &Scope, user_id: Uuid, project_ids: &[Uuid]) -> Result<u64> {
        let mut joined = 0;
        for id in project_ids {
            joined += self
                .exec(
                    "INSERT INTO project_members (account_id, project_id, user_id) \
                     SELECT account_id, id, $3 FROM projects WHERE account_id = $1 AND id = $2 \
                     ON CONFLICT (project_id, user_id) DO NOTHING",
                    args![scope.account_id(), *id, user_id],
                )
                .await?;
        }
        Ok(joined)
    }

    async fn move_member_records(
        &mut self,
        scope: &Scope,
        from: Uuid,
        to: Uuid,
        at: OffsetDateTime,
    ) -> Result<MovedRecords> {
        let a = scope.account_id();
        let t = to_db(at);
        let contacts = self
            .exec(
                "UPDATE contacts SET assigned_to = $3, updated_at = $4 WHERE account_id = $1 AND assigned_to = $2",
                args![a, from, to, t],
            )
            .await?;
        self.exec("DELETE FROM contacts WHERE account_id = $1 AND member_user_id = $2", args![a, from]).await?;
        let projects = self
            .exec(
                "UPDATE projects SET owner_id = $3, updated_at = $4 WHERE account_id = $1 AND owner_id = $2",
                args![a, from, to, t],
            )
            .await?;
        let project_memberships = self
            .exec(
                "INSERT INTO project_members (account_id, project_id, user_id) \
                 SELECT account_id, project_id, $3 FROM project_members WHERE account_id = $1 AND user_id = $2 \
                 ON CONFLICT (project_id, user_id) DO NOTHING",
                args![a, from, to],
            )
            .await?;
        self.exec("DELETE FROM project_members WHERE account_id = $1 AND user_id = $2", args![a, from]).await?;
        let todo_lists = self
            .exec(
                "UPDATE todo_lists SET owner_id = $3, is_default = FALSE WHERE account_id = $1 AND owner_id = $2",
                args![a, from, to],
            )
            .await?;
        let todos = self
            .exec(
                "UPDATE todos SET assignee_id = $3, updated_at = $4 WHERE account_id = $1 AND assignee_id = $2",
                args![a, from, to, t],
            )
            .await?;
        let calendars = self
            .exec(
                "UPDATE calendars SET owner_id = $3, is_default = FALSE WHERE account_id = $1 AND owner_id = $2",
                args![a, from, to],
            )
            .await?;
        // R-TKT-1: the heir answers the leaver's tickets (not counted in `MovedRecords`).
        self.exec("UPDATE tickets SET assigned_to = $3 WHERE account_id = $1 AND assigned_to = $2", args![a, from, to])
            .await?;
        self.exec("DELETE FROM saved_filters WHERE account_id = $1 AND user_id = $2", args![a, from]).await?;
        Ok(MovedRecords { contacts, projects, project_memberships, todo_lists, todos, calendars })
    }
}
