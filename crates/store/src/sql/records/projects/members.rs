//! A project's members and tags, always through the project's scope.
use roster_core::Scope;
use uuid::Uuid;

use super::super::super::driver::{SqlTx, get};
use super::super::scope_args;
use super::IN_SCOPE;
use crate::{Result, TagRow};

impl SqlTx {
    pub(super) async fn member_ids_of(&mut self, scope: &Scope, project_id: Uuid) -> Result<Vec<Uuid>> {
        let (a, all, me) = scope_args(scope);
        let sql = format!(
            "SELECT pm.user_id FROM project_members pm JOIN projects p ON p.id = pm.project_id \
             WHERE {IN_SCOPE} AND p.id = $4 ORDER BY pm.user_id"
        );
        self.all_dyn(&sql, true, args![a, all, me, project_id], |r| get::<Uuid>(r, "user_id")).await
    }

    pub(super) async fn tags_of(&mut self, scope: &Scope, project_id: Uuid) -> Result<Vec<TagRow>> {
        let (a, all, me) = scope_args(scope);
        let sql = format!(
            "SELECT t.id, t.name FROM project_tags pt JOIN projects p ON p.id = pt.project_id \
             JOIN tags t ON t.id = pt.tag_id WHERE {IN_SCOPE} AND p.id = $4 ORDER BY t.sort_name"
        );
        self.all_dyn(&sql, true, args![a, all, me, project_id], |r| {
            Ok(TagRow { id: get(r, "id")?, name: get(r, "name")? })
        })
        .await
    }

    /// Whether the project is in the scope (what every change of its members or tags checks).
    async fn project_in_scope(&mut self, scope: &Scope, project_id: Uuid) -> Result<bool> {
        Ok(self.project_row(scope, project_id).await?.is_some())
    }

    pub(super) async fn replace_members(&mut self, scope: &Scope, project_id: Uuid, users: &[Uuid]) -> Result<bool> {
        if !self.project_in_scope(scope, project_id).await? {
            return Ok(false);
        }
        let a = scope.account_id();
        self.exec("DELETE FROM project_members WHERE account_id = $1 AND project_id = $2", args![a, project_id])
            .await?;
        for u in users {
            self.exec(
                "INSERT INTO project_members (account_id, project_id, user_id) VALUES ($1, $2, $3) \
                 ON CONFLICT (project_id, user_id) DO NOTHING",
                args![a, project_id, *u],
            )
            .await?;
        }
        Ok(true)
    }

    pub(super) async fn replace_tags(&mut self, scope: &Scope, project_id: Uuid, tags: &[Uuid]) -> Result<bool> {
        if !self.project_in_scope(scope, project_id).await? {
            return Ok(false);
        }
        let a = scope.account_id();
        self.exec("DELETE FROM project_tags WHERE account_id = $1 AND project_id = $2", args![a, project_id]).await?;
        for t in tags {
            self.exec(
                "INSERT INTO project_tags (account_id, project_id, tag_id) VALUES ($1, $2, $3) \
                 ON CONFLICT (project_id, tag_id) DO NOTHING",
                args![a, project_id, *t],
            )
            .await?;
        }
        Ok(true)
    }
}
