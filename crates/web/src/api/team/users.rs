//! The members of an account, one page at a time, with search, filters and sort (R-LIST-1).
use axum::extract::{Path, State};
use roster_service::MemberPage;

use crate::AppState;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiQuery, Auth};

/// The account's members (R-LIST-1): search, role and status filters, five sorts, keyset pages
/// (`next_cursor` belongs to the sort it came from). Needs `users.view`.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/users", tag = "members", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), super::import_export::MemberListQuery),
    responses(
        (status = 200, body = MemberPage),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn users(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiQuery(q): ApiQuery<super::import_export::MemberListQuery>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let account_id = path_id(&account_id)?;
    let page = state.service.search_members(&p, account_id, &q.into()).await?;
    // A kept page (decision 0110) is written once.
    let body = page
        .json(|page| super::users_json::member_page(page, 256 + page.items.len() * 768))
        .map_err(roster_service::ServiceError::Internal)?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response())
}
