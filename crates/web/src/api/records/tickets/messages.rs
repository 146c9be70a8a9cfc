//! A ticket's thread: reading it and adding a message.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::{NewTicketMessage, TicketMessagePage, TicketReplyView};

use crate::AppState;
use crate::api::{CREATED, path_id};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, Auth, ClientMeta};

/// The ticket's messages, oldest first.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/tickets/{ticket_id}/messages", tag = "tickets", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("ticket_id" = String, Path, description = "The ticket's id")),
    responses(
        (status = 200, body = TicketMessagePage),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path((account_id, ticket_id)): Path<(String, String)>,
) -> ApiResult<Json<TicketMessagePage>> {
    Ok(Json(state.service.ticket_messages(&p, path_id(&account_id)?, path_id(&ticket_id)?).await?))
}

/// Adds a message: a member's reply (status `answered`, emailed to the contact; `warning` says
/// when it could not be) or, with `from_contact`, the contact's (status `open`).
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/tickets/{ticket_id}/messages", tag = "tickets", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("ticket_id" = String, Path, description = "The ticket's id")),
    request_body = NewTicketMessage,
    responses(
        (status = 201, body = TicketReplyView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, ticket_id)): Path<(String, String)>,
    ApiJson(req): ApiJson<NewTicketMessage>,
) -> ApiResult<(StatusCode, Json<TicketReplyView>)> {
    let reply = state.service.reply_to_ticket(&p, path_id(&account_id)?, path_id(&ticket_id)?, &req, &meta).await?;
    Ok((CREATED, Json(reply)))
}
