//! Reading an account's audit log (R-AUD-1), filtered by actor, action and dates. The log is
//! append-only from the application's point of view: nothing here or elsewhere edits a row.
use roster_core::{Action, FieldErrors};
use roster_store::{AuditEntry, AuditFilter, AuditPerson};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::actor::Internal;
use crate::mail::templates::account_for;
use crate::signin::Principal;
use crate::{Result, Service, ServiceError, page_limit};

/// The filters of `GET /accounts/{id}/audit` and the console page.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct AuditQuery {
    /// The actor's email.
    pub actor: Option<String>,
    /// An action id, e.g. `member.disabled` (one of the `AuditAction` catalogue; another is 422).
    pub action: Option<String>,
    /// From this day (`2026-11-01`) or instant (RFC 3339), inclusive.
    pub from: Option<String>,
    /// Until this day, inclusive, or this instant, exclusive.
    pub to: Option<String>,
    pub cursor: Option<String>,
    /// 1 to 500; default 50.
    pub limit: Option<i64>,
}

/// One audit event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEventView {
    pub id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub action: roster_core::AuditAction,
    pub actor_id: Option<Uuid>,
    /// The actor's email, while the actor exists.
    pub actor_email: Option<String>,
    /// The actor's name, while the actor exists.
    pub actor_name: Option<String>,
    /// Who was really acting, during "log in as" (R-IMP-1).
    pub impersonator_id: Option<Uuid>,
    /// When the installation itself acted (no actor): why, e.g. `cli`, `demo`.
    pub actor_internal: Option<String>,
    pub impersonator_name: Option<String>,
    pub impersonator_email: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    /// When the target is a user who still exists: their name and email.
    pub target_name: Option<String>,
    pub target_email: Option<String>,
    pub ip: Option<String>,
}

impl AuditEventView {
    /// "Ada Lovelace <ada@example.test>", or the id while the person is gone, or "–".
    pub fn actor_label(&self) -> String {
        if let Some(why) = &self.actor_internal {
            return format!("Roster itself ({why})");
        }
        label(self.actor_name.as_deref(), self.actor_email.as_deref(), self.actor_id.map(|i| i.to_string()))
    }

    /// Who acted as the actor during "log in as" (R-IMP-1), if anyone.
    pub fn impersonator_label(&self) -> Option<String> {
        self.impersonator_id.map(|id| {
            label(self.impersonator_name.as_deref(), self.impersonator_email.as_deref(), Some(id.to_string()))
        })
    }

    /// The target in words: a person by name and email, anything else by its kind and id.
    pub fn target_label(&self) -> String {
        if self.target_email.is_some() {
            return label(self.target_name.as_deref(), self.target_email.as_deref(), None);
        }
        match (self.target_type.as_deref(), self.target_id.as_deref()) {
            (Some(kind), Some(id)) => format!("{kind} {id}"),
            (Some(kind), None) => kind.to_owned(),
            (None, Some(id)) => id.to_owned(),
            (None, None) => "–".to_owned(),
        }
    }
}

fn label(name: Option<&str>, email: Option<&str>, id: Option<String>) -> String {
    match (name.map(str::trim).filter(|n| !n.is_empty()), email) {
        (Some(n), Some(e)) => format!("{n} <{e}>"),
        (None, Some(e)) => e.to_owned(),
        _ => id.map_or_else(|| "–".to_owned(), |id| format!("user {id} (no longer here)")),
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEventView>,
    pub next_cursor: Option<String>,
}

/// The internal identity an audit row names (`details.internal`, written by `Who::details`).
fn internal_of(details: Option<&str>) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(details?).ok()?;
    let name = v.get("internal")?.as_str()?;
    Internal::parse(name).map(|i| i.as_str().to_owned())
}

fn view(entry: AuditEntry) -> AuditEventView {
    let name = |p: &Option<AuditPerson>| p.as_ref().map(|p| format!("{} {}", p.first_name, p.last_name));
    let email = |p: &Option<AuditPerson>| p.as_ref().map(|p| p.email.clone());
    let e = entry.event;
    AuditEventView {
        actor_internal: if e.actor_id.is_none() { internal_of(e.details.as_deref()) } else { None },
        id: e.id,
        at: e.at,
        action: e.action,
        actor_id: e.actor_id,
        actor_email: email(&entry.actor),
        actor_name: name(&entry.actor),
        impersonator_id: e.impersonator_id,
        impersonator_name: name(&entry.impersonator),
        impersonator_email: email(&entry.impersonator),
        target_type: e.target_type,
        target_id: e.target_id,
        target_name: name(&entry.target),
        target_email: email(&entry.target),
        ip: e.ip,
    }
}

/// A day or an instant; a day as an upper bound means the whole day.
fn when(field: &str, raw: &str, upper: bool, errs: &mut FieldErrors) -> Option<OffsetDateTime> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    if let Ok(t) = OffsetDateTime::parse(raw, &Rfc3339) {
        return Some(t);
    }
    match Date::parse(raw, format_description!("[year]-[month]-[day]")) {
        Ok(d) => {
            let start = d.midnight().assume_utc();
            Some(if upper { start + Duration::days(1) } else { start })
        }
        Err(_) => {
            errs.add(field, "Use a date like 2026-11-01 or a time like 2026-11-01T09:30:00Z.");
            None
        }
    }
}

impl Service {
    /// The account's audit log, newest first; needs `audit.view` (the operator reads any).
    pub async fn audit_log(&self, p: &Principal, account_id: Uuid, q: &AuditQuery) -> Result<AuditPage> {
        let limit = page_limit(q.limit)?;
        let mut errs = FieldErrors::new();
        let from = q.from.as_deref().and_then(|f| when("from", f, false, &mut errs));
        let to = q.to.as_deref().and_then(|t| when("to", t, true, &mut errs));
        let before = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
            Some(c) => match Uuid::parse_str(c) {
                Ok(id) => Some(id),
                Err(_) => {
                    errs.add("cursor", "This cursor is not one this server gave out.");
                    None
                }
            },
            None => None,
        };
        let action = match q.action.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            Some(a) => match roster_core::AuditAction::parse(a) {
                Ok(action) => Some(action),
                Err(_) => {
                    errs.add("action", "Unknown action: use one of the audit actions (API.md, OpenAPI AuditAction).");
                    None
                }
            },
            None => None,
        };
        if !errs.is_empty() {
            return Err(ServiceError::Invalid(errs));
        }
        let mut tx = self.store.read().await?;
        account_for(tx.as_mut(), p, account_id, Action::ViewAudit(account_id)).await?;
        let actor_id = match q.actor.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            Some(email) => match tx.user_by_email(&email.to_lowercase()).await? {
                Some(u) => Some(u.id),
                None => return Ok(AuditPage { items: Vec::new(), next_cursor: None }),
            },
            None => None,
        };
        let filter = AuditFilter { actor_id, action, from, to, before };
        let mut rows = tx.audit_page(account_id, &filter, limit + 1).await?;
        let keep = usize::try_from(limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > keep {
            rows.truncate(keep);
            rows.last().map(|e| e.event.id.to_string())
        } else {
            None
        };
        Ok(AuditPage { items: rows.into_iter().map(view).collect(), next_cursor })
    }
}
