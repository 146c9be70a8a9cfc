//! The contact form: `GET …/contacts/new`, `POST …/contacts` (create), `GET …/{id}/edit`,
//! `POST …/{id}` (save). Refusals come back on the form, each next to its field (422).
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use roster_core::FieldErrors;
use roster_service::ServiceError;
use roster_service::contacts::{ContactInput, ContactView};
use uuid::Uuid;

use super::list::{kinds, stages};
use crate::AppState;
use crate::console::common::{PageResult, account_nav, fail, path_id};
use crate::console::records::pickers::{self, Choice};
use crate::console::session::ConsoleUser;
use crate::console::team::rights_form::field;
use crate::console::{Nav, PageError};
use crate::extract::ClientMeta;

/// The form's fields as text.
#[derive(Default, Clone)]
pub struct Fields {
    pub kind: String,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    /// One address per line.
    pub emails: String,
    pub phones: String,
    pub address: String,
    pub notes: String,
    /// Comma-separated.
    pub tags: String,
    pub stage: String,
    pub assigned_to: String,
    pub hidden: bool,
    pub follow_up_on: String,
}

impl Fields {
    fn of(c: &ContactView) -> Self {
        Fields {
            kind: c.kind.as_str().to_owned(),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            company: c.company.clone().unwrap_or_default(),
            emails: c.emails.join("\n"),
            phones: c.phones.join("\n"),
            address: c.address.clone().unwrap_or_default(),
            notes: c.notes.clone().unwrap_or_default(),
            tags: c.tags.join(", "),
            stage: c.stage.as_str().to_owned(),
            assigned_to: c.assigned_to.map(|a| a.to_string()).unwrap_or_default(),
            hidden: c.hidden_from_client_list,
            follow_up_on: c.follow_up_on.clone().unwrap_or_default(),
        }
    }

    fn from_form(pairs: &[(String, String)]) -> Self {
        let f = |k: &str| field(pairs, k).to_owned();
        Fields {
            kind: f("type"),
            first_name: f("first_name"),
            last_name: f("last_name"),
            company: f("company"),
            emails: f("emails"),
            phones: f("phones"),
            address: f("address"),
            notes: f("notes"),
            tags: f("tags"),
            stage: f("stage"),
            assigned_to: f("assigned_to"),
            hidden: !field(pairs, "hidden").is_empty(),
            follow_up_on: f("follow_up_on"),
        }
    }

    fn input(&self) -> ContactInput {
        let list = |s: &str, sep: char| -> Vec<String> {
            s.split(sep).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned).collect()
        };
        ContactInput {
            kind: Some(self.kind.clone()),
            first_name: Some(self.first_name.clone()),
            last_name: Some(self.last_name.clone()),
            company: Some(self.company.clone()),
            emails: Some(list(&self.emails, '\n')),
            phones: Some(list(&self.phones, '\n')),
            address: Some(self.address.clone()),
            notes: Some(self.notes.clone()),
            tags: Some(list(&self.tags, ',')),
            stage: Some(self.stage.clone()),
            assigned_to: Some(Some(self.assigned_to.clone())),
            hidden_from_client_list: Some(self.hidden),
            follow_up_on: Some(self.follow_up_on.clone()),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "records/contacts/form.html")]
pub struct FormPage {
    nav: Nav,
    account_id: Uuid,
    /// `None`: a new contact.
    contact_id: Option<Uuid>,
    f: Fields,
    kinds: Vec<&'static str>,
    stages: Vec<&'static str>,
    errors: FieldErrors,
    alert: Option<String>,
    /// `(name, label, value)` of the one-line inputs and of the text areas.
    inputs: Vec<(&'static str, &'static str, String)>,
    text_areas: Vec<(&'static str, &'static str, String)>,
    /// The active members to assign to; `None`: a text box for a member id (the viewer may not
    /// read the team, or it has more than the picker lists).
    assignees: Option<Vec<Choice>>,
}

