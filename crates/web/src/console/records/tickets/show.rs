//! A ticket's page: its thread, the reply form (errors next to the field), the status, priority
//! and assignee form, and delete for admins.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use roster_core::{FieldErrors, TicketAuthor, TicketPriority, TicketStatus};
use roster_service::{NewTicketMessage, ServiceError, TicketMessageView, TicketPatch, TicketView};
use serde::Deserialize;
use uuid::Uuid;

use super::list::member_label;
use crate::AppState;
use crate::console::common::{CsrfForm, PageResult, account_nav, fail, path_id};
use crate::console::records::pickers::{self, Choice};
use crate::console::session::ConsoleUser;
use crate::console::{Nav, PageError};
use crate::extract::ClientMeta;

#[derive(Template, WebTemplate)]
#[template(path = "records/tickets/show.html")]
pub struct TicketPage {
    nav: Nav,
    account_id: Uuid,
    ticket: TicketView,
    messages: Vec<TicketMessageView>,
    /// The contact's name, when the viewer may see it.
    contact: Option<String>,
    members: Vec<Choice>,
    reply: ReplyForm,
    errors: FieldErrors,
    edit_errors: FieldErrors,
    notice: Option<String>,
    statuses: &'static [TicketStatus],
    priorities: &'static [TicketPriority],
}

impl TicketPage {
    fn member(&self, id: &Option<Uuid>) -> String {
        member_label(&self.members, id)
    }

    fn creator(&self) -> String {
        member_label(&self.members, &Some(self.ticket.created_by))
    }

    fn is_assignee(&self, id: &Uuid) -> bool {
        self.ticket.assigned_to == Some(*id)
    }

    fn author(&self, m: &TicketMessageView) -> String {
        let who = member_label(&self.members, &Some(m.user_id));
        match m.author {
            TicketAuthor::Member => who,
            TicketAuthor::Contact => match &self.contact {
                Some(c) => format!("{c} (entered by {who})"),
                None => format!("The contact (entered by {who})"),
            },
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReplyForm {
    csrf: String,
    body: String,
    from_contact: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditForm {
    csrf: String,
    status: String,
    priority: String,
    assigned_to: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    /// What the last action did: `emailed`, `no_email`, `no_contact`, `stored`, `saved`.
    done: String,
}

fn notice_of(done: &str) -> Option<String> {
    match done {
        "emailed" => Some("Reply sent: it is emailed to the contact through the outbox.".to_owned()),
        "no_email" => Some(roster_service::NO_CONTACT_EMAIL.to_owned()),
        "no_contact" => Some(roster_service::NO_CONTACT.to_owned()),
        "stored" => Some("The contact's message is added; the ticket is open again.".to_owned()),
        "saved" => Some("Ticket saved.".to_owned()),
        _ => None,
    }
}

async fn page(
    state: &AppState,
    user: &ConsoleUser,
    account_id: Uuid,
    ticket_id: Uuid,
    reply: ReplyForm,
) -> Result<TicketPage, PageError> {
    let nav = account_nav(state, user, account_id).await?;
    let ticket = state.service.ticket(&user.0, account_id, ticket_id).await.map_err(fail(user))?;
    let messages = state.service.ticket_messages(&user.0, account_id, ticket_id).await.map_err(fail(user))?.items;
    let contact = match ticket.contact_id {
        Some(c) => state.service.get_contact(&user.0, account_id, c).await.ok().map(|c| c.display_name()),
        None => None,
    };
    let members = pickers::members(state, user, account_id, ticket.assigned_to).await.unwrap_or_default();
    Ok(TicketPage {
        nav,
        account_id,
        ticket,
        messages,
        contact,
        members,
        reply,
        errors: FieldErrors::new(),
        edit_errors: FieldErrors::new(),
        notice: None,
        statuses: TicketStatus::ALL,
        priorities: TicketPriority::ALL,
    })
}

fn back(account_id: Uuid, ticket_id: Uuid, done: &str) -> axum::response::Response {
    Redirect::to(&format!("/accounts/{account_id}/tickets/{ticket_id}?done={done}")).into_response()
}

pub async fn show(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((account_id, ticket_id)): Path<(String, String)>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let mut p = page(&state, &user, path_id(&account_id)?, path_id(&ticket_id)?, ReplyForm::default()).await?;
    p.notice = notice_of(&q.done);
    Ok(p.into_response())
}

/// `POST …/tickets/{ticket_id}/reply`: a member's reply, or the contact's message.
pub async fn reply(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, ticket_id)): Path<(String, String)>,
    Form(form): Form<ReplyForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let (account_id, ticket_id) = (path_id(&account_id)?, path_id(&ticket_id)?);
    let input = NewTicketMessage { body: form.body.clone(), from_contact: form.from_contact.is_some() };
    match state.service.reply_to_ticket(&user.0, account_id, ticket_id, &input, &meta).await {
        Ok(r) => {
            let done = match (input.from_contact, r.emailed, r.ticket.contact_id) {
                (true, _, _) => "stored",
                (false, true, _) => "emailed",
                (false, false, None) => "no_contact",
                (false, false, Some(_)) => "no_email",
            };
            Ok(back(account_id, ticket_id, done))
        }
        Err(ServiceError::Invalid(errors)) => {
            let mut p = page(&state, &user, account_id, ticket_id, form).await?;
            p.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(e) => Err(fail(&user)(e)),
    }
}

/// `POST …/tickets/{ticket_id}/edit`: status, priority and assignee.
pub async fn edit(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, ticket_id)): Path<(String, String)>,
    Form(form): Form<EditForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let (account_id, ticket_id) = (path_id(&account_id)?, path_id(&ticket_id)?);
    let mut errs = FieldErrors::new();
    let status = TicketStatus::parse(form.status.trim()).map_err(|_| errs.add("status", "Choose a status.")).ok();
    let priority =
        TicketPriority::parse(form.priority.trim()).map_err(|_| errs.add("priority", "Choose a priority.")).ok();
    let mut patch = TicketPatch { status, priority, ..TicketPatch::default() };
    match form.assigned_to.trim() {
        "" => patch.clear.push("assigned_to".to_owned()),
        raw => match Uuid::parse_str(raw) {
            Ok(id) => patch.assigned_to = Some(id),
            Err(_) => errs.add("assigned_to", "Choose an active member of this account."),
        },
    }
    let result = if errs.is_empty() {
        state.service.update_ticket(&user.0, account_id, ticket_id, &patch, &meta).await.map(|_| ())
    } else {
        Err(ServiceError::Invalid(errs))
    };
    match result {
        Ok(()) => {
            // The ticket may have left the viewer's scope (given to someone else).
            match state.service.ticket(&user.0, account_id, ticket_id).await {
                Ok(_) => Ok(back(account_id, ticket_id, "saved")),
                Err(_) => Ok(Redirect::to(&format!("/accounts/{account_id}/tickets")).into_response()),
            }
        }
        Err(ServiceError::Invalid(errors)) => {
            let mut p = page(&state, &user, account_id, ticket_id, ReplyForm::default()).await?;
            p.edit_errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(e) => Err(fail(&user)(e)),
    }
}

/// `POST …/tickets/{ticket_id}/delete` (admins).
pub async fn delete(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, ticket_id)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let (account_id, ticket_id) = (path_id(&account_id)?, path_id(&ticket_id)?);
    state.service.delete_ticket(&user.0, account_id, ticket_id, &meta).await.map_err(fail(&user))?;
    Ok(Redirect::to(&format!("/accounts/{account_id}/tickets")).into_response())
}
