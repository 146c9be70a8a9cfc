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
    /// A member was added to an account; carries a link to set a password (R-ADD-2).
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
}

/// A token a template may use, such as `user.first_name`, with what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Token {
    /// The name as written in a template, e.g. `portal.link` for `{{ portal.link }}`.
    pub name: &'static str,
    /// One line for the template editor.
    pub description: &'static str,
}

/// A name that is not a template id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown email template `{0}`")]
pub struct UnknownTemplate(pub String);

const fn token(name: &'static str, description: &'static str) -> Token {
    Token { name, description }
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
    token("link", "Link to set a password and sign in"),
    EXPIRES_AT,
];

const INVITATION: &[Token] = &[
    token("user.email", "The invited email address"),
    ACCOUNT_NAME,
    token("inviter.name", "Full name of the member who sent the invitation"),
    token("link", "Link to accept the invitation"),
    EXPIRES_AT,
];

const PASSWORD_RESET: &[Token] =
    &[USER_FIRST_NAME, USER_LAST_NAME, USER_EMAIL, token("link", "Link to choose a new password"), EXPIRES_AT];

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
    token("portal.link", "Link to the contact's client portal"),
    token("portal.password", "The portal password; empty when the portal has none"),
];

const EMAIL_CONFIRMATION: &[Token] = &[
    USER_FIRST_NAME,
    USER_LAST_NAME,
    USER_EMAIL,
    token("account.name", "Name of the account the registration creates"),
    token("link", "Link to confirm the address and finish the registration"),
    EXPIRES_AT,
];

const REGISTRATION_ATTEMPT: &[Token] = &[
    USER_FIRST_NAME,
    USER_LAST_NAME,
    USER_EMAIL,
    token("sign_in_link", "Link to the sign-in page"),
    token("reset_link", "Link to ask for a password reset"),
];

/// Builds the built-in source of a template from its three files.
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
    pub const ALL: [TemplateName; 9] = [
        TemplateName::Welcome,
        TemplateName::Invitation,
        TemplateName::PasswordReset,
        TemplateName::PasswordChanged,
        TemplateName::ImpersonationNotice,
        TemplateName::PortalLink,
        TemplateName::InvitationRequest,
        TemplateName::EmailConfirmation,
        TemplateName::RegistrationAttempt,
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
