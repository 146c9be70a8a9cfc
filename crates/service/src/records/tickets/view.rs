//! What the API and the console show of tickets and their messages.
use roster_core::{TicketAuthor, TicketPriority, TicketStatus};
use roster_store::{TicketMessageRow, TicketRow};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketView {
    pub id: Uuid,
    /// The ticket's number in the account, shown as `#12`.
    pub number: i64,
    pub subject: String,
    pub contact_id: Option<Uuid>,
    pub status: TicketStatus,
    pub priority: TicketPriority,
    pub assigned_to: Option<Uuid>,
    /// `member`, or `contact` when a member opened it on the contact's behalf.
    pub opened_by: TicketAuthor,
    /// The member who opened it (or entered it for the contact).
    pub created_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<TicketRow> for TicketView {
    fn from(t: TicketRow) -> Self {
        TicketView {
            id: t.id,
            number: t.number,
            subject: t.subject,
            contact_id: t.contact_id,
            status: t.status,
            priority: t.priority,
            assigned_to: t.assigned_to,
            opened_by: t.opened_by,
            created_by: t.created_by,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketPage {
    pub items: Vec<TicketView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketMessageView {
    pub id: Uuid,
    pub ticket_id: Uuid,
    /// `member`, or `contact` (entered by a member on the contact's behalf).
    pub author: TicketAuthor,
    /// The member who wrote it or entered it.
    pub user_id: Uuid,
    pub body: String,
    /// The address the reply was emailed to; `null`: no email went out.
    pub emailed_to: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<TicketMessageRow> for TicketMessageView {
    fn from(m: TicketMessageRow) -> Self {
        TicketMessageView {
            id: m.id,
            ticket_id: m.ticket_id,
            author: m.author,
            user_id: m.user_id,
            body: m.body,
            emailed_to: m.emailed_to,
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketMessagePage {
    pub items: Vec<TicketMessageView>,
}

/// What a new message did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketReplyView {
    pub message: TicketMessageView,
    /// The ticket as it stands after the message (its status).
    pub ticket: TicketView,
    /// True when the reply was put in the outbox for the contact.
    pub emailed: bool,
    /// Why no email went out, when a member's reply was not emailed.
    pub warning: Option<String>,
}
