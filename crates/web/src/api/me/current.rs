//! Who is signed in, with their memberships.
use axum::Json;
use axum::extract::State;
use roster_service::MeView;

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::Auth;

/// The caller, their memberships and the current account.
#[utoipa::path(get, path = "/api/v1/me", tag = "sign-in", security(("bearer" = [])), responses(
    (status = 200, body = MeView),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
pub async fn me(State(state): State<AppState>, Auth(p): Auth) -> ApiResult<Json<MeView>> {
    Ok(Json(state.service.me(&p).await?))
}
