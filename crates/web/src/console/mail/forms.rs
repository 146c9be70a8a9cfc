//! Console forms for email: an account's templates (R-MAIL-4) and its own outgoing server
//! (R-MAIL-2, seed 000). A failed submit shows the page again with the errors next to the
//! fields and everything typed kept, except passwords.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use roster_core::FieldErrors;
use roster_service::ServiceError;
use roster_service::mail::{
    PreviewView, SmtpSettingsInput, SmtpSettingsView, SmtpTestView, TemplateInput, TemplateView,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::console::Nav;
use crate::console::common::{CsrfForm, PageResult, account_nav, fail, path_id, when, with_preview_csp};
use crate::console::session::ConsoleUser;
use crate::extract::ClientMeta;

/// A token as written in a template, with what it holds.
pub struct TokenLine {
    tag: String,
    description: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "mail/template_edit.html")]
pub struct EditorPage {
    nav: Nav,
    account_id: Uuid,
    name: &'static str,
    title: &'static str,
    customized: bool,
    carries_secret: bool,
    updated: Option<String>,
    tokens: Vec<TokenLine>,
    subject: String,
    text: String,
    html: String,
    errors: FieldErrors,
    preview: Option<PreviewView>,
    notice: Option<&'static str>,
}

impl EditorPage {
    /// The editor for `t`, showing `draft` (the template itself when `None`).
    fn new(nav: Nav, account_id: Uuid, t: TemplateView, draft: Option<TemplateInput>, zone: &str) -> Self {
        let tokens =
            t.tokens.iter().map(|k| TokenLine { tag: format!("{{{{ {} }}}}", k.name), description: k.description });
        let draft = draft.unwrap_or(TemplateInput { subject: t.subject, text: t.text, html: t.html });
        Self {
            nav,
            account_id,
            name: t.name,
            title: t.title,
            customized: t.customized,
            carries_secret: t.carries_secret,
            updated: t.updated_at.map(|u| when(u, zone)),
            tokens: tokens.collect(),
            subject: draft.subject,
            text: draft.text,
            html: draft.html,
            errors: FieldErrors::new(),
            preview: None,
            notice: None,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoticeQuery {
    saved: Option<String>,
    reset: Option<String>,
}

/// `GET /accounts/{account_id}/email-templates/{name}`
pub async fn editor(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((account_id, name)): Path<(String, String)>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let account_id = path_id(&account_id)?;
    let t = state.service.email_template(&user.0, account_id, &name).await.map_err(fail(&user))?;
    let mut page = EditorPage::new(account_nav(&state, &user, account_id).await?, account_id, t, None, user.zone());
    page.notice = if q.saved.is_some() {
        Some("Saved. New mail uses this version.")
    } else if q.reset.is_some() {
        Some("Reset. New mail uses the built-in template again.")
    } else {
        None
    };
    Ok(page.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TemplateForm {
    csrf: String,
    subject: String,
    text: String,
    html: String,
}

impl TemplateForm {
    fn draft(self) -> TemplateInput {
        // Browsers send textareas with CRLF line ends; templates are stored with LF.
        let lf = |s: String| s.replace("\r\n", "\n");
        TemplateInput { subject: lf(self.subject), text: lf(self.text), html: lf(self.html) }
    }
}

/// The editor again after a preview or a refused save, with the draft kept.
async fn editor_with_draft(
    state: &AppState,
    user: &ConsoleUser,
    account_id: Uuid,
    name: &str,
    draft: TemplateInput,
) -> Result<EditorPage, crate::console::PageError> {
    let t = state.service.email_template(&user.0, account_id, name).await.map_err(fail(user))?;
    Ok(EditorPage::new(account_nav(state, user, account_id).await?, account_id, t, Some(draft), user.zone()))
}

/// `POST /accounts/{account_id}/email-templates/{name}`: "Save".
pub async fn save_template(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, name)): Path<(String, String)>,
    Form(f): Form<TemplateForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let account_id = path_id(&account_id)?;
    let draft = f.draft();
    match state.service.put_email_template(&user.0, account_id, &name, &draft, &meta).await {
        Ok(t) => {
            Ok(Redirect::to(&format!("/accounts/{account_id}/email-templates/{}?saved=1", t.name)).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let mut page = editor_with_draft(&state, &user, account_id, &name, draft).await?;
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(fail(&user)(e)),
    }
}

/// `POST /accounts/{account_id}/email-templates/{name}/preview`: renders the draft with sample
/// data below the editor.
pub async fn preview_template(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((account_id, name)): Path<(String, String)>,
    Form(f): Form<TemplateForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let account_id = path_id(&account_id)?;
    let draft = f.draft();
    let (status, preview, errors) =
        match state.service.preview_email_template(&user.0, account_id, &name, Some(&draft)).await {
            Ok(p) => (StatusCode::OK, Some(p), FieldErrors::new()),
            Err(ServiceError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, None, errors),
            Err(e) => return Err(fail(&user)(e)),
        };
    let mut page = editor_with_draft(&state, &user, account_id, &name, draft).await?;
    page.preview = preview;
    page.errors = errors;
    Ok(with_preview_csp((status, page).into_response()))
}

/// `POST /accounts/{account_id}/email-templates/{name}/reset`: back to the built-in template.
pub async fn reset_template(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, name)): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let account_id = path_id(&account_id)?;
    let t = state.service.reset_email_template(&user.0, account_id, &name, &meta).await.map_err(fail(&user))?;
    Ok(Redirect::to(&format!("/accounts/{account_id}/email-templates/{}?reset=1", t.name)).into_response())
}

/// `POST /accounts/{account_id}/email-templates/{name}/test`: "Send me a test", then the email.
pub async fn test_template(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, name)): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let account_id = path_id(&account_id)?;
    let email = state.service.send_test_of_template(&user.0, account_id, &name, &meta).await.map_err(fail(&user))?;
    Ok(Redirect::to(&format!("/accounts/{account_id}/emails/{}", email.id)).into_response())
}

/// One choice of a `<select>`.
pub struct Choice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

const SECURITY: [(&str, &str); 4] = [
    ("starttls", "STARTTLS (usually port 587)"),
    ("tls", "TLS from the start (usually port 465)"),
    ("opportunistic", "STARTTLS when the server offers it"),
    ("none", "None: plain text (local relays only)"),
];

#[derive(Template, WebTemplate)]
#[template(path = "mail/settings.html")]
pub struct SmtpPage {
    nav: Nav,
    account_id: Uuid,
    /// What is stored (never the password).
    current: Option<SmtpSettingsView>,
    updated: Option<String>,
    password_set: bool,
    installation_server: bool,
    host: String,
    port: String,
    security: Vec<Choice>,
    username: String,
    from_address: String,
    errors: FieldErrors,
    notice: Option<&'static str>,
    to: String,
    test: Option<SmtpTestView>,
}

impl SmtpPage {
    /// The form, filled from what is stored (or empty).
    async fn load(state: &AppState, user: &ConsoleUser, account_id: Uuid) -> Result<Self, crate::console::PageError> {
        let current = state.service.smtp_settings(&user.0, account_id).await.map_err(fail(user))?;
        let mut page = Self {
            nav: account_nav(state, user, account_id).await?,
            account_id,
            updated: current.as_ref().map(|c| when(c.updated_at, user.zone())),
            password_set: current.as_ref().is_some_and(|c| c.password_set),
            installation_server: state.service.mail_config().smtp.is_some(),
            host: String::new(),
            port: String::new(),
            security: Vec::new(),
            username: String::new(),
            from_address: String::new(),
            errors: FieldErrors::new(),
            notice: None,
            to: user.0.user().email.clone(),
            test: None,
            current: None,
        };
        match &current {
            Some(c) => {
                page.host.clone_from(&c.host);
                page.port = c.port.to_string();
                page.username = c.username.clone().unwrap_or_default();
                page.from_address.clone_from(&c.from_address);
                page.choose(&c.security);
            }
            None => page.choose("starttls"),
        }
        page.current = current;
        Ok(page)
    }

