use roster_core::{Denied, FieldErrors, Permission};
use roster_store::StoreError;
use thiserror::Error;

/// Everything a use case can answer besides success. The web crate maps each variant to one
/// HTTP status and problem type, in one place (`roster_web::error`).
#[derive(Debug, Error)]
pub enum ServiceError {
    #[error("some fields are invalid")]
    Invalid(FieldErrors),
    #[error("not signed in")]
    Unauthenticated,
    #[error("the login or password is wrong")]
    InvalidCredentials,
    /// Too many failed sign-ins for the login or the client address (R-AUTH-7); the attempt
    /// was refused without looking at the password.
    #[error("too many failed sign-ins; try again in {} s", crate::retry_after_secs(*retry_after))]
    Throttled { retry_after: std::time::Duration },
    #[error("not found")]
    NotFound,
    #[error("you need the {} permission", .0.id())]
    Forbidden(Permission),
    /// R-PERM-1: the actor does not hold this permission, so may neither give it nor act on
    /// someone who holds it (403 like [`ServiceError::Forbidden`], rule `R-PERM-1`).
    #[error("you do not hold the {} permission", .0.id())]
    Escalation(Permission),
    /// A duplicate: `code` is stable snake_case, `message` a sentence for people.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// A product rule refused the request (`rule` is the `R-…` id).
    #[error("{message}")]
    Rule { rule: &'static str, code: &'static str, message: String },
    /// Switched off for this installation or account (`code` e.g. `registration_closed`): 403.
    #[error("{message}")]
    Closed { code: &'static str, message: String },
    /// An expired or used link.
    #[error("{0}")]
    Gone(&'static str),
    /// Fields refused for a reason with its own stable `code` (e.g. `smtp_host_refused`,
    /// R-MAIL-7): 422 naming the fields, like [`ServiceError::Invalid`].
    #[error("{code}: some fields are refused")]
    Refused { code: &'static str, errors: FieldErrors },
    /// A limit on how much may be done (e.g. `mail_quota`, R-MAIL-7): 429, with `Retry-After`
    /// when waiting helps.
    #[error("{message}")]
    Limited {
        code: &'static str,
        rule: Option<&'static str>,
        message: String,
        retry_after: Option<std::time::Duration>,
    },
    #[error("the service is unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut e = FieldErrors::new();
        e.add(field, message);
        ServiceError::Invalid(e)
    }
}

impl From<Denied> for ServiceError {
    fn from(d: Denied) -> Self {
        match d {
            Denied::NotFound => ServiceError::NotFound,
            Denied::Forbidden(p) => ServiceError::Forbidden(p),
            // R-PERM-2: a 403 that says why, not "you need users.invite" to someone who holds it.
            Denied::OwnerOnly => ServiceError::Closed {
                code: "owner_only",
                message: "In this account only the owner may send, resend or revoke invitations.".to_owned(),
            },
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(what) => {
                ServiceError::Conflict { code: "duplicate", message: format!("That {what} is already in use.") }
            }
            StoreError::Rule(rule) => ServiceError::Rule {
                rule,
                code: "owner_rule",
                message: match rule {
                    "R-OWN-4" => "The account owner cannot be disabled, archived, deleted or impersonated.".into(),
                    "R-OWN-3" => "Ownership can only move to an active member.".into(),
                    _ => "Every account has exactly one owner.".into(),
                },
            },
            StoreError::Unavailable(m) => ServiceError::Unavailable(m),
            other => ServiceError::Internal(other.to_string()),
        }
    }
}
