//! The caller's own profile, password and sessions.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::{SessionView, UserView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, Auth, ClientMeta};

/// Changes the caller's name and time zone.
#[utoipa::path(patch, path = "/api/v1/me", tag = "sign-in", request_body = ProfileRequest, security(("bearer" = [])), responses(
    (status = 200, body = UserView),
    (status = 403, description = "impersonating: refused during \"log in as\" (R-IMP-1)", body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn update(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    ApiJson(req): ApiJson<ProfileRequest>,
) -> ApiResult<Json<UserView>> {
    let first = req.first_name.unwrap_or_else(|| p.user().first_name.clone());
    let last = req.last_name.unwrap_or_else(|| p.user().last_name.clone());
    let tz = req.time_zone.unwrap_or_else(|| p.user().time_zone.clone());
    Ok(Json(state.service.update_my_profile(&p, &first, &last, &tz, &meta).await?))
}

/// Changes the caller's password; every other session ends and a notice is emailed.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "sign-in", request_body = PasswordChange, security(("bearer" = [])), responses(
    (status = 204, description = "Changed"),
    (status = 403, description = "impersonating: refused during \"log in as\" (R-IMP-1)", body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "too_many_attempts: too many wrong current passwords (R-AUTH-7)", body = Problem, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds until the block ends, rounded up"))),
))]
pub async fn password(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    ApiJson(req): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    state.service.change_my_password(&p, &req.current_password, &req.password, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's live sessions and sign-in tokens, the most recently used first.
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "sign-in", security(("bearer" = [])), responses(
    (status = 200, body = Vec<SessionView>),
    (status = 403, description = "impersonating: refused during \"log in as\" (R-IMP-1)", body = Problem, content_type = "application/problem+json"),
))]
pub async fn sessions(State(state): State<AppState>, Auth(p): Auth) -> ApiResult<Json<Vec<SessionView>>> {
    Ok(Json(state.service.my_sessions(&p).await?))
}

/// Ends one of the caller's sessions at once.
#[utoipa::path(delete, path = "/api/v1/me/sessions/{session_id}", tag = "sign-in", security(("bearer" = [])),
    params(("session_id" = String, Path, description = "The session's id")),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn end_session(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.service.end_my_session(&p, path_id(&id)?, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every session of the caller except this one.
#[utoipa::path(post, path = "/api/v1/me/sessions/end-others", tag = "sign-in", security(("bearer" = [])), responses(
    (status = 200, body = EndedSessions),
))]
pub async fn end_others(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
) -> ApiResult<Json<EndedSessions>> {
    Ok(Json(EndedSessions { ended: state.service.end_my_other_sessions(&p, &meta).await? }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// IANA name, e.g. `Europe/Paris`.
    pub time_zone: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndedSessions {
    pub ended: u64,
}
