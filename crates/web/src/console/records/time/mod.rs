//! The console's time pages (R-TIME-1): `…/time` (the viewer's running timer and entries, the
//! manual entry form, start and stop), `…/time/{entry_id}/edit` and `…/delete`, and
//! `…/time/report` (table, totals, a server-rendered SVG bar chart of hours per week, CSV).
//! Start and stop also come from the header and from project and contact pages: each posts to
//! `…/time/start` or `…/time/stop` with the page to return to.
use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

mod entries;
mod report;
mod timer;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts/{account_id}/time", get(entries::show).post(entries::create))
        .route("/accounts/{account_id}/time/start", post(timer::start))
        .route("/accounts/{account_id}/time/stop", post(timer::stop))
        .route("/accounts/{account_id}/time/report", get(report::show))
        .route("/accounts/{account_id}/time/report.csv", get(report::csv))
        .route("/accounts/{account_id}/time/{entry_id}/edit", get(entries::edit).post(entries::save))
        .route("/accounts/{account_id}/time/{entry_id}/delete", post(entries::delete))
}

/// A page to return to after a start or stop: a path of this console, else the time page.
pub(crate) fn back_to(account_id: uuid::Uuid, back: &str) -> String {
    let ok = back.starts_with(&format!("/accounts/{account_id}/")) && !back.contains("//") && !back.contains('\\');
    if ok { back.to_owned() } else { format!("/accounts/{account_id}/time") }
}
