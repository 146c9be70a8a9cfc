//! The catalogue: which templates exist, their stable ids, the tokens each may use, and the
//! built-in sources (compiled in from `templates/<name>/`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::source::TemplateSource;

/// A built-in email template. The string ids ([`TemplateName::as_str`]) are stable: they name
/// an account's overrides in the database and in the API (`/email-templates/{name}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateName {
    /// A member was added to an account; carries a link to set a password (R-ADD-2). When
    /// whoever added them set a password, it says so and offers the link as a choice.
    Welcome,
    /// An invitation to join an account (R-INV-1).
    Invitation,
    /// A password reset link (R-AUTH-5).
    PasswordReset,
    /// The password of a login was changed (R-AUTH-6 or by its owner).
    PasswordChanged,
    /// Someone signed in as the user (R-IMP-1).
    ImpersonationNotice,
    /// A contact's client portal link, with the password when there is one (R-PORT-4, seed 004).
    PortalLink,
    /// To the sender of an invitation: the invitee opened a dead link and asks for a new one (R-INV-1).
    InvitationRequest,
    /// Confirms the address of an open registration (R-AUTH-3, R-AUTH-8); sent by the installation.
    EmailConfirmation,
    /// Someone tried to register with an address that has a login (R-AUTH-3); no secret in it.
    RegistrationAttempt,
    /// An archived member was restored and their password had been removed: they must set a new
    /// one through the link before signing in (R-ARC-2).
    AccessRestored,
    /// The morning summary of a member who opted in (R-MAIL-5): due to-dos, the day's events,
    /// contacts to follow up.
    DailyReminder,
    /// A member's reply to a contact's support ticket (R-TKT-1): the subject carries the ticket
    /// number; no secret in it.
    TicketReply,
    /// An email step of a workflow run (R-WF-1): subject and body written in the workflow
    /// template with the contact's tokens, rendered when the step is due (and maybe edited by
    /// whoever approved it); no secret in it.
    WorkflowEmail,
}

/// A token a template may use, such as `user.first_name`, with what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Token {
    /// The name as written in a template, e.g. `portal.link` for `{{ portal.link }}`.
    pub name: &'static str,
    /// One line for the template editor.
    pub description: &'static str,
    /// Set when the value is a secret for the recipient alone (R-MAIL-6): a link that signs in,
    /// sets a password or accepts an invitation, or a password. Such a value is stored sealed and
    /// shown everywhere else as [`Secret::placeholder`].
    #[serde(skip)]
    pub secret: Option<Secret>,
}

/// What kind of secret a token holds (R-MAIL-6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Secret {
    /// A link carrying a single-use token (`reset_…`, `invite_…`, a portal link).
    Link,
    /// A password (the portal's).
    Password,
}

impl Secret {
    /// What outbox views show instead of the value, and what the stored body holds until the
    /// delivery worker puts the value back just before sending.
    pub fn placeholder(self) -> &'static str {
        match self {
            Secret::Link => "[link hidden]",
            Secret::Password => "[password hidden]",
        }
    }
}

/// Which servers may deliver an email (R-MAIL-6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    /// The sending account's own server when it has one, else the installation's.
    Account,
    /// The installation's server only; with none, the email stays queued.
    InstallationOnly,
}

/// A name that is not a template id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown email template `{0}`")]
pub struct UnknownTemplate(pub String);

const fn token(name: &'static str, description: &'static str) -> Token {
    Token { name, description, secret: None }
}

const fn secret(name: &'static str, description: &'static str, kind: Secret) -> Token {
    Token { name, description, secret: Some(kind) }
}

const USER_FIRST_NAME: Token = token("user.first_name", "First name of the person the email is for");
const USER_LAST_NAME: Token = token("user.last_name", "Last name of the person the email is for");
const USER_EMAIL: Token = token("user.email", "Email address of the person the email is for (their sign-in)");
const ACCOUNT_NAME: Token = token("account.name", "Name of the account");
const EXPIRES_AT: Token = token("expires_at", "When the link stops working, already written out for the reader");

const WELCOME: &[Token] = &[
    USER_FIRST_NAME,
    USER_LAST_NAME,
    USER_EMAIL,
    ACCOUNT_NAME,
    token("inviter.name", "Full name of the member who added them (may be empty)"),
    token(
        "password_set",
        "True when whoever added them set a password (they will tell them what it is); the link then lets them choose their own instead",
    ),
    secret("link", "Link to set a password and sign in", Secret::Link),
    EXPIRES_AT,
    token("sign_in_link", "Link to the sign-in page"),
];

const INVITATION: &[Token] = &[
    token("user.email", "The invited email address"),
    ACCOUNT_NAME,
    token("inviter.name", "Full name of the member who sent the invitation"),
    secret("link", "Link to accept the invitation", Secret::Link),
    EXPIRES_AT,
];

