//! The ticket list and the new-ticket form.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use roster_core::{FieldErrors, TicketPriority, TicketStatus};
use roster_service::{NewTicket, ServiceError, TICKET_COUNT_CAP, TicketListParams, TicketView};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::console::common::{PageResult, account_nav, fail, path_id};
use crate::console::records::pickers::{self, Choice};
use crate::console::session::ConsoleUser;
use crate::console::{Nav, PageError};
use crate::extract::ClientMeta;

/// The list's query as typed (kept in the form and the next page's link).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    status: String,
    assigned_to: String,
    priority: String,
    /// The contact page's "Tickets" link: this contact's tickets.
    contact_id: String,
    sort: String,
    order: String,
    cursor: String,
}

impl ListQuery {
    fn params(&self) -> TicketListParams {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        TicketListParams {
            q: some(&self.q),
            status: some(&self.status),
            assigned_to: some(&self.assigned_to),
            priority: some(&self.priority),
            contact_id: some(&self.contact_id),
            sort: some(&self.sort),
            order: some(&self.order),
            cursor: some(&self.cursor),
            limit: Some(50),
        }
    }

    fn href(&self, account_id: Uuid, status: &str, cursor: &str) -> String {
        let pairs = [
            ("q", self.q.as_str()),
            ("status", status),
            ("assigned_to", self.assigned_to.as_str()),
            ("priority", self.priority.as_str()),
            ("contact_id", self.contact_id.as_str()),
            ("sort", self.sort.as_str()),
            ("order", self.order.as_str()),
            ("cursor", cursor),
        ];
        let query: Vec<String> = pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()))
            .collect();
        format!("/accounts/{account_id}/tickets?{}", query.join("&"))
    }
}

/// One status tab with its count.
pub struct StatusCount {
    pub key: &'static str,
    pub count: String,
    pub href: String,
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "records/tickets/list.html")]
pub struct ListPage {
    nav: Nav,
    account_id: Uuid,
    q: ListQuery,
    items: Vec<TicketView>,
    next: Option<String>,
    counts: Vec<StatusCount>,
    members: Vec<Choice>,
    statuses: &'static [TicketStatus],
    priorities: &'static [TicketPriority],
    error: Option<String>,
}

impl ListPage {
    fn member(&self, id: &Option<Uuid>) -> String {
        member_label(&self.members, id)
    }
}

/// A member's name from the pickers' choices (their id when the viewer may not read the team).
pub(crate) fn member_label(members: &[Choice], id: &Option<Uuid>) -> String {
    match id {
        None => "Nobody".to_owned(),
        Some(id) => members.iter().find(|(m, _)| m == id).map_or_else(|| id.to_string(), |(_, n)| n.clone()),
    }
}

pub async fn list(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(account_id): Path<String>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let account_id = path_id(&account_id)?;
    let nav = account_nav(&state, &user, account_id).await?;
    let params = q.params();
    let members = pickers::members(&state, &user, account_id, None).await.unwrap_or_default();
    let (items, next, error) = match state.service.list_tickets(&user.0, account_id, &params).await {
        Ok(page) => {
            let next = page.next_cursor.map(|c| q.href(account_id, &q.status, &c));
            (page.items, next, None)
        }
        Err(ServiceError::Invalid(errs)) => {
            let message = errs.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join(" ");
            (Vec::new(), None, Some(message))
        }
        Err(e) => return Err(fail(&user)(e)),
    };
    let mut counts = Vec::new();
    if error.is_none() {
        for (s, n) in state.service.ticket_status_counts(&user.0, account_id, &params).await.map_err(fail(&user))? {
            let count = if n > TICKET_COUNT_CAP { format!("{TICKET_COUNT_CAP}+") } else { n.to_string() };
            let href = q.href(account_id, s.as_str(), "");
            counts.push(StatusCount { key: s.as_str(), count, href, current: q.status == s.as_str() });
        }
    }
    Ok(ListPage {
        nav,
        account_id,
        q,
        items,
        next,
        counts,
        members,
        statuses: TicketStatus::ALL,
        priorities: TicketPriority::ALL,
        error,
    }
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewForm {
    csrf: String,
    subject: String,
    contact_id: String,
    assigned_to: String,
    priority: String,
    body: String,
    from_contact: Option<String>,
    contact_q: String,
    find: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "records/tickets/new.html")]
pub struct NewPage {
    nav: Nav,
    account_id: Uuid,
    form: NewForm,
    errors: FieldErrors,
    contacts: Vec<Choice>,
    members: Vec<Choice>,
    priorities: &'static [TicketPriority],
}

async fn new_page(
    state: &AppState,
    user: &ConsoleUser,
    account_id: Uuid,
    form: NewForm,
    errors: FieldErrors,
) -> Result<NewPage, PageError> {
    let nav = account_nav(state, user, account_id).await?;
    let chosen = |s: &str| Uuid::parse_str(s.trim()).ok();
    let contacts = match nav.can.view_contacts() {
        true => pickers::contacts(state, user, account_id, &form.contact_q, chosen(&form.contact_id))
            .await
            .map_err(fail(user))?,
        false => Vec::new(),
    };
    let members = pickers::members(state, user, account_id, chosen(&form.assigned_to)).await.unwrap_or_default();
    Ok(NewPage { nav, account_id, form, errors, contacts, members, priorities: TicketPriority::ALL })
}

pub async fn new_form(State(state): State<AppState>, user: ConsoleUser, Path(account_id): Path<String>) -> PageResult {
    let account_id = path_id(&account_id)?;
    let form = NewForm { priority: TicketPriority::Normal.as_str().to_owned(), ..NewForm::default() };
    Ok(new_page(&state, &user, account_id, form, FieldErrors::new()).await?.into_response())
}

/// `POST /accounts/{id}/tickets`: opens a ticket.
pub async fn create(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(account_id): Path<String>,
    Form(form): Form<NewForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let account_id = path_id(&account_id)?;
    if form.find.is_some() {
        return Ok(new_page(&state, &user, account_id, form, FieldErrors::new()).await?.into_response());
    }
    let mut errs = FieldErrors::new();
    let mut id = |raw: &str, field: &str| {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        Uuid::parse_str(raw).map_err(|_| errs.add(field, "Choose one from the list.")).ok()
    };
    let contact_id = id(&form.contact_id, "contact_id");
    let assigned_to = id(&form.assigned_to, "assigned_to");
    let priority = match TicketPriority::parse(form.priority.trim()) {
        Ok(p) => Some(p),
        Err(_) => {
            errs.add("priority", "Use low, normal, high or urgent.");
            None
        }
    };
    if !errs.is_empty() {
        let page = new_page(&state, &user, account_id, form, errs).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let input = NewTicket {
        subject: form.subject.clone(),
        contact_id,
        priority,
        assigned_to,
        body: Some(form.body.clone()).filter(|b| !b.trim().is_empty()),
        from_contact: form.from_contact.is_some(),
    };
    match state.service.create_ticket(&user.0, account_id, &input, &meta).await {
        Ok(t) => Ok(Redirect::to(&format!("/accounts/{account_id}/tickets/{}", t.id)).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let page = new_page(&state, &user, account_id, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(fail(&user)(e)),
    }
}
