//! The users list's search, export and import (R-LIST-1, R-EXP-1).
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use roster_service::{Identity, ImportOptions, ImportReport, MemberExport, MemberListParams, csv_header, csv_rows};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::api::path_id;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiQuery, Auth, ClientMeta};

/// Largest CSV body the import endpoint reads; bigger files go through `roster users import`.
pub const IMPORT_MAX_BYTES: usize = 64 * 1024 * 1024;

/// The users list's filters (API.md); the same for the list, its CSV and the console.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemberListQuery {
    /// Text in the name, email or company (3+ characters use the search index); a whole email
    /// address finds that member.
    pub q: Option<String>,
    /// Only this role key.
    pub role: Option<String>,
    /// Comma-separated: `active`, `disabled`, `archived`; default `active,disabled`.
    pub status: Option<String>,
    /// `name` (default), `email`, `company`, `role`, `last_sign_in_at`.
    pub sort: Option<String>,
    /// `asc` (default) or `desc`.
    pub order: Option<String>,
    /// From `next_cursor` of the previous page (of the same sort).
    pub cursor: Option<String>,
    /// 1 to 500; default 50.
    pub limit: Option<i64>,
}

impl From<MemberListQuery> for MemberListParams {
    fn from(q: MemberListQuery) -> Self {
        MemberListParams {
            q: q.q,
            role: q.role,
            status: q.status,
            sort: q.sort,
            order: q.order,
            cursor: q.cursor,
            limit: q.limit,
        }
    }
}

enum Step {
    Header(MemberExport),
    Rows(MemberExport),
    Done,
}

/// The CSV body: the header at once, then one chunk of rows per unit of work.
pub fn csv_body(export: MemberExport) -> Body {
    let stream = futures_util::stream::unfold(Step::Header(export), |step| async move {
        match step {
            Step::Header(ex) => Some((Ok::<Bytes, std::io::Error>(Bytes::from(csv_header())), Step::Rows(ex))),
            Step::Rows(mut ex) => match ex.next_chunk().await.and_then(|c| c.map(|rows| csv_rows(&rows)).transpose()) {
                Ok(Some(bytes)) => Some((Ok(Bytes::from(bytes)), Step::Rows(ex))),
                Ok(None) => None,
                Err(e) => {
                    tracing::warn!(error = %e, "an export stopped");
                    Some((Err(std::io::Error::other(e.to_string())), Step::Done))
                }
            },
            Step::Done => None,
        }
    });
    Body::from_stream(stream)
}

/// A CSV response named `users.csv`.
pub fn csv_response(export: MemberExport) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"users.csv\""),
            (header::CACHE_CONTROL, "no-store"),
        ],
        csv_body(export),
    )
        .into_response()
}

/// The members as CSV (R-EXP-1), streamed; the same filters as the list. Needs `users.export`.
/// Cells that a spreadsheet would run as a formula begin with `'`.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/users.csv", tag = "members", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), MemberListQuery),
    responses(
        (status = 200, description = "CSV: email, first_name, last_name, phone, username, company, role, status, last_sign_in_at, created_at", content_type = "text/csv"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn export(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiQuery(q): ApiQuery<MemberListQuery>,
) -> ApiResult<Response> {
    let account_id = path_id(&account_id)?;
    let export = state.service.export_members(Identity::Person(&p), account_id, &q.into()).await?;
    Ok(csv_response(export))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check every row and report what would happen, changing nothing.
    pub dry_run: Option<bool>,
}

/// Imports members from a CSV body (header line first: `email` and any of `first_name`,
/// `last_name`, `phone`, `username`, `company`, `role`). Idempotent by email; per-row errors.
/// Needs `users.manage`. At most 64 MiB; larger files with `roster users import`.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/users/import", tag = "members", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 200, body = ImportReport),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn import(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: Body,
) -> ApiResult<axum::Json<ImportReport>> {
    let account_id = path_id(&account_id)?;
    let bytes = http_body_util::Limited::new(body, IMPORT_MAX_BYTES)
        .collect()
        .await
        .map_err(|_| {
            ApiError::new(
                roster_core::ProblemCode::TooLarge,
                "The file is larger than 64 MiB: import it with `roster users import`.",
            )
        })?
        .to_bytes();
    let opts = ImportOptions { dry_run: q.dry_run.unwrap_or(false), ..ImportOptions::default() };
    let report =
        state.service.import_members(Identity::Person(&p), account_id, bytes.as_ref(), opts, &meta, &|_| {}).await?;
    Ok(axum::Json(report))
}
