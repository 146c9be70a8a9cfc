//! One member's page: who they are, their rights (a built-in role, one of the account's roles,
//! or permissions chosen for them; R-PERM-1, R-OWN-2), their preferences (the member or an
//! admin), and permanent delete (R-DEL-1) with the heir picked and the outcome spelt out.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use roster_core::{FieldErrors, Permission};
use roster_service::{LANDING_PAGES, MemberPatch, MemberView, PreferencesPatch, ServiceError};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::console::common::{PageResult, account_nav, fail, path_id};
use crate::console::session::ConsoleUser;
use crate::console::team::rights_form::{PermissionGroup, field, grouped, set_of, ticked};
use crate::console::{Nav, PageError};
use crate::extract::ClientMeta;

/// The role select's value for "choose permissions below".
const CHOOSE: &str = "__choose";

#[derive(Template, WebTemplate)]
#[template(path = "team/member.html")]
pub struct MemberPage {
    nav: Nav,
    account_id: Uuid,
    m: MemberView,
    /// `(value, label)`: built-in roles, the account's roles, then "choose permissions".
    roles: Vec<(String, String)>,
    /// The option the rights form selects.
    selected: String,
    groups: Vec<PermissionGroup>,
    landing_pages: &'static [&'static str],
    /// The viewer may change this member's rights (not their own, not the owner's).
    may_edit_rights: bool,
    may_edit_prefs: bool,
    may_delete: bool,
    /// Active members who may receive the records of a deleted member.
    heirs: Vec<(Uuid, String)>,
    errors: FieldErrors,
    alert: Option<String>,
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Done {
    done: String,
}

async fn page(state: &AppState, user: &ConsoleUser, account_id: Uuid, user_id: Uuid) -> Result<MemberPage, PageError> {
    let nav = account_nav(state, user, account_id).await?;
    let m = state.service.member(&user.0, account_id, user_id).await.map_err(fail(user))?;
    let me = user.0.user.id;
    let mine = state.service.member(&user.0, account_id, me).await.ok();
    let held = |p: Permission| mine.as_ref().is_some_and(|v| v.is_owner || v.permissions.contains(&p.id()));
    let manages = held(Permission::UsersManage);
    let mut roles = Vec::new();
    if let Ok(list) = state.service.roles(&user.0, account_id).await {
        roles = list.items.into_iter().map(|r| (r.id, r.name)).collect();
    }
    let selected = match m.custom_role_id {
        Some(id) => id.to_string(),
        None if m.role == "custom" => CHOOSE.to_owned(),
        None => m.role.clone(),
    };
    roles.push((CHOOSE.to_owned(), "Choose permissions below".to_owned()));
    let own: Vec<String> = m.permissions.iter().map(|p| (*p).to_owned()).collect();
    let mut heirs = Vec::new();
    if manages && !m.is_owner && user_id != me {
        let list = state.service.list_members(&user.0, account_id, None, Some(500)).await.map_err(fail(user))?;
        heirs = list
            .items
            .into_iter()
            .filter(|h| h.status == "active" && h.user_id != user_id)
            .map(|h| (h.user_id, format!("{} {} ({})", h.first_name, h.last_name, h.email)))
            .collect();
        // The admin first: the default heir.
        heirs.sort_by_key(|(id, _)| *id != me);
    }
    let (may_edit_rights, may_delete) = (nav.can.edit_rights(&m), nav.can.delete(&m));
    Ok(MemberPage {
        nav,
        account_id,
        may_edit_rights,
        may_edit_prefs: manages || user_id == me,
        may_delete,
        groups: grouped(set_of(&own)),
        m,
        roles,
        selected,
        landing_pages: &LANDING_PAGES,
        heirs,
        errors: FieldErrors::new(),
        alert: None,
        notice: None,
    })
}

/// `GET /accounts/{id}/team/{user_id}`
pub async fn show(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((account_id, user_id)): Path<(String, String)>,
    Query(q): Query<Done>,
) -> PageResult {
    let mut p = page(&state, &user, path_id(&account_id)?, path_id(&user_id)?).await?;
    p.notice = match q.done.as_str() {
        "rights" => Some("Rights saved. They apply from the member's next request."),
        "preferences" => Some("Preferences saved."),
        _ => None,
    };
    Ok(p.into_response())
}

/// The PATCH a form asks for.
fn patch_of(pairs: &[(String, String)]) -> MemberPatch {
    if field(pairs, "part") == "rights" {
        let role = field(pairs, "role");
        return if role == CHOOSE {
            MemberPatch { permissions: Some(ticked(pairs)), ..MemberPatch::default() }
        } else {
            MemberPatch { role: Some(role.to_owned()), ..MemberPatch::default() }
        };
    }
    let on = |name: &str| Some(pairs.iter().any(|(k, v)| k == name && v == "on"));
    MemberPatch {
        preferences: Some(PreferencesPatch {
            landing_page: Some(field(pairs, "landing_page").to_owned()),
            contact_tab: Some(field(pairs, "contact_tab").trim().to_owned()),
            show_calendar: on("show_calendar"),
            daily_reminders: on("daily_reminders"),
        }),
        ..MemberPatch::default()
    }
}

/// `POST /accounts/{id}/team/{user_id}`: `part` is `rights`, `preferences` or `delete`.
pub async fn save(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, user_id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    user.check_csrf(field(&pairs, "csrf"))?;
    let (account_id, user_id) = (path_id(&account_id)?, path_id(&user_id)?);
    let part = field(&pairs, "part");
    let outcome = if part == "delete" {
        if field(&pairs, "confirm") != "on" {
            Err(ServiceError::invalid("confirm", "Tick the box to confirm: a permanent delete cannot be undone."))
        } else {
            let heir = Uuid::parse_str(field(&pairs, "transfer_to")).ok();
            match state.service.delete_member(&user.0, account_id, user_id, heir, &meta).await {
                Ok(done) => {
                    let what = if done.erased { "deleted_erased" } else { "deleted" };
                    return Ok(Redirect::to(&format!("/accounts/{account_id}/team?done={what}")).into_response());
                }
                Err(e) => Err(e),
            }
        }
    } else {
        let patch = patch_of(&pairs);
        state.service.update_member(&user.0, account_id, user_id, &patch, &meta).await.map(|_| ())
    };
    match outcome {
        Ok(()) => {
            let done = if part == "rights" { "rights" } else { "preferences" };
            Ok(Redirect::to(&format!("/accounts/{account_id}/team/{user_id}?done={done}")).into_response())
        }
        Err(e) => {
            let (errors, alert) = match e {
                ServiceError::Invalid(errors) => (errors, None),
                ServiceError::Conflict { message, .. } | ServiceError::Rule { message, .. } => {
                    (FieldErrors::new(), Some(message))
                }
                ServiceError::Forbidden(p) => {
                    (FieldErrors::new(), Some(format!("Not allowed: this needs “{}”, which you do not hold.", p.id())))
                }
                other => return Err(fail(&user)(other)),
            };
            let mut p = page(&state, &user, account_id, user_id).await?;
            if part == "rights" && field(&pairs, "role") == CHOOSE {
                p.selected = CHOOSE.to_owned();
                p.groups = grouped(set_of(&ticked(&pairs)));
            }
            p.errors = errors;
            p.alert = alert;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
    }
}
