//! The one mapping from domain errors to HTTP: status, problem type, `code` and `rule`
//! (RFC 9457 `application/problem+json`, as API.md sets out).
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use roster_core::FieldError;
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
    /// Stable snake_case id of the error.
    pub code: String,
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

/// An error on its way out of an API handler.
#[derive(Debug)]
pub struct ApiError(pub Box<Problem>);

impl ApiError {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        ApiError(Box::new(Problem {
            type_: format!("https://roster.dev/problems/{}", code.replace('_', "-")),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_owned(),
            rule: None,
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
        Self::new(StatusCode::NOT_FOUND, "not_found", "There is nothing here, or it is not yours to see.")
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid(errs) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_fields",
                "Some fields are invalid; see errors.",
            )
            .with_errors(errs.0),
            ServiceError::Unauthenticated => {
                ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Sign in, or send a valid bearer token.")
            }
            ServiceError::InvalidCredentials => {
                ApiError::new(StatusCode::UNAUTHORIZED, "invalid_credentials", "The login or password is wrong.")
                    .with_rule("R-AUTH-7")
            }
            ServiceError::Throttled { retry_after } => {
                let mut e = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_attempts",
                    roster_service::too_many_attempts(retry_after),
                )
                .with_rule("R-AUTH-7");
                e.0.retry_after = Some(roster_service::retry_after_secs(retry_after));
                e
            }
            ServiceError::NotFound => ApiError::not_found(),
            ServiceError::Forbidden(p) => ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("You need the {} permission for this.", p.id()),
            )
            .with_rule("R-PERM-3"),
            ServiceError::Escalation(p) => ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!(
                    "You do not hold the {} permission, so you can neither give it nor act on someone who holds it.",
                    p.id()
                ),
            )
            .with_rule("R-PERM-1"),
            ServiceError::Conflict { code, message } => ApiError::new(StatusCode::CONFLICT, code, message),
            ServiceError::Rule { rule, code, message } => {
                ApiError::new(StatusCode::CONFLICT, code, message).with_rule(rule)
            }
            ServiceError::Gone(m) => ApiError::new(StatusCode::GONE, "gone", m),
            ServiceError::Refused { code, errors } => {
                let detail = errors.0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" ");
                let e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail).with_errors(errors.0);
                if code == "smtp_host_refused" { e.with_rule("R-MAIL-7") } else { e }
            }
            ServiceError::Limited { code, rule, message, retry_after } => {
                let mut e = ApiError::new(StatusCode::TOO_MANY_REQUESTS, code, message);
                if let Some(rule) = rule {
                    e = e.with_rule(rule);
                }
                e.0.retry_after = retry_after.map(roster_service::retry_after_secs);
                e
            }
            ServiceError::Closed { code, message } => ApiError::new(StatusCode::FORBIDDEN, code, message),
            ServiceError::Unavailable(m) => {
                tracing::error!(error = %m, "database unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "The database is not answering; try again.",
                )
            }
            ServiceError::Internal(m) => {
                tracing::error!(error = %m, "internal error");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Something went wrong on our side.")
            }
        }
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
