//! `/projects`, `/tags` under `/api/v1/accounts/{account_id}`.
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
