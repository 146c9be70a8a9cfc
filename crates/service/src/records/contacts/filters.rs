//! Saved contact filters (R-CON-2): a member with `filters.save` names a filter (type, stage,
//! tag, assignee, text); applied, it runs inside the member's own contact scope, so it never
//! shows more than the member may see.
use roster_core::{Action, authorize};
use roster_store::SavedFilterRow;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::contact_scope;
use super::list::ContactListParams;
use crate::signin::{Principal, audit};
use crate::{Meta, Result, Service, ServiceError, now};

/// What a saved filter holds: the list's filters, no paging or order.
pub type FilterQuery = ContactListParams;

/// A saved filter as sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct FilterInput {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub query: Option<FilterQuery>,
}

/// A saved filter as shown.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct SavedFilterView {
    pub id: Uuid,
    pub name: String,
    pub query: FilterQuery,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl SavedFilterView {
    fn from_row(r: SavedFilterRow) -> Self {
        // A stored query this version cannot read shows as no filter rather than failing.
        let query = serde_json::from_str(&r.query).unwrap_or_default();
        SavedFilterView { id: r.id, name: r.name, query, created_at: r.created_at }
    }
}

/// Checks and normalises a filter's name and query (paging and order dropped).
fn validate(input: &FilterInput, creating: bool) -> Result<(Option<String>, Option<String>)> {
    let name = match input.name.as_deref().map(str::trim) {
        Some("") => return Err(ServiceError::invalid("name", "Name the filter.")),
        Some(n) if n.chars().count() > 200 => return Err(ServiceError::invalid("name", "Use at most 200 characters.")),
        Some(n) if !roster_core::is_plain_text(n) => {
            return Err(ServiceError::invalid("name", roster_core::NOT_PLAIN_TEXT));
        }
        Some(n) => Some(n.to_owned()),
        None if creating => return Err(ServiceError::invalid("name", "Name the filter.")),
        None => None,
    };
    let query = match &input.query {
        Some(q) => {
            let q = FilterQuery { sort: None, order: None, cursor: None, limit: None, ..q.clone() };
            // Unknown types, stages or ids are refused now, not when the filter is used.
            q.filter().map_err(|e| match e {
                ServiceError::Invalid(fe) => {
                    let mut out = roster_core::FieldErrors::new();
                    out.add(
                        "query",
                        format!(
                            "{}: {}",
                            fe.first_field().unwrap_or(""),
                            fe.get(fe.first_field().unwrap_or("")).unwrap_or("")
                        ),
                    );
                    ServiceError::Invalid(out)
                }
                other => other,
            })?;
            Some(serde_json::to_string(&q).map_err(|e| ServiceError::Internal(e.to_string()))?)
        }
        None if creating => Some("{}".to_owned()),
        None => None,
    };
    Ok((name, query))
}

fn taken(e: roster_store::StoreError) -> ServiceError {
    match e {
        roster_store::StoreError::Conflict(_) => ServiceError::Conflict {
            code: roster_core::ProblemCode::FilterNameTaken,
            message: "You already have a saved filter with this name.".to_owned(),
        },
        other => other.into(),
    }
}

impl Service {
    /// The caller's saved filters (any member may read their own).
    pub async fn saved_filters(&self, p: &Principal, account_id: Uuid) -> Result<Vec<SavedFilterView>> {
        let mut tx = self.store.read().await?;
        let (actor, scope) = contact_scope(tx.as_mut(), p, account_id).await?;
        Ok(tx.saved_filters(&scope, actor.user_id).await?.into_iter().map(SavedFilterView::from_row).collect())
    }

    pub async fn saved_filter(&self, p: &Principal, account_id: Uuid, filter_id: Uuid) -> Result<SavedFilterView> {
        let mut tx = self.store.read().await?;
        let (actor, scope) = contact_scope(tx.as_mut(), p, account_id).await?;
        tx.saved_filter(&scope, actor.user_id, filter_id)
            .await?
            .map(SavedFilterView::from_row)
            .ok_or(ServiceError::NotFound)
    }

    /// R-CON-2: saves a filter (`filters.save`).
    pub async fn create_saved_filter(
        &self,
        p: &Principal,
        account_id: Uuid,
        input: &FilterInput,
        meta: &Meta,
    ) -> Result<SavedFilterView> {
        let mut tx = self.store.begin().await?;
        let (actor, scope) = contact_scope(tx.as_mut(), p, account_id).await?;
        authorize(&actor, Action::SaveFilters(account_id))?;
        let (name, query) = validate(input, true)?;
        let row = SavedFilterRow {
            id: Uuid::now_v7(),
            account_id,
            user_id: actor.user_id,
            name: name.unwrap_or_default(),
            query: query.unwrap_or_else(|| "{}".to_owned()),
            created_at: now(),
        };
        tx.insert_saved_filter(&scope, &row).await.map_err(taken)?;
        let event = audit(
            roster_core::AuditAction::FilterSaved,
            p.who(),
            Some(account_id),
            ("filter", row.id.to_string()),
            meta,
        );
        tx.insert_audit(&event).await?;
        tx.commit().await?;
        Ok(SavedFilterView::from_row(row))
    }

    pub async fn update_saved_filter(
        &self,
        p: &Principal,
        account_id: Uuid,
        filter_id: Uuid,
        input: &FilterInput,
        meta: &Meta,
    ) -> Result<SavedFilterView> {
        let mut tx = self.store.begin().await?;
        let (actor, scope) = contact_scope(tx.as_mut(), p, account_id).await?;
        let mut row = tx.saved_filter(&scope, actor.user_id, filter_id).await?.ok_or(ServiceError::NotFound)?;
        authorize(&actor, Action::SaveFilters(account_id))?;
        let (name, query) = validate(input, false)?;
        if let Some(n) = name {
            row.name = n;
        }
        if let Some(q) = query {
            row.query = q;
        }
        if tx.update_saved_filter(&scope, &row).await.map_err(taken)? == 0 {
            return Err(ServiceError::NotFound);
        }
        let event = audit(
            roster_core::AuditAction::FilterSaved,
            p.who(),
            Some(account_id),
            ("filter", row.id.to_string()),
            meta,
        );
        tx.insert_audit(&event).await?;
        tx.commit().await?;
        Ok(SavedFilterView::from_row(row))
    }

    pub async fn delete_saved_filter(
        &self,
        p: &Principal,
        account_id: Uuid,
        filter_id: Uuid,
        meta: &Meta,
    ) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let (actor, scope) = contact_scope(tx.as_mut(), p, account_id).await?;
        tx.saved_filter(&scope, actor.user_id, filter_id).await?.ok_or(ServiceError::NotFound)?;
        authorize(&actor, Action::SaveFilters(account_id))?;
        tx.delete_saved_filter(&scope, actor.user_id, filter_id).await?;
        let event = audit(
            roster_core::AuditAction::FilterDeleted,
            p.who(),
            Some(account_id),
            ("filter", filter_id.to_string()),
            meta,
        );
        tx.insert_audit(&event).await?;
        tx.commit().await?;
        Ok(())
    }
}