const PASSWORD_RESET: &[Token] = &[
    USER_FIRST_NAME,
    USER_LAST_NAME,
    USER_EMAIL,
    secret("link", "Link to choose a new password", Secret::Link),
    EXPIRES_AT,
];

const PASSWORD_CHANGED: &[Token] = &[
    USER_FIRST_NAME,
    USER_LAST_NAME,
    USER_EMAIL,
    token("changed_at", "When the password was changed, already written out for the reader"),
    token("link", "Link to reset the password, for when the change was not theirs"),
];

const IMPERSONATION_NOTICE: &[Token] = &[
    USER_FIRST_NAME,
    USER_LAST_NAME,
    USER_EMAIL,
    ACCOUNT_NAME,
    token("impersonator.name", "Full name of the person who signed in as them"),
    token("started_at", "When that session started, already written out for the reader"),
];

const INVITATION_REQUEST: &[Token] = &[
    token("inviter.name", "Full name of the member who sent the invitation (this email's recipient)"),
    token("user.email", "The invited email address, which asks for a new invitation"),
    ACCOUNT_NAME,
    token("link", "Link to the account's invitations page"),
];

const PORTAL_LINK: &[Token] = &[
    token("contact.first_name", "First name of the contact"),
    token("contact.last_name", "Last name of the contact"),
    token("contact.email", "Email address of the contact"),
    ACCOUNT_NAME,
    token("sender.name", "Full name of the team member sending the email"),
    secret("portal.link", "Link to the contact's client portal", Secret::Link),
    secret("portal.password", "The portal password; empty when the portal has none", Secret::Password),
];

const EMAIL_CONFIRMATION: &[Token] = &[
    USER_FIRST_NAME,
    USER_LAST_NAME,
    USER_EMAIL,
    token("account.name", "Name of the account the registration creates"),
    secret("link", "Link to confirm the address and finish the registration", Secret::Link),
    EXPIRES_AT,
];

const ACCESS_RESTORED: &[Token] = &[
    USER_FIRST_NAME,
    USER_LAST_NAME,
    USER_EMAIL,
    ACCOUNT_NAME,
    token("restored_by.name", "Full name of the member who restored their access"),
    secret("link", "Link to set a new password", Secret::Link),
    EXPIRES_AT,
];

const DAILY_REMINDER: &[Token] = &[
    USER_FIRST_NAME,
    USER_LAST_NAME,
    USER_EMAIL,
    ACCOUNT_NAME,
    token("day", "The day, in the member's time zone (YYYY-MM-DD)"),
    token("todos", "The to-dos due that day or overdue and not done, one line each"),
    token("events", "The day's events in the member's calendars, one line each"),
    token("follow_ups", "The contacts assigned to the member to follow up that day, one line each"),
];

const REGISTRATION_ATTEMPT: &[Token] = &[
    USER_FIRST_NAME,
    USER_LAST_NAME,
    USER_EMAIL,
    token("sign_in_link", "Link to the sign-in page"),
    token("reset_link", "Link to ask for a password reset"),
];

const TICKET_REPLY: &[Token] = &[
    token("contact.first_name", "First name of the contact"),
    token("contact.last_name", "Last name of the contact"),
    ACCOUNT_NAME,
    token("sender.name", "Full name of the member who replied"),
    token("ticket.number", "The ticket's number in the account (12 for #12)"),
    token("ticket.subject", "The ticket's subject"),
    token("message", "The reply"),
];

const WORKFLOW_EMAIL: &[Token] = &[
    ACCOUNT_NAME,
    token("email.subject", "The step's subject, rendered for the contact (and maybe edited on approval)"),
    token("email.body", "The step's body, rendered for the contact (and maybe edited on approval)"),
    token("sender.name", "Full name of the member the step is assigned to"),
];

/// Builds the built-in source of a template from its three files. The bodies extend the
/// layouts `base.html` and `base.txt` (`templates/base.*`, decision 0053).
macro_rules! builtin {
    ($dir:literal) => {
        TemplateSource {
            subject: std::borrow::Cow::Borrowed(include_str!(concat!("../templates/", $dir, "/subject.txt"))),
            text: std::borrow::Cow::Borrowed(include_str!(concat!("../templates/", $dir, "/body.txt"))),
            html: std::borrow::Cow::Borrowed(include_str!(concat!("../templates/", $dir, "/body.html"))),
        }
    };
}

impl TemplateName {
    /// Every built-in template.
    pub const ALL: [TemplateName; 13] = [
        TemplateName::Welcome,
        TemplateName::Invitation,
        TemplateName::PasswordReset,
        TemplateName::PasswordChanged,
        TemplateName::ImpersonationNotice,
        TemplateName::PortalLink,
        TemplateName::InvitationRequest,
        TemplateName::EmailConfirmation,
        TemplateName::RegistrationAttempt,
        TemplateName::AccessRestored,
        TemplateName::DailyReminder,
        TemplateName::TicketReply,
        TemplateName::WorkflowEmail,
    ];