async fn form(
    state: &AppState,
    user: &ConsoleUser,
    account_id: Uuid,
    contact_id: Option<Uuid>,
    f: Fields,
) -> Result<FormPage, PageError> {
    let nav = account_nav(state, user, account_id).await?;
    let inputs = vec![
        ("first_name", "First name", f.first_name.clone()),
        ("last_name", "Last name", f.last_name.clone()),
        ("company", "Company", f.company.clone()),
        ("tags", "Tags (comma-separated)", f.tags.clone()),
        ("follow_up_on", "Follow up on (YYYY-MM-DD)", f.follow_up_on.clone()),
    ];
    let current = Uuid::parse_str(f.assigned_to.trim()).ok();
    // Without contacts.view_all a member assigns only to themselves (decision 0078): offer no more.
    let assignees = if super::list::holds(state, user, account_id, roster_core::Permission::ContactsViewAll).await {
        pickers::members(state, user, account_id, current).await
    } else {
        let me = user.0.user();
        let mut choices = vec![(me.id, format!("{} {} (me)", me.first_name, me.last_name).trim().to_owned())];
        if let Some(c) = current.filter(|c| *c != me.id) {
            choices.push((c, c.to_string()));
        }
        Some(choices)
    };
    let text_areas = vec![
        ("emails", "Emails (one per line)", f.emails.clone()),
        ("phones", "Phones (one per line)", f.phones.clone()),
        ("address", "Address", f.address.clone()),
        ("notes", "Notes", f.notes.clone()),
    ];
    Ok(FormPage {
        nav,
        account_id,
        contact_id,
        f,
        kinds: kinds(),
        stages: stages(),
        errors: FieldErrors::new(),
        alert: None,
        inputs,
        text_areas,
        assignees,
    })
}

/// `GET /accounts/{id}/contacts/new`
pub async fn new(State(state): State<AppState>, user: ConsoleUser, Path(account_id): Path<String>) -> PageResult {
    let account_id = path_id(&account_id)?;
    let f = Fields {
        kind: "client".into(),
        stage: "new".into(),
        assigned_to: user.0.user().id.to_string(),
        ..Fields::default()
    };
    Ok(form(&state, &user, account_id, None, f).await?.into_response())
}

/// `GET /accounts/{id}/contacts/{contact_id}/edit`
pub async fn edit(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((account_id, contact_id)): Path<(String, String)>,
) -> PageResult {
    let account_id = path_id(&account_id)?;
    let contact_id = path_id(&contact_id)?;
    let c = state.service.get_contact(&user.0, account_id, contact_id).await.map_err(fail(&user))?;
    Ok(form(&state, &user, account_id, Some(contact_id), Fields::of(&c)).await?.into_response())
}

/// The form again with the refusal: field errors next to their fields, the rest as one alert.
async fn refused(
    state: &AppState,
    user: &ConsoleUser,
    account_id: Uuid,
    contact_id: Option<Uuid>,
    f: Fields,
    e: ServiceError,
) -> PageResult {
    let (errors, alert) = match e {
        ServiceError::Invalid(errors) => (errors, None),
        ServiceError::Forbidden(p) => (FieldErrors::new(), Some(format!("You need the {} permission.", p.id()))),
        other => return Err(fail(user)(other)),
    };
    let mut page = form(state, user, account_id, contact_id, f).await?;
    page.errors = errors;
    page.alert = alert;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /accounts/{id}/contacts`
pub async fn create(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(account_id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    user.check_csrf(field(&pairs, "csrf"))?;
    let account_id = path_id(&account_id)?;
    let f = Fields::from_form(&pairs);
    match state.service.create_contact(&user.0, account_id, &f.input(), &meta).await {
        Ok(c) => Ok(Redirect::to(&format!("/accounts/{account_id}/contacts/{}?done=created", c.id)).into_response()),
        Err(e) => refused(&state, &user, account_id, None, f, e).await,
    }
}

/// `POST /accounts/{id}/contacts/{contact_id}`
pub async fn save(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, contact_id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    user.check_csrf(field(&pairs, "csrf"))?;
    let account_id = path_id(&account_id)?;
    let contact_id = path_id(&contact_id)?;
    let f = Fields::from_form(&pairs);
    match state.service.update_contact(&user.0, account_id, contact_id, &f.input(), &meta).await {
        Ok(_) => Ok(Redirect::to(&format!("/accounts/{account_id}/contacts/{contact_id}?done=saved")).into_response()),
        Err(e) => refused(&state, &user, account_id, Some(contact_id), f, e).await,
    }
}
