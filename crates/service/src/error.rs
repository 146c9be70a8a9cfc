use roster_core::{Denied, FieldErrors, Permission, ProblemCode};
use roster_store::StoreError;
use thiserror::Error;

/// Everything a use case can answer besides success. Every answer names a [`ProblemCode`]
/// ([`ServiceError::code`]), and the code alone decides the HTTP status; the web crate turns it
/// into a problem document or a console page in one place (`roster_web::error`).
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
    /// A duplicate or a state that does not allow it (409): `message` a sentence for people.
    #[error("{message}")]
    Conflict { code: ProblemCode, message: String },
    /// A product rule refused the request (`rule` is the `R-…` id).
    #[error("{message}")]
    Rule { rule: &'static str, code: ProblemCode, message: String },
    /// Switched off for this installation or account (`code` e.g. `registration_closed`: 403), or
    /// not for this caller as they are (`sign_in_required`: 401). The code says which.
    #[error("{message}")]
    Closed { code: ProblemCode, message: String },
    /// An expired or used link: `gone`, or a code that says which link (`invitation_gone`,
    /// `link_gone`, `address_has_login`).
    #[error("{1}")]
    Gone(ProblemCode, &'static str),
    /// Fields refused for a reason with its own stable `code` (e.g. `smtp_host_refused`,
    /// R-MAIL-7): 422 naming the fields, like [`ServiceError::Invalid`].
    #[error("{code}: some fields are refused")]
    Refused { code: ProblemCode, errors: FieldErrors },
    /// A limit on how much may be done (e.g. `mail_quota`, R-MAIL-7): 429, with `Retry-After`
    /// when waiting helps.
    #[error("{message}")]
    Limited { code: ProblemCode, rule: Option<&'static str>, message: String, retry_after: Option<std::time::Duration> },
    #[error("the service is unavailable: {0}")]
    Unavailable(String),
    /// The database cannot write (disk full, I/O error): 503 `storage_unavailable`.
    #[error("storage is failing: {0}")]
    StorageUnavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    /// The problem code this answer carries; its status is `code().status()`.
    pub fn code(&self) -> ProblemCode {
        match self {
            ServiceError::Invalid(_) => ProblemCode::InvalidFields,
            ServiceError::Unauthenticated => ProblemCode::Unauthenticated,
            ServiceError::InvalidCredentials => ProblemCode::InvalidCredentials,
            ServiceError::Throttled { .. } => ProblemCode::TooManyAttempts,
            ServiceError::NotFound => ProblemCode::NotFound,
            ServiceError::Forbidden(_) | ServiceError::Escalation(_) => ProblemCode::Forbidden,
            ServiceError::Conflict { code, .. }
            | ServiceError::Rule { code, .. }
            | ServiceError::Closed { code, .. }
            | ServiceError::Gone(code, _)
            | ServiceError::Refused { code, .. }
            | ServiceError::Limited { code, .. } => *code,
            ServiceError::Unavailable(_) => ProblemCode::Unavailable,
            ServiceError::StorageUnavailable(_) => ProblemCode::StorageUnavailable,
            ServiceError::Internal(_) => ProblemCode::Internal,
        }
    }

    /// The product rule that refused, if one did: the use case's own words first (`Rule`,
    /// `Limited`), else the variant's (R-PERM-3 for a missing permission, R-PERM-1 for an
    /// escalation), else the code's.
    pub fn rule(&self) -> Option<&'static str> {
        match self {
            ServiceError::Rule { rule, .. } => Some(rule),
            ServiceError::Limited { rule: Some(rule), .. } => Some(rule),
            ServiceError::Forbidden(_) => Some("R-PERM-3"),
            ServiceError::Escalation(_) => Some("R-PERM-1"),
            other => other.code().rule(),
        }
    }

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
                code: roster_core::ProblemCode::OwnerOnly,
                message: "In this account only the owner may send, resend or revoke invitations.".to_owned(),
            },
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(what) => ServiceError::Conflict {
                code: roster_core::ProblemCode::Duplicate,
                message: format!("That {what} is already in use."),
            },
            StoreError::Rule(rule) => ServiceError::Rule {
                rule,
                code: roster_core::ProblemCode::OwnerRule,
                message: match rule {
                    "R-OWN-4" => "The account owner cannot be disabled, archived, deleted or impersonated.".into(),
                    "R-OWN-3" => "Ownership can only move to an active member.".into(),
                    _ => "Every account has exactly one owner.".into(),
                },
            },
            StoreError::Unavailable(m) => ServiceError::Unavailable(m),
            StoreError::Storage(m) => ServiceError::StorageUnavailable(m),
            other => ServiceError::Internal(other.to_string()),
        }
    }
}
