//! Ticket lists (R-TKT-1): filters, search, two sorts, keyset pages and a capped count from one
//! `WHERE` clause inside the caller's scope.
//!
//! Values are always bound in the same places: `$1..$3` the scope, `$4` status, `$5` assignee,
//! `$6` priority, `$7` contact, `$8` the lowercased text, `$9` a ticket number, `$10..$12` the
//! cursor (number, updated_at, id), `$13` the limit. A filter that is not asked adds no
//! condition. The indexes of migration 0026 lead with `(account_id, status, assigned_to)`, then
//! the sort key, so a page filtered by status and assignee is one index range read in order.
use roster_core::Scope;
use time::OffsetDateTime;
use uuid::Uuid;

use super::super::super::DbRow;
use super::super::super::driver::{POSITION_FN, SqlTx, get, to_db};
use super::super::scope_args;
use super::{TICKET_COLS, in_scope, ticket_from_row};
use crate::{Result, TicketFilter, TicketQuery, TicketRow, TicketSort};

fn conditions(scope: &Scope, f: &TicketFilter) -> String {
    let mut w = String::from(in_scope(scope));
    if f.status.is_some() {
        w.push_str(" AND t.status = $4");
    }
    if f.assigned_to.is_some() {
        w.push_str(" AND t.assigned_to = $5");
    }
    if f.priority.is_some() {
        w.push_str(" AND t.priority = $6");
    }
    if f.contact_id.is_some() {
        w.push_str(" AND t.contact_id = $7");
    }
    if f.text.is_some() {
        w.push_str(&format!(" AND {POSITION_FN}(t.sort_subject, $8) > 0"));
    }
    if f.number.is_some() {
        w.push_str(" AND t.number = $9");
    }
    w
}

fn order(q: &TicketQuery) -> (String, String) {
    let (exprs, params): (&[&str], &[&str]) = match q.sort {
        TicketSort::Number => (&["t.number"], &["$10"]),
        TicketSort::Updated => (&["t.updated_at", "t.id"], &["$11", "$12"]),
    };
    let seek = if q.after.is_some() {
        let op = if q.descending { "<" } else { ">" };
        format!(" AND ({}) {op} ({})", exprs.join(", "), params.join(", "))
    } else {
        String::new()
    };
    let dir = if q.descending { " DESC" } else { "" };
    let order: Vec<String> = exprs.iter().map(|e| format!("{e}{dir}")).collect();
    (seek, order.join(", "))
}

async fn rows<T: Send + 'static>(
    tx: &mut SqlTx,
    sql: &str,
    scope: &Scope,
    f: &TicketFilter,
    q: Option<&TicketQuery>,
    limit: i64,
    decode: impl Fn(&DbRow<'_>) -> Result<T> + Send,
) -> Result<Vec<T>> {
    let (account, all, me) = scope_args(scope);
    let status = f.status.map_or("", |s| s.as_str());
    let assignee = f.assigned_to.unwrap_or(Uuid::nil());
    let priority = f.priority.map_or("", |p| p.as_str());
    let contact = f.contact_id.unwrap_or(Uuid::nil());
    let text = f.text.clone().unwrap_or_default();
    let number = f.number.unwrap_or(0);
    let (k_number, k_at, k_id) = match q.and_then(|q| q.after) {
        Some(k) => (k.number, k.updated_at, k.id),
        None => (0, OffsetDateTime::UNIX_EPOCH, Uuid::nil()),
    };
    tx.all_dyn(
        sql,
        true,
        args![account, all, me, status, assignee, priority, contact, text, number, k_number, to_db(k_at), k_id, limit],
        decode,
    )
    .await
}

/// Keeps every parameter's type known where a statement does not use it (PostgreSQL).
const ALL_PARAMS: &str = " AND $4 = $4 AND $5 = $5 AND $6 = $6 AND $7 = $7 AND $8 = $8 AND $9 = $9 \
     AND $10 = $10 AND $11 = $11 AND $12 = $12";

pub(super) async fn page(tx: &mut SqlTx, scope: &Scope, q: &TicketQuery, limit: i64) -> Result<Vec<TicketRow>> {
    let (seek, order) = order(q);
    let w = conditions(scope, &q.filter);
    let sql = format!("SELECT {TICKET_COLS} FROM tickets t WHERE {w}{seek}{ALL_PARAMS} ORDER BY {order} LIMIT $13");
    rows(tx, &sql, scope, &q.filter, Some(q), limit, ticket_from_row).await
}

pub(super) async fn count(tx: &mut SqlTx, scope: &Scope, f: &TicketFilter, cap: i64) -> Result<i64> {
    let w = conditions(scope, f);
    let sql = format!("SELECT count(*) AS n FROM (SELECT 1 AS one FROM tickets t WHERE {w}{ALL_PARAMS} LIMIT $13) x");
    let n = rows(tx, &sql, scope, f, None, cap.max(0).saturating_add(1), |r| get::<i64>(r, "n")).await?;
    Ok(n.first().copied().unwrap_or(0))
}
