//! One member's page: who they are with their API id (R-USR-1), their details (name, phone,
//! company, username) and password where R-AUTH-6 allows, their rights (a built-in role, one of
//! the account's roles, or permissions chosen for them; R-PERM-1, R-OWN-2), their preferences
//! (the member or an admin; R-AUTH-2), and permanent delete (R-DEL-1) with the heir found by a
//! search over every active member and the outcome spelt out.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use roster_core::{FieldErrors, Permission};
use roster_service::{LoginAdmin, MemberPatch, MemberView, PreferencesPatch, ServiceError};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::console::common::{PageResult, account_nav, fail, path_id};
use crate::console::session::ConsoleUser;
use crate::console::team::page::{custom_roles, role_name};
use crate::console::team::picker::{Picker, query_string};
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
    /// `(value, words)` of the pages the console can land on (R-AUTH-2).
    landing_pages: Vec<(String, String)>,
    /// The role as the console names it (a custom role by its name).
    role: String,
    /// May change the login's details and password / send a reset link (R-AUTH-5, R-AUTH-6).
    login: LoginAdmin,
    /// The viewer may change this member's rights (not their own, not the owner's).
    may_edit_rights: bool,
    may_edit_prefs: bool,
    may_delete: bool,
    /// Active members who may receive the records of a deleted member, narrowed by a search.
    heirs: Picker,
    errors: FieldErrors,
    alert: Option<String>,
    notice: Option<&'static str>,
}

/// The page's query: what the last form did, and the heir picker's search and page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Done {
    done: String,
    heir_q: String,
    heir_cursor: String,
}

/// The landing pages the console offers, in words; each leads to a page that exists (the
/// others of `LANDING_PAGES` come with the work records and land as "the usual page" until then).
fn landing_choices(current: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = [
        ("dashboard", "The usual page: the team list if they may see it, else the account's home"),
        ("team", "The team list (the account's home if they may not see the team)"),
        ("home", "The account's home page"),
    ]
    .iter()
    .map(|(v, w)| ((*v).to_owned(), (*w).to_owned()))
    .collect();
    if !out.iter().any(|(v, _)| v == current) {
        let mut word = current.to_owned();
        if let Some(first) = word.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        out.push((current.to_owned(), format!("{word} (not built yet: lands on the usual page)")));
    }
    out
}

async fn page(
    state: &AppState,
    user: &ConsoleUser,
    account_id: Uuid,
    user_id: Uuid,
    q: &Done,
) -> Result<MemberPage, PageError> {
    let nav = account_nav(state, user, account_id).await?;
    let m = state.service.member(&user.0, account_id, user_id).await.map_err(fail(user))?;
    let me = user.0.user().id;
    let mine = state.service.member(&user.0, account_id, me).await.ok();
    let held = |p: Permission| mine.as_ref().is_some_and(|v| v.is_owner || v.permissions.contains(p));
    let manages = held(Permission::UsersManage);
    let mut roles = Vec::new();
    if let Ok(list) = state.service.roles(&user.0, account_id).await {
        roles = list.items.into_iter().map(|r| (r.id, r.name)).collect();
    }
    let selected = match m.custom_role_id {
        Some(id) => id.to_string(),
        None if m.role == roster_core::RoleKind::Custom => CHOOSE.to_owned(),
        None => m.role.as_str().to_owned(),
    };
    roles.push((CHOOSE.to_owned(), "Choose permissions below".to_owned()));
    let own: Vec<String> = m.permissions.ids().into_iter().map(str::to_owned).collect();
    let mut heirs = Picker::default();
    if manages && !m.is_owner && user_id != me {
        let more = |c: &str| {
            let q = query_string(&[("heir_q", q.heir_q.trim()), ("heir_cursor", c)]);
            format!("/accounts/{account_id}/team/{user_id}?{q}#delete")
        };
        heirs = Picker::active_members(state, user, account_id, &q.heir_q, Some(&q.heir_cursor), &[user_id, me], more)
            .await
            .map_err(fail(user))?;
        // Unsearched, the admin comes first: the default heir.
        if heirs.q.is_empty()
            && q.heir_cursor.is_empty()
            && let Some(v) = mine.as_ref()
        {
            heirs.items.insert(0, (me, format!("{} {} ({}) — you", v.first_name, v.last_name, v.email)));
        }
    }
    let login = state.service.login_admin(&user.0, account_id, user_id).await.map_err(fail(user))?;
    let custom = custom_roles(state, user, account_id).await;
    let landing_pages = landing_choices(&m.preferences.landing_page);
    let role = role_name(&m, &custom);
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
        landing_pages,
        role,
        login,
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
    let mut p = page(&state, &user, path_id(&account_id)?, path_id(&user_id)?, &q).await?;
    p.notice = match q.done.as_str() {
        "rights" => Some("Rights saved. They apply from the member's next request."),
        "preferences" => Some("Preferences saved."),
        "profile" => Some("Details saved."),
        "reset" => Some("A password reset link was emailed to them. It works once, for one hour."),
        "password" => Some("Password set. Their sessions ended; they sign in with the new password."),
        _ => None,
    };
    Ok(p.into_response())
}

/// The PATCH a form asks for.
fn patch_of(pairs: &[(String, String)]) -> MemberPatch {
    if field(pairs, "part") == "profile" {
        let text = |name: &str| Some(field(pairs, name).to_owned());
        return MemberPatch {
            first_name: text("first_name"),
            last_name: text("last_name"),
            phone: text("phone"),
            company: text("company"),
            username: text("username"),
            ..MemberPatch::default()
        };
    }
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

/// `POST /accounts/{id}/team/{user_id}`: `part` is `profile`, `reset`, `password`, `rights`,
/// `preferences` or `delete`.
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
    } else if part == "reset" {
        state.service.send_member_reset(&user.0, account_id, user_id, &meta).await
    } else if part == "password" {
        state.service.set_member_password(&user.0, account_id, user_id, field(&pairs, "password"), &meta).await
    } else {
        let patch = patch_of(&pairs);
        state.service.update_member(&user.0, account_id, user_id, &patch, &meta).await.map(|_| ())
    };
    match outcome {
        Ok(()) => {
            let done = match part {
                "rights" | "profile" | "reset" | "password" => part,
                _ => "preferences",
            };
            Ok(Redirect::to(&format!("/accounts/{account_id}/team/{user_id}?done={done}")).into_response())
        }
        Err(e) => {
            let (errors, alert) = match e {
                ServiceError::Invalid(errors) => (errors, None),
                ServiceError::Conflict { message, .. }
                | ServiceError::Rule { message, .. }
                | ServiceError::Closed { message, .. } => (FieldErrors::new(), Some(message)),
                ServiceError::Forbidden(p) | ServiceError::Escalation(p) => {
                    (FieldErrors::new(), Some(format!("Not allowed: this needs “{}”, which you do not hold.", p.id())))
                }
                other => return Err(fail(&user)(other)),
            };
            let q = Done { heir_q: field(&pairs, "heir_q").to_owned(), ..Done::default() };
            let mut p = page(&state, &user, account_id, user_id, &q).await?;
            if part == "profile" {
                // Show what was typed, not what is stored.
                let typed = |name: &str| Some(field(&pairs, name).trim().to_owned()).filter(|v| !v.is_empty());
                p.m.first_name = field(&pairs, "first_name").to_owned();
                p.m.last_name = field(&pairs, "last_name").to_owned();
                p.m.phone = typed("phone");
                p.m.company = typed("company");
                p.m.username = typed("username");
            }
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
