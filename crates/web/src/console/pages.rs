//! Console pages. Each handler: who is asking, one use case, one template.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use roster_core::FieldErrors;
use roster_service::{AccountView, MemberView, NewPerson, ServiceError, SessionKind, SignedIn};
use serde::Deserialize;

use super::session::{ConsoleUser, SameOrigin, clear_cookie, session_cookie};
use super::{MessagePage, Nav, NavAccount, PageError};
use crate::AppState;
use crate::extract::{ClientMeta, cookie};

type PageResult = Result<Response, PageError>;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CursorQuery {
    cursor: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenQuery {
    token: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn home(State(state): State<AppState>, parts: axum::http::request::Parts) -> PageResult {
    if state.service.needs_setup().await? {
        return Ok(MessagePage::new(
            "Roster is not set up yet",
            "Open the one-time setup link that `roster serve` printed when it started, or create an operator with `roster operator create`.",
        )
        .into_response());
    }
    let signed_in = cookie(&parts, state.config.session_cookie()).is_some();
    Ok(Redirect::to(if signed_in { "/accounts" } else { "/sign-in" }).into_response())
}

pub(super) fn after_sign_in(state: &AppState, s: &SignedIn) -> Response {
    let active = s.accounts.iter().filter(|m| m.status == roster_core::MembershipStatus::Active).count();
    let to = match s.account_id {
        Some(a) => super::home::landing_path(a, &s.accounts),
        None if active > 1 => "/choose-account".to_owned(),
        None => "/accounts".to_owned(),
    };
    let max_age = state.service.session_policy().console_absolute.as_secs();
    let mut res = Redirect::to(&to).into_response();
    res.headers_mut().insert(header::SET_COOKIE, session_cookie(&state.config, &s.token, max_age));
    if let Some(device) = &s.known_device {
        res.headers_mut().append(header::SET_COOKIE, super::session::device_cookie(&state.config, device));
    }
    res
}

#[derive(Template, WebTemplate)]
#[template(path = "setup.html")]
pub struct SetupPage {
    nav: Nav,
    token: String,
    first_name: String,
    last_name: String,
    email: String,
    errors: FieldErrors,
}

fn setup_done_page() -> PageError {
    PageError::new(
        StatusCode::GONE,
        MessagePage::new("Roster is already set up", "An operator exists. Sign in instead.")
            .link("/sign-in", "Sign in"),
    )
}

pub async fn setup_form(State(state): State<AppState>, Query(q): Query<TokenQuery>) -> PageResult {
    if !state.service.needs_setup().await? {
        return Err(setup_done_page());
    }
    if !state.service.setup_token_valid(&q.token).await? {
        return Err(PageError::new(
            StatusCode::GONE,
            MessagePage::new(
                "This setup link is not valid",
                "It has expired or was replaced. Restart `roster serve` to print a new one, or use `roster operator create`.",
            ),
        ));
    }
    Ok(SetupPage {
        nav: Nav::default(),
        token: q.token,
        first_name: String::new(),
        last_name: String::new(),
        email: String::new(),
        errors: FieldErrors::new(),
    }
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SetupForm {
    token: String,
    first_name: String,
    last_name: String,
    email: String,
    password: String,
}

pub async fn setup_submit(
    State(state): State<AppState>,
    _: SameOrigin,
    ClientMeta(meta): ClientMeta,
    Form(f): Form<SetupForm>,
) -> PageResult {
    if !state.service.needs_setup().await? {
        return Err(setup_done_page());
    }
    let person = NewPerson { first_name: f.first_name, last_name: f.last_name, email: f.email, password: f.password };
    match state.service.complete_setup(&f.token, &person, &meta).await {
        Ok(s) => Ok(after_sign_in(&state, &s)),
        Err(ServiceError::Invalid(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            SetupPage {
                nav: Nav::default(),
                token: f.token,
                first_name: person.first_name,
                last_name: person.last_name,
                email: person.email,
                errors,
            },
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    nav: Nav,
    login: String,
    form_error: Option<String>,
}

pub async fn sign_in_form() -> impl IntoResponse {
    SignInPage { nav: Nav::default(), login: String::new(), form_error: None }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignInForm {
    login: String,
    password: String,
}

pub async fn sign_in_submit(
    State(state): State<AppState>,
    _: SameOrigin,
    ClientMeta(meta): ClientMeta,
    Form(f): Form<SignInForm>,
) -> PageResult {
    match state.service.sign_in(&f.login, &f.password, None, SessionKind::Console, &meta).await {
        Ok(s) => Ok(after_sign_in(&state, &s)),
        Err(ServiceError::InvalidCredentials | ServiceError::Invalid(_)) => Ok((
            StatusCode::UNAUTHORIZED,
            SignInPage {
                nav: Nav::default(),
                login: f.login,
                form_error: Some("The login or password is wrong.".into()),
            },
        )
            .into_response()),
        // R-AUTH-7: blocked for a while; the typed login stays in the form.
        Err(ServiceError::Throttled { retry_after }) => Ok((
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, roster_service::retry_after_secs(retry_after).to_string())],
            SignInPage {
                nav: Nav::default(),
                login: f.login,
                form_error: Some(roster_service::too_many_attempts(retry_after)),
            },
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

pub async fn sign_out(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    state.service.sign_out(&user.0, &meta).await?;
    let mut res = Redirect::to("/sign-in").into_response();
    res.headers_mut().insert(header::SET_COOKIE, clear_cookie(&state.config));
    Ok(res)
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts.html")]
pub struct AccountsPage {
    nav: Nav,
    accounts: Vec<AccountView>,
    next_cursor: Option<String>,
}

pub async fn accounts(State(state): State<AppState>, user: ConsoleUser, Query(q): Query<CursorQuery>) -> PageResult {
    let page = state.service.list_accounts(&user.0, q.cursor.as_deref(), None).await?;
    Ok(AccountsPage { nav: user.nav(), accounts: page.items, next_cursor: page.next_cursor }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "account_new.html")]
pub struct NewAccountPage {
    nav: Nav,
    name: String,
    errors: FieldErrors,
}

pub async fn new_account_form(user: ConsoleUser) -> impl IntoResponse {
    NewAccountPage { nav: user.nav(), name: String::new(), errors: FieldErrors::new() }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewAccountForm {
    csrf: String,
    name: String,
}

pub async fn new_account_submit(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Form(f): Form<NewAccountForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    match state.service.create_account(&user.0, &f.name, &meta).await {
        Ok(a) => Ok(Redirect::to(&format!("/accounts/{}/team", a.id)).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, NewAccountPage { nav: user.nav(), name: f.name, errors })
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "team.html")]
pub struct TeamPage {
    nav: Nav,
    account: AccountView,
    members: Vec<MemberView>,
    next_cursor: Option<String>,
    /// Search, filters and sort, kept in the URL (R-LIST-1).
    filters: super::team_list::TeamFilters,
    /// Whom "Log in as" is offered for (R-IMP-1); `None`: nobody.
    impersonation: Option<roster_service::ImpersonationRights>,
}

impl TeamPage {
    fn may_log_in_as(&self, m: &MemberView) -> bool {
        self.impersonation.as_ref().is_some_and(|r| r.may(m))
    }
}

pub async fn team(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(account_id): Path<String>,
    Query(q): Query<super::team_list::TeamQuery>,
) -> PageResult {
    let account_id = uuid::Uuid::parse_str(&account_id).map_err(|_| PageError::from(ServiceError::NotFound))?;
    let page = state.service.search_members(&user.0, account_id, &q.params()).await;
    let page = page.map_err(|e| with_nav(e, &user))?;
    let account = state.service.get_account(&user.0, account_id).await?;
    let impersonation = state.service.impersonation_rights(&user.0, account_id).await?;
    let mut nav = user.nav();
    nav.account = Some(NavAccount { id: account.id, name: account.name.clone() });
    let filters = super::team_list::TeamFilters { account_id, query: q };
    Ok(TeamPage { nav, account, members: page.items, next_cursor: page.next_cursor, filters, impersonation }
        .into_response())
}

/// An error page that keeps the header, for people who are signed in.
fn with_nav(e: ServiceError, user: &ConsoleUser) -> PageError {
    let PageError(status, page) = PageError::from(e);
    PageError(status, Box::new(page.with_nav(user.nav())))
}