    /// The stable string id (`password_reset`, `portal_link`…).
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateName::Welcome => "welcome",
            TemplateName::Invitation => "invitation",
            TemplateName::PasswordReset => "password_reset",
            TemplateName::PasswordChanged => "password_changed",
            TemplateName::ImpersonationNotice => "impersonation_notice",
            TemplateName::PortalLink => "portal_link",
            TemplateName::InvitationRequest => "invitation_request",
            TemplateName::EmailConfirmation => "email_confirmation",
            TemplateName::RegistrationAttempt => "registration_attempt",
            TemplateName::AccessRestored => "access_restored",
            TemplateName::DailyReminder => "daily_reminder",
            TemplateName::TicketReply => "ticket_reply",
            TemplateName::WorkflowEmail => "workflow_email",
        }
    }

    /// The tokens this template may use, for the editor and for [`validate`](crate::validate).
    pub fn tokens(self) -> &'static [Token] {
        match self {
            TemplateName::Welcome => WELCOME,
            TemplateName::Invitation => INVITATION,
            TemplateName::PasswordReset => PASSWORD_RESET,
            TemplateName::PasswordChanged => PASSWORD_CHANGED,
            TemplateName::ImpersonationNotice => IMPERSONATION_NOTICE,
            TemplateName::PortalLink => PORTAL_LINK,
            TemplateName::InvitationRequest => INVITATION_REQUEST,
            TemplateName::EmailConfirmation => EMAIL_CONFIRMATION,
            TemplateName::RegistrationAttempt => REGISTRATION_ATTEMPT,
            TemplateName::AccessRestored => ACCESS_RESTORED,
            TemplateName::DailyReminder => DAILY_REMINDER,
            TemplateName::TicketReply => TICKET_REPLY,
            TemplateName::WorkflowEmail => WORKFLOW_EMAIL,
        }
    }

    /// The tokens of this template that hold a secret for the recipient alone (R-MAIL-6).
    pub fn secret_tokens(self) -> impl Iterator<Item = &'static Token> {
        self.tokens().iter().filter(|t| t.secret.is_some())
    }

    /// Whether an email of this template carries a secret (R-MAIL-6): it is stored sealed,
    /// hidden in every outbox view, never copied by Bcc, and delivered through the
    /// installation's server when its recipient is not the sending account's alone.
    pub fn carries_secret(self) -> bool {
        self.secret_tokens().next().is_some()
    }

    /// How an email of this template is delivered whoever it is for: the impersonation notice
    /// goes through the installation's server only (R-IMP-1, R-MAIL-6), so the account whose
    /// member was impersonated cannot swallow it with its own server; the registration mails
    /// belong to no account (R-AUTH-3, R-AUTH-8).
    pub fn route(self) -> Route {
        match self {
            TemplateName::ImpersonationNotice | TemplateName::EmailConfirmation | TemplateName::RegistrationAttempt => {
                Route::InstallationOnly
            }
            TemplateName::Welcome
            | TemplateName::Invitation
            | TemplateName::PasswordReset
            | TemplateName::PasswordChanged
            | TemplateName::PortalLink
            | TemplateName::InvitationRequest
            | TemplateName::AccessRestored
            | TemplateName::DailyReminder
            | TemplateName::TicketReply
            | TemplateName::WorkflowEmail => Route::Account,
        }
    }

    /// The built-in source, used when the account has no override.
    pub fn builtin(self) -> TemplateSource {
        match self {
            TemplateName::Welcome => builtin!("welcome"),
            TemplateName::Invitation => builtin!("invitation"),
            TemplateName::PasswordReset => builtin!("password_reset"),
            TemplateName::PasswordChanged => builtin!("password_changed"),
            TemplateName::ImpersonationNotice => builtin!("impersonation_notice"),
            TemplateName::PortalLink => builtin!("portal_link"),
            TemplateName::InvitationRequest => builtin!("invitation_request"),
            TemplateName::EmailConfirmation => builtin!("email_confirmation"),
            TemplateName::RegistrationAttempt => builtin!("registration_attempt"),
            TemplateName::AccessRestored => builtin!("access_restored"),
            TemplateName::DailyReminder => builtin!("daily_reminder"),
            TemplateName::TicketReply => builtin!("ticket_reply"),
            TemplateName::WorkflowEmail => builtin!("workflow_email"),
        }
    }
}

impl fmt::Display for TemplateName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TemplateName {
    type Err = UnknownTemplate;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TemplateName::ALL.into_iter().find(|t| t.as_str() == s).ok_or_else(|| UnknownTemplate(s.to_owned()))
    }
}
