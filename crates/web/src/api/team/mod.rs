//! The team: everything under `/api/v1/accounts/{id}/users…`, and the account's roles.
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub(crate) mod impersonate;
pub(crate) mod import_export;
pub(crate) mod lifecycle;
pub(crate) mod member;
pub(crate) mod members;
pub(crate) mod passwords;
pub(crate) mod roles;
pub(crate) mod users;
mod users_json;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(users::users, members::add))
        .routes(routes!(import_export::export))
        .routes(routes!(import_export::import))
        .routes(routes!(member::get, member::update, member::delete))
        .routes(routes!(passwords::member_reset))
        .routes(routes!(passwords::member_password))
        .routes(routes!(lifecycle::disable))
        .routes(routes!(lifecycle::enable))
        .routes(routes!(lifecycle::archive))
        .routes(routes!(lifecycle::restore))
        .routes(routes!(impersonate::impersonate))
        .routes(routes!(roles::list, roles::create))
        .routes(routes!(roles::update, roles::delete))
}
