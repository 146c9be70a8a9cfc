//! Calendars: list, one, the compare view's calendars, insert, rename, delete.
use roster_core::Scope;
use time::OffsetDateTime;
use uuid::Uuid;

use super::super::super::driver::{SqlTx, get, to_db};
use super::super::super::{DbRow, time, uuid};
use super::super::scope_args;
use crate::{CalendarOfMember, CalendarQuery, CalendarRow, Result};

macro_rules! calendar_cols {
    () => {
        "c.id, c.account_id, c.owner_id, c.name, c.is_default, c.created_at, \
         u.first_name AS u_first_name, u.last_name AS u_last_name \
         FROM calendars c JOIN users u ON u.id = c.owner_id"
    };
}

/// The scope's calendars after a keyset position, by owner, creation, id
/// (`calendars_by_owner`).
const LIST: &str = concat!(
    "SELECT ",
    calendar_cols!(),
    " WHERE c.account_id = $1 AND ($2 OR c.owner_id = $3) AND (c.owner_id, c.created_at, c.id) > ($4, $5, $6) \
     ORDER BY c.owner_id, c.created_at, c.id LIMIT $7"
);

/// One member's calendars (`$8`), as far as the scope reaches.
const LIST_OF_OWNER: &str = concat!(
    "SELECT ",
    calendar_cols!(),
    " WHERE c.account_id = $1 AND ($2 OR c.owner_id = $3) AND c.owner_id = $8 \
     AND (c.owner_id, c.created_at, c.id) > ($4, $5, $6) ORDER BY c.owner_id, c.created_at, c.id LIMIT $7"
);

const ONE: &str =
    concat!("SELECT ", calendar_cols!(), " WHERE c.id = $4 AND c.account_id = $1 AND ($2 OR c.owner_id = $3)");

const SHOWN: &str = concat!(
    "SELECT ",
    calendar_cols!(),
    " JOIN memberships m ON m.account_id = c.account_id AND m.user_id = c.owner_id \
     WHERE c.account_id = $1 AND ($2 OR c.owner_id = $3) AND m.show_calendar AND m.status = 'active' \
     ORDER BY u.first_name, u.last_name, c.owner_id, c.created_at, c.id LIMIT $4"
);

fn from_row(r: &DbRow<'_>) -> Result<CalendarOfMember> {
    Ok(CalendarOfMember {
        calendar: CalendarRow {
            id: uuid(r, "id")?,
            account_id: uuid(r, "account_id")?,
            owner_id: uuid(r, "owner_id")?,
            name: get(r, "name")?,
            is_default: get(r, "is_default")?,
            created_at: time(r, "created_at")?,
        },
        owner_first_name: get(r, "u_first_name")?,
        owner_last_name: get(r, "u_last_name")?,
    })
}

pub(super) async fn list(
    tx: &mut SqlTx,
    scope: &Scope,
    q: &CalendarQuery,
    limit: i64,
) -> Result<Vec<CalendarOfMember>> {
    let (account, all, me) = scope_args(scope);
    let (o, at, id) = q.after.unwrap_or((Uuid::nil(), OffsetDateTime::UNIX_EPOCH, Uuid::nil()));
    match q.owner_id {
        None => tx.all(LIST, args![account, all, me, o, to_db(at), id, limit], from_row).await,
        Some(owner) => tx.all(LIST_OF_OWNER, args![account, all, me, o, to_db(at), id, limit, owner], from_row).await,
    }
}

pub(super) async fn one(tx: &mut SqlTx, scope: &Scope, id: Uuid) -> Result<Option<CalendarOfMember>> {
    let (account, all, me) = scope_args(scope);
    tx.opt(ONE, args![account, all, me, id], from_row).await
}

pub(super) async fn shown(tx: &mut SqlTx, scope: &Scope, limit: i64) -> Result<Vec<CalendarOfMember>> {
    let (account, all, me) = scope_args(scope);
    tx.all(SHOWN, args![account, all, me, limit], from_row).await
}

pub(super) async fn insert(tx: &mut SqlTx, scope: &Scope, row: &CalendarRow) -> Result<bool> {
    let (account, all, me) = scope_args(scope);
    let n = tx
        .exec(
            "INSERT INTO calendars (id, account_id, owner_id, name, is_default, created_at) \
             SELECT $4, $1, $5, $6, $7, $8 WHERE $2 OR $5 = $3",
            args![account, all, me, row.id, row.owner_id, row.name, row.is_default, to_db(row.created_at)],
        )
        .await?;
    Ok(n == 1)
}

pub(super) async fn rename(tx: &mut SqlTx, scope: &Scope, id: Uuid, name: &str) -> Result<bool> {
    let (account, all, me) = scope_args(scope);
    let n = tx
        .exec(
            "UPDATE calendars SET name = $5 WHERE id = $4 AND account_id = $1 AND ($2 OR owner_id = $3)",
            args![account, all, me, id, name],
        )
        .await?;
    Ok(n == 1)
}

pub(super) async fn delete(tx: &mut SqlTx, scope: &Scope, id: Uuid) -> Result<bool> {
    let (account, all, me) = scope_args(scope);
    let n = tx
        .exec(
            "DELETE FROM calendars WHERE id = $4 AND account_id = $1 AND ($2 OR owner_id = $3) AND NOT is_default",
            args![account, all, me, id],
        )
        .await?;
    Ok(n == 1)
}
