//! `GET|POST /accounts/{id}/contacts/import`: paste CSV (the export's columns), see each row's
//! result; when any row is refused nothing is written (422).
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use roster_service::ServiceError;
use roster_service::contacts::ContactImportReport;
use uuid::Uuid;

use crate::AppState;
use crate::console::Nav;
use crate::console::common::{PageResult, account_nav, fail, path_id};
use crate::console::session::ConsoleUser;
use crate::console::team::rights_form::field;
use crate::extract::ClientMeta;

#[derive(Template, WebTemplate)]
#[template(path = "records/contacts/import.html")]
pub struct ImportPage {
    nav: Nav,
    account_id: Uuid,
    csv: String,
    report: Option<ContactImportReport>,
    alert: Option<String>,
}

/// `GET /accounts/{id}/contacts/import`
pub async fn form(State(state): State<AppState>, user: ConsoleUser, Path(account_id): Path<String>) -> PageResult {
    let account_id = path_id(&account_id)?;
    let nav = account_nav(&state, &user, account_id).await?;
    Ok(ImportPage { nav, account_id, csv: String::new(), report: None, alert: None }.into_response())
}

/// `POST /accounts/{id}/contacts/import`
pub async fn submit(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(account_id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    user.check_csrf(field(&pairs, "csrf"))?;
    let account_id = path_id(&account_id)?;
    let nav = account_nav(&state, &user, account_id).await?;
    let csv = field(&pairs, "csv").to_owned();
    let (status, report, alert) = match state.service.import_contacts(&user.0, account_id, csv.as_bytes(), &meta).await
    {
        Ok(r) if r.applied => (StatusCode::OK, Some(r), None),
        Ok(r) => {
            (StatusCode::UNPROCESSABLE_ENTITY, Some(r), Some("Nothing was imported: fix the rows below.".to_owned()))
        }
        Err(ServiceError::Invalid(e)) => {
            let f = e.first_field().unwrap_or("").to_owned();
            (StatusCode::UNPROCESSABLE_ENTITY, None, Some(e.get(&f).unwrap_or("").to_owned()))
        }
        Err(e) => return Err(fail(&user)(e)),
    };
    Ok((status, ImportPage { nav, account_id, csv, report, alert }).into_response())
}
