//! Support tickets and their messages (R-TKT-1, decision 0098). `Reach::Own` is "the tickets
//! assigned to me"; a message is in the scope when its ticket is.
use async_trait::async_trait;
use roster_core::{Scope, TicketAuthor, TicketPriority, TicketStatus};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Result;

/// One ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRow {
    pub id: Uuid,
    pub account_id: Uuid,
    /// 1, 2, 3… per account (shown as `#12`), from [`TicketRepo::next_ticket_number`].
    pub number: i64,
    pub subject: String,
    pub contact_id: Option<Uuid>,
    pub status: TicketStatus,
    pub priority: TicketPriority,
    pub assigned_to: Option<Uuid>,
    /// A member, or the contact (entered by `created_by` on their behalf).
    pub opened_by: TicketAuthor,
    pub created_by: Uuid,
    pub created_at: OffsetDateTime,
    /// The last change or message.
    pub updated_at: OffsetDateTime,
}

/// One message of a ticket's thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketMessageRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub ticket_id: Uuid,
    pub author: TicketAuthor,
    /// The member who wrote it, or entered it for the contact.
    pub user_id: Uuid,
    pub body: String,
    /// The address the reply was emailed to; `None`: no email (the contact has none, or the
    /// message is the contact's).
    pub emailed_to: Option<String>,
    pub created_at: OffsetDateTime,
}

/// What a ticket list is ordered by; the id ends every order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TicketSort {
    /// The ticket number (creation order).
    #[default]
    Number,
    /// The last change or message.
    Updated,
}

impl TicketSort {
    pub const ALL: [TicketSort; 2] = [TicketSort::Number, TicketSort::Updated];

    pub fn key(self) -> &'static str {
        match self {
            TicketSort::Number => "number",
            TicketSort::Updated => "updated_at",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.key() == s)
    }
}

/// The filters of a list or count; always inside the caller's scope.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TicketFilter {
    /// Lowercased text found in the subject.
    pub text: Option<String>,
    /// One ticket number (`q=#12` or `q=12`).
    pub number: Option<i64>,
    pub status: Option<TicketStatus>,
    pub priority: Option<TicketPriority>,
    pub assigned_to: Option<Uuid>,
    pub contact_id: Option<Uuid>,
}

/// The position of a ticket in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketKey {
    pub number: i64,
    pub updated_at: OffsetDateTime,
    pub id: Uuid,
}

impl From<&TicketRow> for TicketKey {
    fn from(t: &TicketRow) -> Self {
        TicketKey { number: t.number, updated_at: t.updated_at, id: t.id }
    }
}

/// One page request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TicketQuery {
    pub filter: TicketFilter,
    pub sort: TicketSort,
    pub descending: bool,
    pub after: Option<TicketKey>,
}

#[async_trait]
pub trait TicketRepo: Send {
    /// The next ticket number of the scope's account, taken in this unit of work: the counter
    /// row stays locked until commit, so two tickets never get one number.
    async fn next_ticket_number(&mut self, scope: &Scope) -> Result<i64> {
        self.take_ticket_numbers(scope, 1).await
    }
    /// Takes `n` consecutive numbers at once (the demo's bulk fill): the first of them.
    async fn take_ticket_numbers(&mut self, scope: &Scope, n: i64) -> Result<i64>;
    /// Inserts a ticket of the scope's account (an `Own` scope only one assigned to its member).
    async fn insert_ticket(&mut self, scope: &Scope, row: &TicketRow) -> Result<()>;
    async fn ticket(&mut self, scope: &Scope, id: Uuid) -> Result<Option<TicketRow>>;
    /// One page in the query's order.
    async fn list_tickets(&mut self, scope: &Scope, q: &TicketQuery, limit: i64) -> Result<Vec<TicketRow>>;
    /// How many tickets match, counting at most `cap + 1`.
    async fn count_tickets(&mut self, scope: &Scope, f: &TicketFilter, cap: i64) -> Result<i64>;
    /// Subject, contact, status, priority, assignee and `updated_at` of a ticket in the scope.
    async fn update_ticket(&mut self, scope: &Scope, row: &TicketRow) -> Result<u64>;
    /// Deletes a ticket in the scope with its messages: rows deleted.
    async fn delete_ticket(&mut self, scope: &Scope, id: Uuid) -> Result<u64>;
    /// Adds a message to a ticket in the scope: rows inserted (0 when it is not in it).
    async fn insert_ticket_message(&mut self, scope: &Scope, row: &TicketMessageRow) -> Result<u64>;
    /// A ticket's thread, oldest first, at most `limit`; empty when the ticket is not in the scope.
    async fn ticket_messages(&mut self, scope: &Scope, ticket_id: Uuid, limit: i64) -> Result<Vec<TicketMessageRow>>;
}
