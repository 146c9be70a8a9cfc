//! The one mapping from domain errors to HTTP: status, problem type, `code` and `rule`
//! (RFC 9457 `application/problem+json`, as API.md sets out). [`refusal`] decides code, status
//! and rule of every [`ServiceError`]; the API's [`ApiError`] and the console's `PageError`
//! (`console/mod.rs`) both ask it, so the two answer the same status and code. The status of a
//! code is in the catalogue ([`ProblemCode::status`]), never chosen at a call site.
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use roster_core::{FieldError, ProblemCode};
use roster_service::ServiceError;
use serde::Serialize;
use utoipa::ToSchema;

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable snake_case id of the error (the `ProblemCode` catalogue).
    pub code: ProblemCode,
    /// The product rule (`R-…`) that refused the request, when one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Field-level messages of a 422.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Sent as the `Retry-After` header (seconds) of a 429, not in the body.
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

/// What answers a refused request, decided once for the API and the console alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub code: ProblemCode,
    pub status: StatusCode,
    /// The product rule that refused, when one did (an escalation: `R-PERM-1`).
    pub rule: Option<&'static str>,
}

/// The HTTP status of a problem code (from the catalogue).
pub fn status_of(code: ProblemCode) -> StatusCode {
    StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The one mapping from a service error to its code, status and rule.
pub fn refusal(e: &ServiceError) -> Refusal {
    let code = e.code();
    Refusal { code, status: status_of(code), rule: e.rule() }
}

/// An error on its way out of an API handler.
#[derive(Debug)]
pub struct ApiError(pub Box<Problem>);

impl ApiError {
    /// A problem of `code`: its status and default rule come from the catalogue.
    pub fn new(code: ProblemCode, detail: impl Into<String>) -> Self {
        let status = status_of(code);
        ApiError(Box::new(Problem {
            type_: format!("https://roster.dev/problems/{}", code.as_str().replace('_', "-")),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code,
            rule: code.rule().map(str::to_owned),
            errors: Vec::new(),
            retry_after: None,
        }))
    }

    pub fn with_rule(mut self, rule: &str) -> Self {
        self.0.rule = Some(rule.to_owned());
        self
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.0.errors = errors;
        self
    }

    pub fn not_found() -> Self {
        Self::new(ProblemCode::NotFound, "There is nothing here, or it is not yours to see.")
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        let r = refusal(&e);
        let detail = match &e {
            ServiceError::Invalid(_) => "Some fields are invalid; see errors.".to_owned(),
            ServiceError::Unauthenticated => "Sign in, or send a valid bearer token.".to_owned(),
            ServiceError::InvalidCredentials => "The login or password is wrong.".to_owned(),
            ServiceError::Throttled { retry_after } => roster_service::too_many_attempts(*retry_after),
            ServiceError::NotFound => "There is nothing here, or it is not yours to see.".to_owned(),
            ServiceError::Forbidden(p) => format!("You need the {} permission for this.", p.id()),
            ServiceError::Escalation(p) => format!(
                "You do not hold the {} permission, so you can neither give it nor act on someone who holds it.",
                p.id()
            ),
            ServiceError::Conflict { message, .. }
            | ServiceError::Rule { message, .. }
            | ServiceError::Closed { message, .. }
            | ServiceError::Limited { message, .. } => message.clone(),
            ServiceError::Gone(_, m) => (*m).to_owned(),
            ServiceError::Refused { errors, .. } => {
                errors.0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" ")
            }
            ServiceError::Unavailable(m) => {
                tracing::error!(error = %m, request_id = %crate::access_log::current_request_id(), "database unavailable");
                "The database is not answering; try again.".to_owned()
            }
            ServiceError::StorageUnavailable(m) => {
                tracing::error!(error = %m, request_id = %crate::access_log::current_request_id(), "storage failing");
                "The database cannot write right now (disk full or I/O error); try again later.".to_owned()
            }
            ServiceError::Internal(m) => {
                tracing::error!(error = %m, request_id = %crate::access_log::current_request_id(), "internal error");
                "Something went wrong on our side.".to_owned()
            }
        };
        let mut out = ApiError::new(r.code, detail);
        out.0.rule = r.rule.map(str::to_owned);
        match e {
            ServiceError::Invalid(errs) => out.0.errors = errs.0,
            ServiceError::Refused { errors, .. } => out.0.errors = errors.0,
            ServiceError::Throttled { retry_after } => {
                out.0.retry_after = Some(roster_service::retry_after_secs(retry_after));
            }
            ServiceError::Limited { retry_after, .. } => {
                out.0.retry_after = retry_after.map(roster_service::retry_after_secs);
            }
            _ => {}
        }
        out
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry_after = self.0.retry_after;
        let mut res = (status, axum::Json(*self.0)).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(secs) = retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Both answers to one service error, as the API and the console give them: the API's problem
/// document and the console page's status (for the test that keeps the two in step).
pub fn api_and_console(make: impl Fn() -> ServiceError) -> (Problem, StatusCode) {
    let api = *ApiError::from(make()).0;
    let crate::console::PageError(console_status, _) = crate::console::PageError::from(make());
    (api, console_status)
}
