//! What the email use cases answer (serialized as is by the API).
use roster_mail::{RenderedEmail, TemplateName, Token};
use roster_store::{EmailRow, SmtpSettingsRow};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// One email of an outbox, without its bodies.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EmailView {
    pub id: Uuid,
    /// `None` for installation mail.
    pub account_id: Option<Uuid>,
    /// The account's name, in the operator's view of every outbox.
    pub account_name: Option<String>,
    pub template: String,
    pub to: String,
    pub subject: String,
    /// `queued`, `sent` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the next attempt is due (queued mail).
    #[serde(with = "time::serde::rfc3339")]
    pub next_attempt_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub sent_at: Option<OffsetDateTime>,
}

impl From<&EmailRow> for EmailView {
    fn from(e: &EmailRow) -> Self {
        Self {
            id: e.id,
            account_id: e.account_id,
            account_name: None,
            template: e.template.clone(),
            to: e.to_addr.clone(),
            subject: hide_tokens(&e.subject),
            status: e.status.clone(),
            attempts: e.attempts,
            last_error: e.last_error.clone(),
            created_at: e.created_at,
            next_attempt_at: e.next_attempt_at,
            sent_at: e.sent_at,
        }
    }
}

/// One email with its headers and both bodies, as it is (or was) sent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EmailDetail {
    #[serde(flatten)]
    pub email: EmailView,
    pub from: String,
    pub reply_to: Option<String>,
    pub bcc: Option<String>,
    pub message_id: String,
    pub text: String,
    pub html: String,
}

impl From<&EmailRow> for EmailDetail {
    fn from(e: &EmailRow) -> Self {
        Self {
            email: EmailView::from(e),
            from: e.from_addr.clone(),
            reply_to: e.reply_to.clone(),
            bcc: e.bcc.clone(),
            message_id: e.message_id.clone(),
            text: hide_tokens(&e.text_body),
            html: hide_tokens(&e.html_body),
        }
    }
}

/// What every outbox view shows of a stored part (R-MAIL-6). Emails queued since secrets are
/// sealed already hold `[link hidden]`; in older ones, the value of every `token=` in a link is
/// replaced by it as well, so no view shows a live reset or invitation token.
pub fn hide_tokens(part: &str) -> String {
    const KEY: &str = "token=";
    let mut out = String::with_capacity(part.len());
    let mut rest = part;
    while let Some(i) = rest.find(KEY) {
        let after = &rest[i + KEY.len()..];
        let len = after.find(|c: char| !(c.is_ascii_alphanumeric() || "-_.~%".contains(c))).unwrap_or(after.len());
        out.push_str(&rest[..i + KEY.len()]);
        if len > 0 {
            out.push_str("[link hidden]");
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EmailPage {
    pub items: Vec<EmailView>,
    /// Pass as `cursor` for the next (older) page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A token a template may use.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenView {
    /// As written in a template: `{{ user.first_name }}`.
    pub name: &'static str,
    pub description: &'static str,
}

impl From<&Token> for TokenView {
    fn from(t: &Token) -> Self {
        Self { name: t.name, description: t.description }
    }
}

/// A template as an account sees it: its override, or the built-in one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TemplateView {
    /// `welcome`, `invitation`, `password_reset`, `password_changed`, `impersonation_notice`,
    /// `portal_link`.
    pub name: &'static str,
    /// What it is for, in a few words.
    pub title: &'static str,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// False while the account uses the built-in template.
    pub customized: bool,
    /// The template carries a secret link (R-MAIL-6): the account's version is used only for
    /// members the account alone answers for (a proved login in no other account, not an
    /// operator); everyone else gets the built-in template, through the installation's server.
    pub carries_secret: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub updated_at: Option<OffsetDateTime>,
    pub tokens: Vec<TokenView>,
}

/// The three parts of a template, as written in the editor.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct TemplateInput {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A template rendered with sample data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PreviewView {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl From<RenderedEmail> for PreviewView {
    fn from(r: RenderedEmail) -> Self {
        Self { subject: r.subject, text: r.text, html: r.html }
    }
}

/// What a template is for, for lists and the editor.
pub fn template_title(name: TemplateName) -> &'static str {
    match name {
        TemplateName::Welcome => "Welcome a new team member",
        TemplateName::Invitation => "Invitation to join the account",
        TemplateName::PasswordReset => "Password reset link",
        TemplateName::PasswordChanged => "Password changed notice",
        TemplateName::ImpersonationNotice => "Someone signed in as you",
        TemplateName::PortalLink => "Client portal link",
        TemplateName::InvitationRequest => "An invitee asks for a new invitation",
        TemplateName::EmailConfirmation => "Confirm your email address (registration)",
        TemplateName::RegistrationAttempt => "Someone tried to register with your address",
        TemplateName::AccessRestored => "Access restored: set a new password",
        TemplateName::DailyReminder => "Daily reminder",
        TemplateName::TicketReply => "Reply to a support ticket",
        TemplateName::WorkflowEmail => "Workflow email to a contact",
    }
}

/// An account's own outgoing server, as shown back: never the password.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SmtpSettingsView {
    pub host: String,
    pub port: u16,
    /// `starttls`, `tls`, `opportunistic` or `none`.
    pub security: String,
    pub username: Option<String>,
    /// True when a password is stored (it is never shown).
    pub password_set: bool,
    /// The address this account's mail is sent from.
    pub from_address: String,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<&SmtpSettingsRow> for SmtpSettingsView {
    fn from(s: &SmtpSettingsRow) -> Self {
        Self {
            host: s.host.clone(),
            port: u16::try_from(s.port).unwrap_or(0),
            security: s.security.clone(),
            username: s.username.clone(),
            password_set: s.password_enc.is_some(),
            from_address: s.from_addr.clone(),
            updated_at: s.updated_at,
        }
    }
}

/// An account's own outgoing server, as set by an admin. Leaving `password` out keeps the one
/// stored; an empty string removes it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SmtpSettingsInput {
    pub host: String,
    /// Default 587 (465 with `tls`).
    pub port: Option<u16>,
    /// `starttls` (default), `tls`, `opportunistic` or `none`.
    pub security: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from_address: String,
}

/// The server's answer to a test.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SmtpTestView {
    pub ok: bool,
    /// The server's own words (or the connection error), one line.
    pub message: String,
}
