//! One contact: create, read, change, delete (R-CON-1), in the caller's scope.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::contacts::{ContactInput, ContactView};

use crate::AppState;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, Auth, ClientMeta};

/// A new contact (`contacts.edit`), assigned to the caller unless `assigned_to` names another
/// active member (only with `contacts.view_all`).
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/contacts", tag = "contacts", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    request_body = ContactInput,
    responses(
        (status = 201, body = ContactView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiJson(input): ApiJson<ContactInput>,
) -> ApiResult<(StatusCode, Json<ContactView>)> {
    let c = state.service.create_contact(&p, path_id(&account_id)?, &input, &meta).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// One contact in the caller's scope (else 404).
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/contacts/{contact_id}", tag = "contacts", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("contact_id" = String, Path, description = "The contact's id")),
    responses(
        (status = 200, body = ContactView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path((account_id, contact_id)): Path<(String, String)>,
) -> ApiResult<Json<ContactView>> {
    Ok(Json(state.service.get_contact(&p, path_id(&account_id)?, path_id(&contact_id)?).await?))
}

/// Changes the fields sent (`contacts.edit`).
#[utoipa::path(patch, path = "/api/v1/accounts/{account_id}/contacts/{contact_id}", tag = "contacts", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("contact_id" = String, Path, description = "The contact's id")),
    request_body = ContactInput,
    responses(
        (status = 200, body = ContactView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn update(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, contact_id)): Path<(String, String)>,
    ApiJson(input): ApiJson<ContactInput>,
) -> ApiResult<Json<ContactView>> {
    Ok(Json(state.service.update_contact(&p, path_id(&account_id)?, path_id(&contact_id)?, &input, &meta).await?))
}

/// Deletes a contact (`contacts.delete`).
#[utoipa::path(delete, path = "/api/v1/accounts/{account_id}/contacts/{contact_id}", tag = "contacts", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("contact_id" = String, Path, description = "The contact's id")),
    responses(
        (status = 204),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn delete(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, contact_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.service.delete_contact(&p, path_id(&account_id)?, path_id(&contact_id)?, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
