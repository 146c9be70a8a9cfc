//! "Add a user" (R-ADD-1, R-ADD-2): the form keeps what was typed (except the password) and
//! shows errors next to their fields.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use roster_core::{BuiltinRole, FieldErrors, Permission, PermissionSet, ProblemCode};
use roster_service::{AddOutcome, NewMember, ServiceError};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::api::path_id;
use crate::console::session::ConsoleUser;
use crate::console::team::rights_form::{PermissionGroup, field, grouped, set_of, ticked};
use crate::console::{Nav, PageError};
use crate::error::status_of;
use crate::extract::ClientMeta;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AddForm {
    csrf: String,
    email: String,
    first_name: String,
    last_name: String,
    phone: String,
    username: String,
    company: String,
    role: String,
    password: String,
    send_welcome: Option<String>,
    welcome_subject: String,
    bcc_me: Option<String>,
    /// R-JOIN-1: the ticked project boxes (`project` repeats).
    projects: Vec<String>,
}

/// Role select values for "all permissions" and "choose permissions below" (seed 003).
const ALL: &str = "__all";
const CHOOSE: &str = "__choose";

impl AddForm {
    /// The form from its fields; `permissions` repeats, which a struct cannot take.
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let get = |name: &str| field(pairs, name).to_owned();
        let on = |name: &str| pairs.iter().any(|(k, _)| k == name).then(|| "on".to_owned());
        Self {
            csrf: get("csrf"),
            email: get("email"),
            first_name: get("first_name"),
            last_name: get("last_name"),
            phone: get("phone"),
            username: get("username"),
            company: get("company"),
            role: get("role"),
            password: get("password"),
            send_welcome: on("send_welcome"),
            welcome_subject: get("welcome_subject"),
            bcc_me: on("bcc_me"),
            projects: pairs.iter().filter(|(k, _)| k == "project").map(|(_, v)| v.clone()).collect(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "team/add.html")]
pub struct AddPage {
    nav: Nav,
    account_id: Uuid,
    /// `(value, label)`: the built-in roles, then the account's own.
    roles: Vec<(String, String)>,
    /// The catalogue, for "choose permissions below".
    groups: Vec<PermissionGroup>,
    /// `(id, name)` of the projects the new member may join at once (R-JOIN-1).
    projects: Vec<(Uuid, String)>,
    f: AddForm,
    send_welcome: bool,
    bcc_me: bool,
    errors: FieldErrors,
    /// Set after a successful add: who was added, and the warning if they cannot sign in.
    added: Option<String>,
    /// Set when the address had a login and was sent an invitation instead (R-ADD-3).
    invited: Option<String>,
    warning: Option<String>,
}

async fn page(
    state: &AppState,
    user: &ConsoleUser,
    id: Uuid,
    f: AddForm,
    send_welcome: bool,
) -> Result<AddPage, PageError> {
    let account = state.service.get_account(&user.0, id).await?;
    let nav = crate::console::common::account_nav(state, user, account.id).await?;
    let roles: Vec<(String, String)> = match state.service.roles(&user.0, id).await {
        Ok(list) => list.items.into_iter().map(|r| (r.id, r.name)).collect(),
        // Someone who may add users but not see roles still gets the built-in ones.
        Err(_) => BuiltinRole::ALL
            .iter()
            .filter(|r| **r != BuiltinRole::Owner)
            .map(|r| (r.key().to_owned(), r.label().to_owned()))
            .collect(),
    };
    let mut roles = roles;
    roles.push((ALL.to_owned(), "All permissions".to_owned()));
    roles.push((CHOOSE.to_owned(), "Choose permissions below".to_owned()));
    let bcc_me = f.bcc_me.is_some();
    let projects = state.service.project_choices(&user.0, id).await?;
    Ok(AddPage {
        nav,
        account_id: id,
        roles,
        groups: grouped(PermissionSet::EMPTY),
        projects,
        f,
        send_welcome,
        bcc_me,
        errors: FieldErrors::new(),
        added: None,
        invited: None,
        warning: None,
    })
}

fn account_id(raw: &str) -> Result<Uuid, PageError> {
    path_id(raw).map_err(|_| PageError::from(ServiceError::NotFound))
}

pub async fn form(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = account_id(&id)?;
    let f = AddForm { role: BuiltinRole::default_for_new_member().key().to_owned(), ..AddForm::default() };
    Ok(page(&state, &user, id, f, true).await?.into_response())
}

fn some(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

pub async fn submit(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let mut f = AddForm::from_pairs(&pairs);
    user.check_csrf(&f.csrf)?;
    let chosen = ticked(&pairs);
    let (role, permissions) = match f.role.as_str() {
        ALL => (None, Some(Permission::ALL.iter().map(|p| p.id().to_owned()).collect())),
        CHOOSE => (None, Some(chosen.clone())),
        _ => (some(&f.role), None),
    };
    let id = account_id(&id)?;
    let send_welcome = f.send_welcome.is_some();
    let input = NewMember {
        email: f.email.clone(),
        first_name: f.first_name.clone(),
        last_name: f.last_name.clone(),
        phone: some(&f.phone),
        username: some(&f.username),
        company: some(&f.company),
        role,
        permissions,
        password: some(&f.password),
        send_welcome,
        welcome_subject: some(&f.welcome_subject),
        bcc_me: f.bcc_me.is_some(),
        project_ids: f.projects.iter().filter_map(|s| Uuid::parse_str(s).ok()).collect(),
        preferences: None,
    };
    if input.project_ids.len() != f.projects.len() {
        let mut p = page(&state, &user, id, f, send_welcome).await?;
        p.errors.add("project_ids", "Choose projects from the list.");
        return Ok((status_of(ProblemCode::InvalidFields), p).into_response());
    }
    f.password.clear();
    match state.service.add_member(&user.0, id, &input, &meta).await {
        Ok(AddOutcome::Added(added)) => {
            let blank = AddForm { role: BuiltinRole::default_for_new_member().key().to_owned(), ..AddForm::default() };
            let mut p = page(&state, &user, id, blank, true).await?;
            p.added = Some(format!("{} {} ({})", added.member.first_name, added.member.last_name, added.member.email));
            p.warning = added.warning;
            Ok(p.into_response())
        }
        // R-ADD-3: the address has a login; it was invited, and nothing of it is shown.
        Ok(AddOutcome::Invited(sent)) => {
            let blank = AddForm { role: BuiltinRole::default_for_new_member().key().to_owned(), ..AddForm::default() };
            let mut p = page(&state, &user, id, blank, true).await?;
            p.invited = Some(sent.email);
            Ok(p.into_response())
        }
        Err(e) => {
            let (status, errors) = match e {
                ServiceError::Invalid(errors) => (status_of(ProblemCode::InvalidFields), errors),
                ServiceError::Conflict { code, message } => {
                    let mut errs = FieldErrors::new();
                    errs.add("email", message);
                    (status_of(code), errs)
                }
                ServiceError::Forbidden(p) => {
                    let mut errs = FieldErrors::new();
                    errs.add("role", format!("You cannot give {}: you do not hold it.", p.id()));
                    (status_of(ProblemCode::Forbidden), errs)
                }
                other => return Err(other.into()),
            };
            let mut p = page(&state, &user, id, f, send_welcome).await?;
            p.groups = grouped(set_of(&chosen));
            p.errors = errors;
            Ok((status, p).into_response())
        }
    }
}
