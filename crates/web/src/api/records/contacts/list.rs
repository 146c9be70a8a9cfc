//! The contact list, its CSV and the pipeline's counts (R-CON-1), in the caller's scope.
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use roster_service::contacts::{
    CONTACT_CSV_HEADER, ContactExport, ContactImportReport, ContactListParams, ContactPage, PipelineColumn,
};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiQuery, Auth, ClientMeta};

/// The contact list's filters (API.md); the same for the list, its CSV and the pipeline.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactListQuery {
    /// Text in the name, company or email; a whole email address finds that contact.
    pub q: Option<String>,
    /// `client`, `lead`, `vendor` or `collaborator`.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    /// A pipeline stage.
    pub stage: Option<String>,
    /// A tag's name.
    pub tag: Option<String>,
    /// A member's user id.
    pub assigned_to: Option<String>,
    /// `true`: hidden contacts too (default: left out).
    pub hidden: Option<String>,
    /// `name` (default), `company`, `created_at`, `stage`.
    pub sort: Option<String>,
    /// `asc` (default) or `desc`.
    pub order: Option<String>,
    /// From `next_cursor` of the previous page (of the same sort).
    pub cursor: Option<String>,
    /// 1 to 500; default 50.
    pub limit: Option<i64>,
}

impl From<ContactListQuery> for ContactListParams {
    fn from(q: ContactListQuery) -> Self {
        ContactListParams {
            q: q.q,
            kind: q.kind,
            stage: q.stage,
            tag: q.tag,
            assigned_to: q.assigned_to,
            hidden: q.hidden,
            sort: q.sort,
            order: q.order,
            cursor: q.cursor,
            limit: q.limit,
        }
    }
}

/// The contacts in the caller's scope: all with `contacts.view_all`, else those assigned to them.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/contacts", tag = "contacts", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ContactListQuery),
    responses(
        (status = 200, body = ContactPage),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiQuery(q): ApiQuery<ContactListQuery>,
) -> ApiResult<Json<ContactPage>> {
    Ok(Json(state.service.list_contacts(&p, path_id(&account_id)?, &q.into()).await?))
}

/// The contacts in scope matching the filters, as CSV (creation order unless `sort` is given).
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/contacts.csv", tag = "contacts", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ContactListQuery),
    responses(
        (status = 200, body = String, content_type = "text/csv"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn export(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiQuery(q): ApiQuery<ContactListQuery>,
) -> ApiResult<Response> {
    let export = state.service.contact_export(&p, path_id(&account_id)?, &q.into()).await?;
    enum Step {
        Header(ContactExport),
        Rows(ContactExport),
    }
    // The header at once, then one chunk of rows per unit of work: memory stays flat.
    let stream = futures_util::stream::unfold(Some(Step::Header(export)), |step| async move {
        match step? {
            Step::Header(ex) => {
                Some((Ok::<Bytes, std::io::Error>(Bytes::from(CONTACT_CSV_HEADER)), Some(Step::Rows(ex))))
            }
            Step::Rows(mut ex) => match ex.next_chunk().await {
                Ok(Some(text)) => Some((Ok(Bytes::from(text)), Some(Step::Rows(ex)))),
                Ok(None) => None,
                Err(e) => {
                    tracing::warn!(error = %e, "a contacts export stopped");
                    Some((Err(std::io::Error::other(e.to_string())), None))
                }
            },
        }
    });
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"contacts.csv\""),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// How many contacts in scope stand at each pipeline stage (every stage, in pipeline order).
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/contacts/pipeline", tag = "contacts", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ContactListQuery),
    responses(
        (status = 200, body = Vec<PipelineColumn>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn pipeline(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiQuery(q): ApiQuery<ContactListQuery>,
) -> ApiResult<Json<Vec<PipelineColumn>>> {
    Ok(Json(state.service.contact_pipeline(&p, path_id(&account_id)?, &q.into()).await?))
}

/// Imports contacts from a CSV body (header line first; the export's columns). Idempotent by
/// the first email address within the caller's scope; every row's result. When any row is
/// refused, nothing is written and the answer is 422 with the same report.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/contacts/import", tag = "contacts", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 200, body = ContactImportReport),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = ContactImportReport),
))]
pub async fn import(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let report = state.service.import_contacts(&p, path_id(&account_id)?, &body, &meta).await?;
    let status = if report.applied { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, Json(report)).into_response())
}
