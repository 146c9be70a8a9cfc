//! The account's tags: the SQL.
use async_trait::async_trait;
use roster_core::Scope;
use time::OffsetDateTime;
use uuid::Uuid;

use super::super::driver::{SqlTx, get, to_db};
use super::super::{DbRow, uuid};
use crate::{Result, TagRepo, TagRow};

fn tag_from_row(r: &DbRow<'_>) -> Result<TagRow> {
    Ok(TagRow { id: uuid(r, "id")?, name: get(r, "name")? })
}

#[async_trait]
impl TagRepo for SqlTx {
    async fn ensure_tags(&mut self, scope: &Scope, names: &[String], at: OffsetDateTime) -> Result<Vec<TagRow>> {
        let mut out: Vec<TagRow> = Vec::with_capacity(names.len());
        for name in names {
            let key = name.trim().to_lowercase();
            if key.is_empty() || out.iter().any(|t| t.name.to_lowercase() == key) {
                continue;
            }
            self.exec(
                "INSERT INTO tags (id, account_id, name, sort_name, created_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (account_id, sort_name) DO NOTHING",
                args![Uuid::now_v7(), scope.account_id(), name.trim(), key, to_db(at)],
            )
            .await?;
            if let Some(tag) = self.tag_by_name(scope, &key).await? {
                out.push(tag);
            }
        }
        Ok(out)
    }

    async fn tags(&mut self, scope: &Scope) -> Result<Vec<TagRow>> {
        self.all(
            "SELECT id, name FROM tags WHERE account_id = $1 ORDER BY sort_name",
            args![scope.account_id()],
            tag_from_row,
        )
        .await
    }

    async fn tag_by_name(&mut self, scope: &Scope, name: &str) -> Result<Option<TagRow>> {
        self.opt(
            "SELECT id, name FROM tags WHERE account_id = $1 AND sort_name = $2",
            args![scope.account_id(), name.trim().to_lowercase()],
            tag_from_row,
        )
        .await
    }

    async fn create_tag(&mut self, scope: &Scope, name: &str, at: OffsetDateTime) -> Result<Option<TagRow>> {
        let id = Uuid::now_v7();
        let n = self
            .exec(
                "INSERT INTO tags (id, account_id, name, sort_name, created_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (account_id, sort_name) DO NOTHING",
                args![id, scope.account_id(), name.trim(), name.trim().to_lowercase(), to_db(at)],
            )
            .await?;
        Ok((n == 1).then(|| TagRow { id, name: name.trim().to_owned() }))
    }

    async fn tag(&mut self, scope: &Scope, id: Uuid) -> Result<Option<TagRow>> {
        self.opt(
            "SELECT id, name FROM tags WHERE account_id = $1 AND id = $2",
            args![scope.account_id(), id],
            tag_from_row,
        )
        .await
    }

    async fn delete_tag(&mut self, scope: &Scope, id: Uuid) -> Result<u64> {
        self.exec("DELETE FROM tags WHERE account_id = $1 AND id = $2", args![scope.account_id(), id]).await
    }
}
