//! Opening, reading, changing and deleting tickets. Opening needs `tickets.view_open`; reading
//! and changing need the ticket in the caller's scope; deleting is an admin's act.
use roster_core::{
    Action, AuditAction, FieldErrors, Scope, TicketAuthor, TicketPriority, TicketStatus, authorize, scope,
};
use roster_store::{TicketMessageRow, TicketRow, Tx};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::view::TicketView;
use super::{BODY_MAX, SUBJECT_MAX};
use crate::records::projects::{check_active_member, check_contact};
use crate::signin::{Principal, audit};
use crate::{Meta, Result, Service, ServiceError, actor, now};

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    pub subject: String,
    pub contact_id: Option<Uuid>,
    /// `normal` when absent.
    pub priority: Option<TicketPriority>,
    /// An active member of the account.
    pub assigned_to: Option<Uuid>,
    /// The first message of the thread, if any.
    pub body: Option<String>,
    /// Opened on the contact's behalf (needs `contact_id`): the ticket and its first message are
    /// the contact's.
    #[serde(default)]
    pub from_contact: bool,
}

/// What `PATCH /tickets/{id}` changes; absent fields stay; `clear` names the links to remove
/// (`assigned_to`, `contact_id`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketPatch {
    pub subject: Option<String>,
    pub status: Option<TicketStatus>,
    pub priority: Option<TicketPriority>,
    pub assigned_to: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    #[serde(default)]
    pub clear: Vec<String>,
}

/// Trimmed text of 1..=`max` characters, plain (no control characters).
pub(crate) fn checked_text(field: &str, raw: &str, max: usize, errs: &mut FieldErrors) -> Option<String> {
    let text = raw.trim();
    if text.is_empty() {
        errs.add(field, "Enter some text.");
        None
    } else if text.chars().count() > max {
        errs.add(field, format!("Use at most {max} characters."));
        None
    } else if (field == "subject" && !roster_core::is_plain_text(text))
        || text.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        errs.add(field, roster_core::NOT_PLAIN_TEXT);
        None
    } else {
        Some(text.to_owned())
    }
}

async fn check_links(
    tx: &mut dyn Tx,
    scope: &Scope,
    contact: Option<Uuid>,
    assignee: Option<Uuid>,
    errs: &mut FieldErrors,
) -> Result<()> {
    if let Some(c) = contact {
        check_contact(tx, scope, "contact_id", c, errs).await?;
    }
    if let Some(a) = assignee {
        check_active_member(tx, scope, "assigned_to", a, errs).await?;
    }
    Ok(())
}