    fn choose(&mut self, security: &str) {
        self.security =
            SECURITY.iter().map(|&(value, label)| Choice { value, label, selected: value == security }).collect();
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    saved: Option<String>,
    removed: Option<String>,
}

/// `GET /accounts/{account_id}/settings/email`
pub async fn smtp_form(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(account_id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let mut page = SmtpPage::load(&state, &user, path_id(&account_id)?).await?;
    page.notice = if q.saved.is_some() {
        Some("Saved. This account's mail now goes through this server.")
    } else if q.removed.is_some() {
        Some("Removed. This account's mail goes through the installation's server again.")
    } else {
        None
    };
    Ok(page.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SmtpForm {
    csrf: String,
    host: String,
    port: String,
    security: String,
    username: String,
    password: String,
    remove_password: Option<String>,
    from_address: String,
}

/// `POST /accounts/{account_id}/settings/email`: "Save".
pub async fn smtp_save(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(account_id): Path<String>,
    Form(f): Form<SmtpForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let account_id = path_id(&account_id)?;
    let mut page = SmtpPage::load(&state, &user, account_id).await?;
    let port = f.port.trim();
    // A port that is not a number is sent as 0, which the service refuses on the port field
    // along with whatever else is wrong; nothing is saved then.
    let port = if port.is_empty() { None } else { Some(port.parse::<u16>().unwrap_or(0)) };
    let password =
        if f.remove_password.is_some() { Some(String::new()) } else { Some(f.password).filter(|p| !p.is_empty()) };
    let input = SmtpSettingsInput {
        host: f.host,
        port,
        security: Some(f.security),
        username: Some(f.username),
        password,
        from_address: f.from_address,
    };
    match state.service.put_smtp_settings(&user.0, account_id, &input, &meta).await {
        Ok(_) => Ok(Redirect::to(&format!("/accounts/{account_id}/settings/email?saved=1")).into_response()),
        Err(ServiceError::Invalid(errors) | ServiceError::Refused { errors, .. }) => {
            page.host = input.host;
            page.port = f.port;
            page.choose(input.security.as_deref().unwrap_or_default());
            page.username = input.username.unwrap_or_default();
            page.from_address = input.from_address;
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(fail(&user)(e)),
    }
}

/// `POST /accounts/{account_id}/settings/email/delete`: "Stop using own server".
pub async fn smtp_delete(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(account_id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let account_id = path_id(&account_id)?;
    state.service.delete_smtp_settings(&user.0, account_id, &meta).await.map_err(fail(&user))?;
    Ok(Redirect::to(&format!("/accounts/{account_id}/settings/email?removed=1")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SmtpTestForm {
    csrf: String,
    to: String,
}

/// `POST /accounts/{account_id}/settings/email/test`: "Send test email", with the server's
/// real answer on the page.
pub async fn smtp_test(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(account_id): Path<String>,
    Form(f): Form<SmtpTestForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let account_id = path_id(&account_id)?;
    let mut page = SmtpPage::load(&state, &user, account_id).await?;
    let answer = state.service.test_smtp(&user.0, account_id, Some(&f.to)).await;
    page.to = f.to;
    match answer {
        Ok(test) => page.test = Some(test),
        Err(ServiceError::Invalid(errors)) if errors.get("to").is_some() => {
            page.errors = errors;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        // The stored server cannot be reached as set (a bad host, say): that is the answer.
        Err(ServiceError::Invalid(errors)) => {
            let message = errors.0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" ");
            page.test = Some(SmtpTestView { ok: false, message });
        }
        Err(e) => return Err(fail(&user)(e)),
    }
    Ok(page.into_response())
}
