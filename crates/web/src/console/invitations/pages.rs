//! Invitations in the console (R-INV-1, R-PERM-2): the account's Invitations page (invite one,
//! invite a pasted list, the pending list with Resend and Revoke) and the public accept page that
//! the emailed link opens.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use roster_core::{BuiltinRole, FieldErrors, Permission, PermissionSet, ProblemCode};
use roster_service::{
    Acceptance, BulkOutcome, InvitationLink, InvitationView, NewInvitation, Principal, ServiceError, SessionKind,
    parse_invitation_list,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::console::common::{CsrfForm, PageResult, account_nav, fail, path_id, when};
use crate::console::session::{ConsoleUser, SameOrigin, clear_cookie, session_cookie};
use crate::console::signin::sign_in::after_sign_in;
use crate::console::team::rights_form::{PermissionGroup, field, grouped, set_of, ticked};
use crate::console::{MessagePage, Nav, PageError};
use crate::error::status_of;
use crate::extract::{ClientMeta, cookie, same_secret};

// ---------------------------------------------------------------------------------------------
// The account's Invitations page

/// One pending invitation as the table shows it.
pub struct PendingLine {
    id: Uuid,
    email: String,
    role: String,
    sent_by: String,
    expires: String,
    expired: bool,
}

impl PendingLine {
    fn new(i: InvitationView, zone: &str) -> Self {
        Self {
            id: i.id,
            role: i.role_label().to_owned(),
            email: i.email,
            sent_by: i.invited_by_name.unwrap_or_else(|| "someone no longer here".to_owned()),
            expires: when(i.expires_at, zone),
            expired: i.status == roster_core::InvitationStatus::Expired,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "invitations/list.html")]
pub struct InvitationsPage {
    nav: Nav,
    account_id: Uuid,
    /// `(value, label)`: built-in roles (not owner), then the account's custom roles.
    roles: Vec<(String, String)>,
    email: String,
    role: String,
    errors: FieldErrors,
    /// A refusal of the whole form (e.g. the invite policy).
    form_error: Option<String>,
    notice: Option<String>,
    /// Set when the address already has a pending invitation: offer to resend that one.
    resend_id: Option<Uuid>,
    list: String,
    bulk: Option<BulkOutcome>,
    pending: Vec<PendingLine>,
    next_cursor: Option<String>,
    /// The permission boxes, for "Choose permissions below" (R-INV-1).
    groups: Vec<PermissionGroup>,
    /// The viewer may send, resend and revoke here (R-PERM-2: under "owner only", the owner).
    may_invite: bool,
    /// Under "owner only" and not the owner: say so instead of showing forms.
    owner_only: bool,
}

/// The role select's value for "choose permissions below" (as on the add-user form).
const CHOOSE: &str = "__choose";

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    cursor: Option<String>,
    done: Option<String>,
}

async fn invitations_page(
    state: &AppState,
    user: &ConsoleUser,
    account_id: Uuid,
    cursor: Option<&str>,
) -> Result<InvitationsPage, PageError> {
    let nav = account_nav(state, user, account_id).await?;
    let page = state.service.invitations(&user.0, account_id, cursor, None).await.map_err(fail(user))?;
    let mut roles: Vec<(String, String)> = BuiltinRole::ALL
        .iter()
        .filter(|r| **r != BuiltinRole::Owner)
        .map(|r| (r.key().to_owned(), r.label().to_owned()))
        .collect();
    // Custom roles when the caller may read them; the built-in ones otherwise.
    if let Ok(list) = state.service.roles(&user.0, account_id).await {
        roles.extend(list.items.into_iter().filter(|r| !r.builtin).map(|r| (r.id, r.name)));
    }
    roles.push((CHOOSE.to_owned(), "Choose permissions below".to_owned()));
    // R-PERM-2: who may invite is the account's setting; the service checks again.
    let account = state.service.get_account(&user.0, account_id).await.map_err(fail(user))?;
    let me = user.0.user().id;
    let is_owner = account.owner_id == me;
    let owner_only = account.invite_policy != roster_core::InvitePolicy::Permission && !is_owner;
    let holds_invite = match state.service.member(&user.0, account_id, me).await {
        Ok(m) => m.is_owner || m.permissions.contains(Permission::UsersInvite),
        Err(_) => false,
    };
    Ok(InvitationsPage {
        groups: grouped(PermissionSet::EMPTY),
        may_invite: !owner_only && (is_owner || holds_invite),
        owner_only,
        nav,
        account_id,
        roles,
        email: String::new(),
        role: BuiltinRole::default_for_new_member().key().to_owned(),
        errors: FieldErrors::new(),
        form_error: None,
        notice: None,
        resend_id: None,
        list: String::new(),
        bulk: None,
        pending: page.items.into_iter().map(|i| PendingLine::new(i, user.zone())).collect(),
        next_cursor: page.next_cursor,
    })
}

/// `GET /accounts/{account_id}/invitations`.
pub async fn page(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(account_id): Path<String>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let account_id = path_id(&account_id)?;
    let mut p = invitations_page(&state, &user, account_id, q.cursor.as_deref()).await?;
    p.notice = match q.done.as_deref() {
        Some("resent") => Some("Invitation sent again with a new link; the old link no longer works.".to_owned()),
        Some("revoked") => Some("Invitation revoked; its link no longer works.".to_owned()),
        _ => None,
    };
    Ok(p.into_response())
}

/// `POST /accounts/{account_id}/invitations`: invite one address with a role or a permission
/// list (`role=__choose` and `permissions=…` boxes, R-INV-1).
pub async fn invite(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(account_id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    user.check_csrf(field(&pairs, "csrf"))?;
    let account_id = path_id(&account_id)?;
    let f_email = field(&pairs, "email").to_owned();
    let f_role = field(&pairs, "role").trim().to_owned();
    let chosen = ticked(&pairs);
    let (role, permissions) = match f_role.as_str() {
        CHOOSE => (None, Some(chosen.clone())),
        "" => (None, None),
        r => (Some(r.to_owned()), None),
    };
    let input = NewInvitation { email: f_email.clone(), role, permissions, project_ids: Vec::new() };
    let outcome = state.service.invite(&user.0, account_id, &input, &meta).await;
    let mut p = invitations_page(&state, &user, account_id, None).await?;
    let status = match outcome {
        Ok(sent) => {
            p.notice = Some(format!(
                "Invitation sent to {}. It expires on {}.",
                sent.email,
                when(sent.expires_at, user.zone())
            ));
            return Ok(p.into_response());
        }
        Err(ServiceError::Invalid(errors)) => {
            p.errors = errors;
            status_of(ProblemCode::InvalidFields)
        }
        Err(ServiceError::Conflict { code, message }) => {
            if code == ProblemCode::InvitationPending {
                let email = f_email.trim().to_lowercase();
                p.resend_id = p.pending.iter().find(|l| l.email == email).map(|l| l.id);
                p.errors.add("email", format!("{email} already has a pending invitation. Resend it instead?"));
            } else {
                p.errors.add("email", message);
            }
            status_of(code)
        }
        Err(ServiceError::Escalation(perm)) => {
            p.errors.add("role", format!("You cannot give {}: you do not hold it.", perm.id()));
            status_of(ProblemCode::Forbidden)
        }
        Err(ServiceError::Closed { code, message }) => {
            p.form_error = Some(message);
            status_of(code)
        }
        Err(e) => return Err(fail(&user)(e)),
    };
    p.email = f_email;
    if f_role == CHOOSE {
        p.groups = grouped(set_of(&chosen));
    }
    p.role = f_role;
    Ok((status, p).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BulkForm {
    csrf: String,
    list: String,
}

/// `POST /accounts/{account_id}/invitations/bulk`: invite a pasted `email,role` list.
pub async fn bulk(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(account_id): Path<String>,
    Form(f): Form<BulkForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let account_id = path_id(&account_id)?;
    let outcome = match parse_invitation_list(&f.list) {
        Ok(rows) if rows.is_empty() => Err(ServiceError::invalid("list", "Paste at least one line: email,role.")),
        Ok(rows) => state.service.invite_bulk(&user.0, account_id, &rows, &meta).await,
        Err(e) => Err(e),
    };
    let mut p = invitations_page(&state, &user, account_id, None).await?;
    p.list = f.list;
    let status = match outcome {
        Ok(done) => {
            p.notice = Some(format!("{} sent, {} skipped, {} with errors.", done.sent, done.skipped, done.errors));
            p.bulk = Some(done);
            StatusCode::OK
        }
        Err(ServiceError::Invalid(errors)) => {
            for e in &errors.0 {
                p.errors.add("list", e.message.clone());
            }
            status_of(ProblemCode::InvalidFields)
        }
        Err(ServiceError::Closed { code, message }) => {
            p.form_error = Some(message);
            status_of(code)
        }
        Err(e) => return Err(fail(&user)(e)),
    };
    Ok((status, p).into_response())
}

/// `POST /accounts/{account_id}/invitations/{invitation_id}/{resend|revoke}`; back to the page.
pub async fn act(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, invitation_id, action)): Path<(String, String, String)>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let account_id = path_id(&account_id)?;
    let id = path_id(&invitation_id)?;
    let done = match action.as_str() {
        "resend" => match state.service.resend_invitation(&user.0, account_id, id, &meta).await {
            Ok(_) => "resent",
            // Too soon: stay on the page and say when it will be possible.
            Err(ServiceError::Conflict { code: ProblemCode::ResentRecently, message }) => {
                let mut p = invitations_page(&state, &user, account_id, None).await?;
                p.form_error = Some(message);
                return Ok((StatusCode::CONFLICT, p).into_response());
            }
            Err(e) => return Err(fail(&user)(e)),
        },
        "revoke" => {
            state.service.revoke_invitation(&user.0, account_id, id, &meta).await.map_err(fail(&user))?;
            "revoked"
        }
        _ => return Err(PageError::from(ServiceError::NotFound)),
    };
    Ok(Redirect::to(&format!("/accounts/{account_id}/invitations?done={done}")).into_response())
}

// ---------------------------------------------------------------------------------------------
// The accept page (public: the emailed link)

/// The console user when the request carries a live session cookie; `None` otherwise.
pub struct MaybeConsoleUser(pub Option<Principal>);

impl FromRequestParts<AppState> for MaybeConsoleUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(token) = cookie(parts, state.config.session_cookie()) else { return Ok(MaybeConsoleUser(None)) };
        Ok(MaybeConsoleUser(state.service.authenticate(token).await.ok().filter(|p| p.kind() == SessionKind::Console)))
    }
}

