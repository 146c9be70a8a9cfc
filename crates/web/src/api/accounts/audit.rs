//! The account's audit log (R-AUD-1).
use axum::Json;
use axum::extract::{Path, State};
use roster_service::{AuditPage, AuditQuery};

use crate::AppState;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiQuery, Auth};

/// Audit events, newest first, filtered by actor email, action and dates; needs `audit.view`.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/audit", tag = "accounts", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), AuditQuery),
    responses(
        (status = 200, body = AuditPage),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    Ok(Json(state.service.audit_log(&p, path_id(&account_id)?, &q).await?))
}
