//! Support tickets (R-TKT-1): the SQL. A ticket is in a scope when it is the scope's account's
//! and, for `Reach::Own`, assigned to the scope's member; a message when its ticket is.
use roster_core::{Reach, Scope, TicketAuthor, TicketPriority, TicketStatus};
use uuid::Uuid;

use super::super::driver::{SqlTx, get, to_db};
use super::super::{DbRow, catalogued, time, uuid};
use super::scope_args;
use crate::{Result, StoreError, TicketFilter, TicketMessageRow, TicketQuery, TicketRow};

mod list;

const TICKET_COLS: &str = "t.id, t.account_id, t.number, t.subject, t.contact_id, t.status, t.priority, \
     t.assigned_to, t.opened_by, t.created_by, t.created_at, t.updated_at";
const MESSAGE_COLS: &str = "m.id, m.account_id, m.ticket_id, m.author, m.user_id, m.body, m.emailed_to, m.created_at";

/// The scope's condition over `tickets t`, with `$1, $2, $3` from `scope_args`. An `Own` scope
/// is its own statement (the assignee's index range), as for contacts (decision 0092).
fn in_scope(scope: &Scope) -> &'static str {
    match scope.reach() {
        Reach::All => "t.account_id = $1 AND ($2 OR t.assigned_to = $3)",
        Reach::Own(_) | Reach::OwnAndProjects(_) => "t.account_id = $1 AND t.assigned_to = $3 AND NOT $2",
    }
}

fn ticket_from_row(r: &DbRow<'_>) -> Result<TicketRow> {
    Ok(TicketRow {
        id: uuid(r, "id")?,
        account_id: uuid(r, "account_id")?,
        number: get(r, "number")?,
        subject: get(r, "subject")?,
        contact_id: get(r, "contact_id")?,
        status: catalogued(r, "status", TicketStatus::parse)?,
        priority: catalogued(r, "priority", TicketPriority::parse)?,
        assigned_to: get(r, "assigned_to")?,
        opened_by: catalogued(r, "opened_by", TicketAuthor::parse)?,
        created_by: uuid(r, "created_by")?,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
    })
}

fn message_from_row(r: &DbRow<'_>) -> Result<TicketMessageRow> {
    Ok(TicketMessageRow {
        id: uuid(r, "id")?,
        account_id: uuid(r, "account_id")?,
        ticket_id: uuid(r, "ticket_id")?,
        author: catalogued(r, "author", TicketAuthor::parse)?,
        user_id: uuid(r, "user_id")?,
        body: get(r, "body")?,
        emailed_to: get(r, "emailed_to")?,
        created_at: time(r, "created_at")?,
    })
}

fn ids(r: &DbRow<'_>) -> Result<Uuid> {
    get::<Uuid>(r, "id")
}

#[async_trait::async_trait]
impl crate::TicketRepo for SqlTx {
    async fn take_ticket_numbers(&mut self, scope: &Scope, count: i64) -> Result<i64> {
        self.exec(
            "INSERT INTO ticket_numbers (account_id, last_number) VALUES ($1, 0) ON CONFLICT (account_id) DO NOTHING",
            args![scope.account_id()],
        )
        .await?;
        let n = self
            .all(
                "UPDATE ticket_numbers SET last_number = last_number + $2 WHERE account_id = $1 RETURNING last_number",
                args![scope.account_id(), count.max(1)],
                |r| get::<i64>(r, "last_number"),
            )
            .await?;
        let last = n.first().copied().ok_or_else(|| StoreError::Database("no ticket number".into()))?;
        Ok(last - count.max(1) + 1)
    }

