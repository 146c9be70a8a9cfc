//! Saved contact filters (R-CON-2): a member's own rows only, in the scope's account.
use roster_core::Scope;
use uuid::Uuid;

use super::super::super::driver::{SqlTx, get, to_db};
use super::super::super::{DbRow, time, uuid};
use crate::{Result, SavedFilterRow};

fn filter_from_row(r: &DbRow<'_>) -> Result<SavedFilterRow> {
    Ok(SavedFilterRow {
        id: uuid(r, "id")?,
        account_id: uuid(r, "account_id")?,
        user_id: uuid(r, "user_id")?,
        name: get(r, "name")?,
        query: get(r, "query")?,
        created_at: time(r, "created_at")?,
    })
}

pub(super) async fn list(tx: &mut SqlTx, scope: &Scope, user_id: Uuid) -> Result<Vec<SavedFilterRow>> {
    tx.all(
        "SELECT id, account_id, user_id, name, query, created_at FROM saved_filters \
         WHERE account_id = $1 AND user_id = $2 ORDER BY lower(name), id",
        args![scope.account_id(), user_id],
        filter_from_row,
    )
    .await
}

pub(super) async fn one(tx: &mut SqlTx, scope: &Scope, user_id: Uuid, id: Uuid) -> Result<Option<SavedFilterRow>> {
    tx.opt(
        "SELECT id, account_id, user_id, name, query, created_at FROM saved_filters \
         WHERE account_id = $1 AND user_id = $2 AND id = $3",
        args![scope.account_id(), user_id, id],
        filter_from_row,
    )
    .await
}

pub(super) async fn insert(tx: &mut SqlTx, scope: &Scope, f: &SavedFilterRow) -> Result<()> {
    tx.exec(
        "INSERT INTO saved_filters (id, account_id, user_id, name, query, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        args![f.id, scope.account_id(), f.user_id, f.name, f.query, to_db(f.created_at)],
    )
    .await?;
    Ok(())
}

pub(super) async fn update(tx: &mut SqlTx, scope: &Scope, f: &SavedFilterRow) -> Result<u64> {
    tx.exec(
        "UPDATE saved_filters SET name = $4, query = $5 WHERE account_id = $1 AND user_id = $2 AND id = $3",
        args![scope.account_id(), f.user_id, f.id, f.name, f.query],
    )
    .await
}

pub(super) async fn delete(tx: &mut SqlTx, scope: &Scope, user_id: Uuid, id: Uuid) -> Result<u64> {
    tx.exec(
        "DELETE FROM saved_filters WHERE account_id = $1 AND user_id = $2 AND id = $3",
        args![scope.account_id(), user_id, id],
    )
    .await
}
