//! Custom roles (R-ROLE-1). A member holding one keeps a copy of its list in
//! `memberships.permissions`; `sync_role_members` refreshes those copies in the same unit of
//! work as the role's change.
use async_trait::async_trait;
use uuid::Uuid;

use super::super::driver::{SqlTx, get, to_db};
use super::super::{DbRow, time, uuid};
use crate::{Result, RoleRepo, RoleRow};

macro_rules! role_cols {
    () => {
        "r.account_id, r.id, r.name, r.permissions, r.created_at"
    };
}

const ROLES_OF: &str = concat!(
    "SELECT ",
    role_cols!(),
    ", (SELECT COUNT(*) FROM memberships m WHERE m.account_id = r.account_id AND m.custom_role_id = r.id) \
     AS members FROM roles r WHERE r.account_id = $1 ORDER BY lower(r.name), r.id"
);
const ROLE_BY_ID: &str = concat!("SELECT ", role_cols!(), " FROM roles r WHERE r.account_id = $1 AND r.id = $2");
const ROLE_BY_NAME: &str =
    concat!("SELECT ", role_cols!(), " FROM roles r WHERE r.account_id = $1 AND lower(r.name) = lower($2)");

fn role_from_row(r: &DbRow<'_>) -> Result<RoleRow> {
    Ok(RoleRow {
        account_id: uuid(r, "account_id")?,
        id: uuid(r, "id")?,
        name: get(r, "name")?,
        permissions: get(r, "permissions")?,
        created_at: time(r, "created_at")?,
    })
}

#[async_trait]
impl RoleRepo for SqlTx {
    async fn insert_role(&mut self, r: &RoleRow) -> Result<()> {
        self.exec(
            "INSERT INTO roles (account_id, id, name, permissions, created_at) VALUES ($1, $2, $3, $4, $5)",
            args![r.account_id, r.id, r.name, r.permissions, to_db(r.created_at)],
        )
        .await?;
        Ok(())
    }

    async fn roles_of_account(&mut self, account_id: Uuid) -> Result<Vec<(RoleRow, i64)>> {
        self.all(ROLES_OF, args![account_id], |row| Ok((role_from_row(row)?, get::<i64>(row, "members")?))).await
    }

    async fn role_by_id(&mut self, account_id: Uuid, id: Uuid) -> Result<Option<RoleRow>> {
        self.opt(ROLE_BY_ID, args![account_id, id], role_from_row).await
    }

    async fn role_by_name(&mut self, account_id: Uuid, name: &str) -> Result<Option<RoleRow>> {
        self.opt(ROLE_BY_NAME, args![account_id, name], role_from_row).await
    }

    async fn update_role(&mut self, r: &RoleRow) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE roles SET name = $3, permissions = $4 WHERE account_id = $1 AND id = $2",
                args![r.account_id, r.id, r.name, r.permissions],
            )
            .await?;
        Ok(n == 1)
    }

    async fn sync_role_members(&mut self, account_id: Uuid, id: Uuid, permissions: &str) -> Result<u64> {
        self.exec(
            "UPDATE memberships SET permissions = $3 WHERE account_id = $1 AND custom_role_id = $2",
            args![account_id, id, permissions],
        )
        .await
    }

    async fn role_member_count(&mut self, account_id: Uuid, id: Uuid) -> Result<i64> {
        let n = self
            .opt(
                "SELECT COUNT(*) AS n FROM memberships WHERE account_id = $1 AND custom_role_id = $2",
                args![account_id, id],
                |r| get::<i64>(r, "n"),
            )
            .await?;
        Ok(n.unwrap_or(0))
    }

    async fn delete_role(&mut self, account_id: Uuid, id: Uuid) -> Result<bool> {
        let n = self.exec("DELETE FROM roles WHERE account_id = $1 AND id = $2", args![account_id, id]).await?;
        Ok(n == 1)
    }
}