    async fn insert_ticket(&mut self, scope: &Scope, row: &TicketRow) -> Result<()> {
        let own_ok = match scope.reach() {
            Reach::All => true,
            Reach::Own(me) | Reach::OwnAndProjects(me) => row.assigned_to == Some(me),
        };
        if row.account_id != scope.account_id() || !own_ok {
            return Err(StoreError::Database("a ticket is added in its scope".into()));
        }
        self.exec(
            "INSERT INTO tickets (id, account_id, number, subject, sort_subject, contact_id, status, priority, \
             assigned_to, opened_by, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            args![
                row.id,
                row.account_id,
                row.number,
                row.subject,
                row.subject.to_lowercase(),
                row.contact_id,
                row.status.as_str(),
                row.priority.as_str(),
                row.assigned_to,
                row.opened_by.as_str(),
                row.created_by,
                to_db(row.created_at),
                to_db(row.updated_at)
            ],
        )
        .await?;
        Ok(())
    }

    async fn ticket(&mut self, scope: &Scope, id: Uuid) -> Result<Option<TicketRow>> {
        let (a, all, me) = scope_args(scope);
        let sql = format!("SELECT {TICKET_COLS} FROM tickets t WHERE {} AND t.id = $4", in_scope(scope));
        Ok(self.all_dyn(&sql, true, args![a, all, me, id], ticket_from_row).await?.into_iter().next())
    }

    async fn list_tickets(&mut self, scope: &Scope, q: &TicketQuery, limit: i64) -> Result<Vec<TicketRow>> {
        list::page(self, scope, q, limit).await
    }

    async fn count_tickets(&mut self, scope: &Scope, f: &TicketFilter, cap: i64) -> Result<i64> {
        list::count(self, scope, f, cap).await
    }

    async fn update_ticket(&mut self, scope: &Scope, row: &TicketRow) -> Result<u64> {
        let (a, all, me) = scope_args(scope);
        let sql = format!(
            "UPDATE tickets SET subject = $5, sort_subject = $6, contact_id = $7, status = $8, priority = $9, \
             assigned_to = $10, updated_at = $11 WHERE id IN (SELECT t.id FROM tickets t WHERE {} AND t.id = $4) \
             RETURNING id",
            in_scope(scope)
        );
        let n = self
            .all_dyn(
                &sql,
                true,
                args![
                    a,
                    all,
                    me,
                    row.id,
                    row.subject,
                    row.subject.to_lowercase(),
                    row.contact_id,
                    row.status.as_str(),
                    row.priority.as_str(),
                    row.assigned_to,
                    to_db(row.updated_at)
                ],
                ids,
            )
            .await?;
        Ok(n.len() as u64)
    }

    async fn delete_ticket(&mut self, scope: &Scope, id: Uuid) -> Result<u64> {
        let (a, all, me) = scope_args(scope);
        let sql = format!(
            "DELETE FROM tickets WHERE id IN (SELECT t.id FROM tickets t WHERE {} AND t.id = $4) RETURNING id",
            in_scope(scope)
        );
        Ok(self.all_dyn(&sql, true, args![a, all, me, id], ids).await?.len() as u64)
    }

    async fn insert_ticket_message(&mut self, scope: &Scope, row: &TicketMessageRow) -> Result<u64> {
        if row.account_id != scope.account_id() {
            return Err(StoreError::Database("a message is added in its scope's account".into()));
        }
        let (a, all, me) = scope_args(scope);
        let sql = format!(
            "INSERT INTO ticket_messages (id, account_id, ticket_id, author, user_id, body, emailed_to, created_at) \
             SELECT $4, t.account_id, t.id, $5, $6, $7, $8, $9 FROM tickets t WHERE {} AND t.id = $10 RETURNING id",
            in_scope(scope)
        );
        let n = self
            .all_dyn(
                &sql,
                true,
                args![
                    a,
                    all,
                    me,
                    row.id,
                    row.author.as_str(),
                    row.user_id,
                    row.body,
                    row.emailed_to,
                    to_db(row.created_at),
                    row.ticket_id
                ],
                ids,
            )
            .await?;
        Ok(n.len() as u64)
    }

    async fn ticket_messages(&mut self, scope: &Scope, ticket_id: Uuid, limit: i64) -> Result<Vec<TicketMessageRow>> {
        let (a, all, me) = scope_args(scope);
        let sql = format!(
            "SELECT {MESSAGE_COLS} FROM ticket_messages m JOIN tickets t ON t.account_id = m.account_id \
             AND t.id = m.ticket_id WHERE {} AND t.id = $4 AND m.ticket_id = $4 \
             ORDER BY m.created_at, m.id LIMIT $5",
            in_scope(scope)
        );
        self.all_dyn(&sql, true, args![a, all, me, ticket_id, limit], message_from_row).await
    }
}