impl Service {
    /// Opens a ticket (R-TKT-1): number taken in the same unit of work, status `open`.
    pub async fn create_ticket(
        &self,
        p: &Principal,
        account_id: Uuid,
        input: &NewTicket,
        meta: &Meta,
    ) -> Result<TicketView> {
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::OpenTickets(account_id))?;
        let scope = scope(&actor, account_id, scope::TICKETS)?;
        let mut errs = FieldErrors::new();
        let subject = checked_text("subject", &input.subject, SUBJECT_MAX, &mut errs);
        let body = match input.body.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
            Some(b) => checked_text("body", b, BODY_MAX, &mut errs).map(Some),
            None => Some(None),
        };
        if input.from_contact && input.contact_id.is_none() {
            errs.add("from_contact", "Choose the contact the ticket is from.");
        }
        check_links(tx.as_mut(), &scope, input.contact_id, input.assigned_to, &mut errs).await?;
        let (Some(subject), Some(body), true) = (subject, body, errs.is_empty()) else {
            return Err(ServiceError::Invalid(errs));
        };
        let at = now();
        let author = if input.from_contact { TicketAuthor::Contact } else { TicketAuthor::Member };
        let row = TicketRow {
            id: Uuid::now_v7(),
            account_id,
            number: tx.next_ticket_number(&scope).await?,
            subject,
            contact_id: input.contact_id,
            status: TicketStatus::Open,
            priority: input.priority.unwrap_or(TicketPriority::Normal),
            assigned_to: input.assigned_to,
            opened_by: author,
            created_by: p.user.id,
            created_at: at,
            updated_at: at,
        };
        tx.insert_ticket(&scope, &row).await?;
        if let Some(body) = body {
            let m = TicketMessageRow {
                id: Uuid::now_v7(),
                account_id,
                ticket_id: row.id,
                author,
                user_id: p.user.id,
                body,
                emailed_to: None,
                created_at: at,
            };
            tx.insert_ticket_message(&scope, &m).await?;
        }
        let mut a = audit(AuditAction::TicketOpened, p.who(), Some(account_id), ("ticket", row.id.to_string()), meta);
        a.details = p.who().details(Some(json!({ "number": row.number, "opened_by": author.as_str() })));
        tx.insert_audit(&a).await?;
        tx.commit().await?;
        Ok(TicketView::from(row))
    }

    pub async fn ticket(&self, p: &Principal, account_id: Uuid, ticket_id: Uuid) -> Result<TicketView> {
        let mut tx = self.store.read().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let scope = scope(&actor, account_id, scope::TICKETS)?;
        Ok(TicketView::from(tx.ticket(&scope, ticket_id).await?.ok_or(ServiceError::NotFound)?))
    }

    /// Changes subject, status, priority, assignee or contact of a ticket in the caller's scope;
    /// the audit row names what changed.
    pub async fn update_ticket(
        &self,
        p: &Principal,
        account_id: Uuid,
        ticket_id: Uuid,
        patch: &TicketPatch,
        meta: &Meta,
    ) -> Result<TicketView> {
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let scope = scope(&actor, account_id, scope::TICKETS)?;
        let before = tx.ticket(&scope, ticket_id).await?.ok_or(ServiceError::NotFound)?;
        let mut row = before.clone();
        let mut errs = FieldErrors::new();
        if let Some(s) = &patch.subject
            && let Some(s) = checked_text("subject", s, SUBJECT_MAX, &mut errs)
        {
            row.subject = s;
        }
        for c in &patch.clear {
            match c.as_str() {
                "assigned_to" => row.assigned_to = None,
                "contact_id" => row.contact_id = None,
                _ => errs.add("clear", "Name assigned_to or contact_id."),
            }
        }
        check_links(tx.as_mut(), &scope, patch.contact_id, patch.assigned_to, &mut errs).await?;
        if !errs.is_empty() {
            return Err(ServiceError::Invalid(errs));
        }
        row.assigned_to = patch.assigned_to.or(row.assigned_to);
        row.contact_id = patch.contact_id.or(row.contact_id);
        row.status = patch.status.unwrap_or(row.status);
        row.priority = patch.priority.unwrap_or(row.priority);
        let mut changed = serde_json::Map::new();
        if row.subject != before.subject {
            changed.insert("subject".into(), json!(row.subject));
        }
        if row.status != before.status {
            changed.insert("status".into(), json!(row.status.as_str()));
        }
        if row.priority != before.priority {
            changed.insert("priority".into(), json!(row.priority.as_str()));
        }
        if row.assigned_to != before.assigned_to {
            changed.insert("assigned_to".into(), json!(row.assigned_to));
        }
        if row.contact_id != before.contact_id {
            changed.insert("contact_id".into(), json!(row.contact_id));
        }
        if changed.is_empty() {
            return Ok(TicketView::from(before));
        }
        row.updated_at = now();
        if tx.update_ticket(&scope, &row).await? == 0 {
            return Err(ServiceError::NotFound);
        }
        let mut a =
            audit(AuditAction::TicketUpdated, p.who(), Some(account_id), ("ticket", ticket_id.to_string()), meta);
        a.details = p.who().details(Some(serde_json::Value::Object(changed)));
        tx.insert_audit(&a).await?;
        tx.commit().await?;
        Ok(TicketView::from(row))
    }

    /// Deletes a ticket and its thread (R-TKT-1): admins only (`account.settings`).
    pub async fn delete_ticket(&self, p: &Principal, account_id: Uuid, ticket_id: Uuid, meta: &Meta) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let scope = scope(&actor, account_id, scope::TICKETS)?;
        let ticket = tx.ticket(&scope, ticket_id).await?.ok_or(ServiceError::NotFound)?;
        authorize(&actor, Action::DeleteTickets(account_id))?;
        if tx.delete_ticket(&scope, ticket_id).await? == 0 {
            return Err(ServiceError::NotFound);
        }
        let mut a =
            audit(AuditAction::TicketDeleted, p.who(), Some(account_id), ("ticket", ticket_id.to_string()), meta);
        a.details = p.who().details(Some(json!({ "number": ticket.number, "subject": ticket.subject })));
        tx.insert_audit(&a).await?;
        tx.commit().await?;
        Ok(())
    }
}