fn nav_of(p: Option<&Principal>) -> Nav {
    p.map_or_else(Nav::default, |p| ConsoleUser(p.clone(), Default::default()).nav())
}

/// What the accept page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A new address: names and password make the login.
    NewLogin,
    /// The address has a login and nobody is signed in: sign in as it first.
    SignIn,
    /// Signed in as the invited address: the Accept button.
    Accept,
    /// Signed in with another email: say so, offer to sign out.
    OtherEmail,
    /// Expired, revoked or used: ask the inviter for a new one.
    Gone,
    /// The inviter was told.
    Asked,
}

#[derive(Template, WebTemplate)]
#[template(path = "invitations/accept.html")]
pub struct AcceptPage {
    nav: Nav,
    mode: Mode,
    token: String,
    email: String,
    account_name: String,
    /// The inviter's name, or "the person who invited you".
    inviter: String,
    signed_in_as: String,
    first_name: String,
    last_name: String,
    errors: FieldErrors,
    form_error: Option<String>,
}

impl AcceptPage {
    fn new(nav: Nav, mode: Mode, token: &str, link: &InvitationLink) -> Self {
        Self {
            nav,
            mode,
            token: token.to_owned(),
            email: link.email.clone(),
            account_name: link.account_name.clone(),
            inviter: link.inviter_name.clone().unwrap_or_else(|| "the person who invited you".to_owned()),
            signed_in_as: String::new(),
            first_name: String::new(),
            last_name: String::new(),
            errors: FieldErrors::new(),
            form_error: None,
        }
    }

