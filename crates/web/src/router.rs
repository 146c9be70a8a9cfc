//! The whole router: operations, API (with its OpenAPI document) and console, and the layers
//! every request passes through.

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Request, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Router, middleware};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::{AppState, api, console, metrics, ops};

#[derive(OpenApi)]
#[openapi(
    info(title = "Roster", description = "Accounts, team members, roles and permissions, sign-in and audit for small-business software."),
    modifiers(&BearerAuth),
    components(schemas(
        roster_core::ProblemCode,
        roster_core::AuditAction,
        roster_core::MembershipStatus,
        roster_core::RoleKind,
        roster_core::InvitePolicy,
        roster_core::InvitationStatus
    )),
    tags(
        (name = "operations", description = "Health, readiness and metrics"),
        (name = "sign-in", description = "Tokens, sessions and the current user"),
        (name = "accounts", description = "Accounts (tenants) and the permission catalogue"),
        (name = "members", description = "The people of an account"),
        (name = "invitations", description = "Invitations to join an account"),
        (name = "email", description = "Outbox, templates and outgoing servers"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

fn documented() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(ops::healthz))
        .routes(routes!(ops::readyz))
        .routes(routes!(ops::metrics))
        .merge(api::routes())
        .split_for_parts()
}

/// The OpenAPI 3.1 document, generated from the handlers' annotations, with the answers every
/// operation of its kind can give added ([`GenericAnswers`]).
pub fn openapi() -> utoipa::openapi::OpenApi {
    finished(documented().1)
}

/// The document as served: the version, and the statuses every route can answer.
fn finished(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    GenericAnswers.modify(&mut doc);
    doc
}

/// The statuses the layers and extractors answer whatever the handler (issue 18, "OpenAPI
/// truth"): 401 on bearer routes (`Auth`), 400/413/415/422 on JSON bodies (`ApiJson`, the body
/// limit), 422 on query values (`ApiQuery`, `nul_guard`), 404 where the path names ids, and 503
/// everywhere the database is asked. A handler's own words for a status are kept.
struct GenericAnswers;

impl Modify for GenericAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let problem = |what: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(what)
                    .content(
                        "application/problem+json",
                        ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
                    )
                    .build(),
            )
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let ops = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for op in ops.into_iter().flatten() {
                let mut add = |status: &str, what: &str| {
                    op.responses.responses.entry(status.to_owned()).or_insert_with(|| problem(what));
                };
                if matches!(path.as_str(), "/healthz" | "/metrics") {
                    continue;
                }
                add("503", "The database is not answering, or cannot write (`unavailable`, `storage_unavailable`)");
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    add("401", "No valid bearer token (`unauthenticated`)");
                }
                if path.contains('{') {
                    add("404", "Not found, or not yours to see (`not_found`)");
                }
                let json_body = op
                    .request_body
                    .as_ref()
                    .is_some_and(|b| matches!(b, RefOr::T(b) if b.content.contains_key("application/json")));
                if json_body {
                    add("400", "The body is not JSON (`malformed_json`)");
                    add("413", "The body is larger than 1 MiB (`body_too_large`)");
                    add("415", "The body is not sent as application/json (`unsupported_media_type`)");
                    add("422", "Some fields are invalid; `errors` names them (`invalid_fields`)");
                } else if op.request_body.is_some() {
                    add("413", "The body is larger than 1 MiB (`body_too_large`)");
                }
                let query = op
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Query));
                if query {
                    add("422", "A query value is invalid; `errors` names it (`invalid_fields`)");
                }
            }
        }
    }
}

pub fn router(state: AppState) -> Router {
    let (documented, doc) = documented();
    // Served as the bytes written once at start: the document's tree (a few MiB of small
    // strings and maps) is not kept for the server's life (decision 0107).
    let doc = axum::body::Bytes::from(serde_json::to_vec(&finished(doc)).unwrap_or_default());
    documented
        .route(
            "/api/v1/openapi.json",
            get(move || std::future::ready(([(axum::http::header::CONTENT_TYPE, "application/json")], doc.clone()))),
        )
        .merge(console::routes())
        .route_layer(middleware::from_fn_with_state(state.clone(), metrics::track))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .layer(middleware::from_fn(crate::nul_guard::refuse_nul))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::new(roster_core::ProblemCode::Internal, "Something went wrong on our side.").into_response()
        }))
        .layer(middleware::from_fn_with_state(state.clone(), private_answers))
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(security_header(header::REFERRER_POLICY, "same-origin"))
        .layer(security_header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ))
        .layer(middleware::from_fn(crate::access_log::log_access))
        .with_state(state)
}

/// PRODUCT.md §10: no shared or browser cache keeps an answer meant for one person. Every answer
/// to a request that carries credentials (a bearer token, the session or the "log in as" cookie)
/// and every answer to an unsafe method (sign-in, token creation, impersonation: answers that
/// carry a secret) gets `Cache-Control: no-store`; the stylesheet stays cacheable. Behind HTTPS
/// (`ROSTER_PUBLIC_URL` https://) every answer also carries HSTS.
async fn private_answers(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request<axum::body::Body>,
    next: middleware::Next,
) -> Response {
    let credentials = req.headers().contains_key(header::AUTHORIZATION)
        || crate::extract::has_cookie(req.headers(), state.config.session_cookie())
        || crate::extract::has_cookie(req.headers(), console::admin_cookie_name(&state.config));
    let unsafe_method = !matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD);
    let asset = req.uri().path().starts_with("/static/");
    let mut res = next.run(req).await;
    if (credentials || unsafe_method) && !asset {
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.secure_cookies() {
        res.headers_mut()
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    res
}

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Unknown routes: problem+json under `/api`, a page elsewhere.
async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::new(roster_core::ProblemCode::NotFound, format!("No route {} here.", uri.path())).into_response()
    } else {
        console::not_found_page()
    }
}

async fn method_not_allowed(uri: Uri) -> Response {
    ApiError::new(roster_core::ProblemCode::MethodNotAllowed, format!("{} does not take this method.", uri.path()))
        .into_response()
}
