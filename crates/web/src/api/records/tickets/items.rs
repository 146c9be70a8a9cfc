//! Tickets: the list, one ticket, opening, changing and deleting.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::{NewTicket, TicketListParams, TicketPage, TicketPatch, TicketView};

use crate::AppState;
use crate::api::{CREATED, path_id};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Auth, ClientMeta};

/// The tickets the caller reaches (`tickets.view_open`: all; else those assigned to them).
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/tickets", tag = "tickets", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), TicketListParams),
    responses(
        (status = 200, body = TicketPage),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiQuery(q): ApiQuery<TicketListParams>,
) -> ApiResult<Json<TicketPage>> {
    Ok(Json(state.service.list_tickets(&p, path_id(&account_id)?, &q).await?))
}

/// Opens a ticket (`tickets.view_open`).
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/tickets", tag = "tickets", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    request_body = NewTicket,
    responses(
        (status = 201, body = TicketView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiJson(req): ApiJson<NewTicket>,
) -> ApiResult<(StatusCode, Json<TicketView>)> {
    Ok((CREATED, Json(state.service.create_ticket(&p, path_id(&account_id)?, &req, &meta).await?)))
}

/// One ticket.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/tickets/{ticket_id}", tag = "tickets", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("ticket_id" = String, Path, description = "The ticket's id")),
    responses(
        (status = 200, body = TicketView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path((account_id, ticket_id)): Path<(String, String)>,
) -> ApiResult<Json<TicketView>> {
    Ok(Json(state.service.ticket(&p, path_id(&account_id)?, path_id(&ticket_id)?).await?))
}

/// Changes a ticket's subject, status, priority, assignee or contact.
#[utoipa::path(patch, path = "/api/v1/accounts/{account_id}/tickets/{ticket_id}", tag = "tickets", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("ticket_id" = String, Path, description = "The ticket's id")),
    request_body = TicketPatch,
    responses(
        (status = 200, body = TicketView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn update(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, ticket_id)): Path<(String, String)>,
    ApiJson(req): ApiJson<TicketPatch>,
) -> ApiResult<Json<TicketView>> {
    Ok(Json(state.service.update_ticket(&p, path_id(&account_id)?, path_id(&ticket_id)?, &req, &meta).await?))
}

/// Deletes a ticket and its messages (admins: `account.settings`).
#[utoipa::path(delete, path = "/api/v1/accounts/{account_id}/tickets/{ticket_id}", tag = "tickets", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("ticket_id" = String, Path, description = "The ticket's id")),
    responses(
        (status = 204),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn delete(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, ticket_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.service.delete_ticket(&p, path_id(&account_id)?, path_id(&ticket_id)?, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
