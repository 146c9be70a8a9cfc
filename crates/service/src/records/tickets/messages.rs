//! A ticket's thread (R-TKT-1). A member's reply sets the ticket `answered` and emails the
//! ticket's contact through the outbox (template `ticket_reply`, the number in its subject); a
//! message from the contact's side (entered by a member, `from_contact`) sets it `open` again.
use roster_core::{AuditAction, FieldErrors, TicketAuthor, TicketStatus, scope};
use roster_mail::TemplateName;
use roster_store::TicketMessageRow;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::BODY_MAX;
use super::edit::checked_text;
use super::view::{TicketMessagePage, TicketMessageView, TicketReplyView, TicketView};
use crate::mail::{Mail, Sender};
use crate::signin::{Principal, audit};
use crate::{Meta, Result, Service, ServiceError, actor, now};

/// The most messages a thread shows.
pub const THREAD_MAX: i64 = 500;

/// Said when a member's reply could not be emailed because the contact has no address.
pub const NO_CONTACT_EMAIL: &str = "The contact has no email address: the reply is stored, no email was sent.";
/// Said when a member's reply could not be emailed because the ticket has no contact.
pub const NO_CONTACT: &str = "This ticket has no contact: the reply is stored, no email was sent.";

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTicketMessage {
    pub body: String,
    /// The contact's message, entered by a member on their behalf: it re-opens the ticket and
    /// is not emailed.
    #[serde(default)]
    pub from_contact: bool,
}

impl Service {
    /// A ticket's thread, oldest first (at most [`THREAD_MAX`]).
    pub async fn ticket_messages(&self, p: &Principal, account_id: Uuid, ticket_id: Uuid) -> Result<TicketMessagePage> {
        let mut tx = self.store.read().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let scope = scope(&actor, account_id, scope::TICKETS)?;
        tx.ticket(&scope, ticket_id).await?.ok_or(ServiceError::NotFound)?;
        let items = tx.ticket_messages(&scope, ticket_id, THREAD_MAX).await?;
        Ok(TicketMessagePage { items: items.into_iter().map(TicketMessageView::from).collect() })
    }

    /// Adds a message to a ticket in the caller's scope; a member's reply is emailed to the
    /// contact in the same unit of work (or the answer says why not).
    pub async fn reply_to_ticket(
        &self,
        p: &Principal,
        account_id: Uuid,
        ticket_id: Uuid,
        input: &NewTicketMessage,
        meta: &Meta,
    ) -> Result<TicketReplyView> {
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let scope = scope(&actor, account_id, scope::TICKETS)?;
        let mut ticket = tx.ticket(&scope, ticket_id).await?.ok_or(ServiceError::NotFound)?;
        let mut errs = FieldErrors::new();
        let body = checked_text("body", &input.body, BODY_MAX, &mut errs);
        if input.from_contact && ticket.contact_id.is_none() {
            errs.add("from_contact", "This ticket has no contact to write for.");
        }
        let (Some(body), true) = (body, errs.is_empty()) else {
            return Err(ServiceError::Invalid(errs));
        };
        let at = now();
        let author = if input.from_contact { TicketAuthor::Contact } else { TicketAuthor::Member };
        let mut warning = None;
        let mut emailed_to = None;
        if author == TicketAuthor::Member {
            let contact = match ticket.contact_id {
                Some(c) => {
                    let all = scope::internal(account_id, scope::InternalUse::TicketMail);
                    tx.contact(&all, c).await?
                }
                None => None,
            };
            match contact {
                None => warning = Some(NO_CONTACT.to_owned()),
                Some(c) => match c.email.clone() {
                    None => warning = Some(NO_CONTACT_EMAIL.to_owned()),
                    Some(to) => {
                        let account = tx.account_by_id(account_id).await?.ok_or(ServiceError::NotFound)?;
                        let name = format!("{} {}", p.user.first_name, p.user.last_name).trim().to_owned();
                        let context = json!({
                            "contact": { "first_name": c.first_name, "last_name": c.last_name },
                            "account": { "name": account.name },
                            "sender": { "name": name },
                            "ticket": { "number": ticket.number, "subject": ticket.subject },
                            "message": body,
                        });
                        let mail = Mail {
                            account: Some(&account),
                            template: TemplateName::TicketReply,
                            to: &to,
                            context,
                            sender: Sender::User { name: &name, email: &p.user.email },
                            bcc: None,
                        };
                        self.enqueue_email(tx.as_mut(), mail).await?;
                        emailed_to = Some(to);
                    }
                },
            }
        }
        let m = TicketMessageRow {
            id: Uuid::now_v7(),
            account_id,
            ticket_id,
            author,
            user_id: p.user.id,
            body,
            emailed_to,
            created_at: at,
        };
        if tx.insert_ticket_message(&scope, &m).await? == 0 {
            return Err(ServiceError::NotFound);
        }
        ticket.status = if author == TicketAuthor::Member { TicketStatus::Answered } else { TicketStatus::Open };
        ticket.updated_at = at;
        tx.update_ticket(&scope, &ticket).await?;
        let mut a =
            audit(AuditAction::TicketReplied, p.who(), Some(account_id), ("ticket", ticket_id.to_string()), meta);
        a.details = p.who().details(Some(json!({
            "author": author.as_str(),
            "status": ticket.status.as_str(),
            "emailed": m.emailed_to.is_some(),
        })));
        tx.insert_audit(&a).await?;
        tx.commit().await?;
        let emailed = m.emailed_to.is_some();
        if emailed {
            self.mail_enqueued();
        }
        Ok(TicketReplyView { message: TicketMessageView::from(m), ticket: TicketView::from(ticket), emailed, warning })
    }
}