    fn respond(self) -> Response {
        let status = match self.mode {
            Mode::Gone => status_of(ProblemCode::InvitationGone),
            Mode::OtherEmail => status_of(ProblemCode::InvitationOtherEmail),
            _ if !self.errors.is_empty() => StatusCode::UNPROCESSABLE_ENTITY,
            _ if self.form_error.is_some() => StatusCode::UNAUTHORIZED,
            _ => StatusCode::OK,
        };
        (status, self).into_response()
    }
}

/// A link that was never valid (or whose account is gone).
fn invalid_link(p: Option<&Principal>) -> PageError {
    PageError::new(
        status_of(ProblemCode::InvitationGone),
        MessagePage::new(
            "This invitation link is not valid",
            "Check that you opened the whole link from the email, or ask the person who invited you for a new invitation.",
        )
        .with_nav(nav_of(p)),
    )
}

/// The page for a link and the caller, before anything is submitted.
fn page_for(token: &str, link: &InvitationLink, p: Option<&Principal>) -> AcceptPage {
    let mode = match p {
        _ if !link.live => Mode::Gone,
        Some(p) if p.user().email.eq_ignore_ascii_case(&link.email) => Mode::Accept,
        Some(_) => Mode::OtherEmail,
        None if link.has_login => Mode::SignIn,
        None => Mode::NewLogin,
    };
    let mut page = AcceptPage::new(nav_of(p), mode, token, link);
    if let Some(p) = p {
        page.signed_in_as.clone_from(&p.user().email);
    }
    page
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenQuery {
    token: String,
}

/// `GET /invitations/accept?token=…`.
pub async fn accept_page(
    State(state): State<AppState>,
    MaybeConsoleUser(p): MaybeConsoleUser,
    Query(q): Query<TokenQuery>,
) -> PageResult {
    let link = match state.service.invitation_link(&q.token).await {
        Ok(l) => l,
        Err(ServiceError::Gone(..)) => return Err(invalid_link(p.as_ref())),
        Err(e) => return Err(e.into()),
    };
    Ok(page_for(&q.token, &link, p.as_ref()).respond())
}

fn back_to(token: &str) -> String {
    let t: String = form_urlencoded::byte_serialize(token.as_bytes()).collect();
    format!("/invitations/accept?token={t}")
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AcceptForm {
    token: String,
    csrf: String,
    first_name: String,
    last_name: String,
    password: String,
}

/// `POST /invitations/accept`: the Accept button (signed in) or the new-login form.
pub async fn accept_submit(
    State(state): State<AppState>,
    _: SameOrigin,
    MaybeConsoleUser(p): MaybeConsoleUser,
    ClientMeta(meta): ClientMeta,
    Form(f): Form<AcceptForm>,
) -> PageResult {
    let link = match state.service.invitation_link(&f.token).await {
        Ok(l) => l,
        Err(ServiceError::Gone(..)) => return Err(invalid_link(p.as_ref())),
        Err(e) => return Err(e.into()),
    };
    let how = match &p {
        Some(p) => {
            if !same_secret(&f.csrf, p.csrf_token()) {
                return Ok(Redirect::to(&back_to(&f.token)).into_response());
            }
            Acceptance::SignedIn(p)
        }
        None => Acceptance::NewLogin { first_name: &f.first_name, last_name: &f.last_name, password: &f.password },
    };
    match state.service.accept_invitation(&f.token, how, Some(SessionKind::Console), &meta).await {
        Ok(done) => match done.signed_in {
            Some(s) => Ok(after_sign_in(&state, &s)),
            None => Ok(Redirect::to(&format!("/accounts/{}", done.account_id)).into_response()),
        },
        Err(ServiceError::Invalid(errors)) => {
            let mut page = page_for(&f.token, &link, p.as_ref());
            page.errors = errors;
            page.first_name = f.first_name;
            page.last_name = f.last_name;
            Ok(page.respond())
        }
        // Expired or used meanwhile, another email, or a login made meanwhile: the page as it now is.
        Err(ServiceError::Gone(..) | ServiceError::Closed { code: roster_core::ProblemCode::SignInRequired, .. }) => {
            let link = state.service.invitation_link(&f.token).await?;
            let mut page = page_for(&f.token, &link, p.as_ref());
            if page.mode == Mode::Gone {
                page.form_error = None;
            }
            Ok(page.respond())
        }
        Err(ServiceError::Closed { code, message }) => {
            let mut page = page_for(&f.token, &link, p.as_ref());
            page.form_error = Some(message);
            Ok((status_of(code), page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignInForm {
    token: String,
    password: String,
}

/// `POST /invitations/accept/sign-in`: signs in as the invited address, then back to the link.
pub async fn accept_sign_in(
    State(state): State<AppState>,
    _: SameOrigin,
    ClientMeta(meta): ClientMeta,
    Form(f): Form<SignInForm>,
) -> PageResult {
    let link = match state.service.invitation_link(&f.token).await {
        Ok(l) => l,
        Err(ServiceError::Gone(..)) => return Err(invalid_link(None)),
        Err(e) => return Err(e.into()),
    };
    match state.service.sign_in(&link.email, &f.password, None, SessionKind::Console, &meta).await {
        Ok(s) => {
            let max_age = state.service.session_policy().console_absolute.as_secs();
            let mut res = Redirect::to(&back_to(&f.token)).into_response();
            res.headers_mut().insert(header::SET_COOKIE, session_cookie(&state.config, &s.token, max_age));
            Ok(res)
        }
        Err(ServiceError::InvalidCredentials | ServiceError::Invalid(_)) => {
            let mut page = page_for(&f.token, &link, None);
            page.form_error = Some("The password is wrong.".to_owned());
            Ok(page.respond())
        }
        Err(ServiceError::Throttled { retry_after }) => {
            let mut page = page_for(&f.token, &link, None);
            page.form_error = Some(roster_service::too_many_attempts(retry_after));
            Ok((status_of(ProblemCode::TooManyAttempts), page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenCsrfForm {
    token: String,
    csrf: String,
}

/// `POST /invitations/accept/sign-out`: signed in with another email; sign out and back to the link.
pub async fn accept_sign_out(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Form(f): Form<TokenCsrfForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    state.service.sign_out(&user.0, &meta).await?;
    let mut res = Redirect::to(&back_to(&f.token)).into_response();
    res.headers_mut().insert(header::SET_COOKIE, clear_cookie(&state.config));
    Ok(res)
}

/// `POST /invitations/accept/ask`: a dead link's "Ask for a new invitation" button.
pub async fn ask_again(
    State(state): State<AppState>,
    _: SameOrigin,
    MaybeConsoleUser(p): MaybeConsoleUser,
    ClientMeta(meta): ClientMeta,
    Form(f): Form<TokenCsrfForm>,
) -> PageResult {
    let link = match state.service.invitation_link(&f.token).await {
        Ok(l) => l,
        Err(ServiceError::Gone(..)) => return Err(invalid_link(p.as_ref())),
        Err(e) => return Err(e.into()),
    };
    match state.service.ask_for_new_invitation(&f.token, &meta).await {
        Ok(()) => Ok(AcceptPage::new(nav_of(p.as_ref()), Mode::Asked, &f.token, &link).respond()),
        // Still live: show the page that accepts it.
        Err(ServiceError::Conflict { .. }) => Ok(Redirect::to(&back_to(&f.token)).into_response()),
        Err(e) => Err(e.into()),
    }
}
