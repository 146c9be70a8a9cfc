//! Contacts, saved filters, CSV export and import (R-CON-1, R-CON-2). Every use case asks
//! `roster_core::scope` for the caller's reach over contacts once ([`contact_scope`]) and passes
//! it to every query; writes also `authorize` `contacts.edit`, `contacts.delete` or
//! `filters.save`. See decision 0078.
use roster_core::{Actor, ContactKind, ContactStage, Scope};
use roster_store::{ContactRow, Tx};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::signin::Principal;
use crate::{Result, actor};

pub(crate) mod edit;
pub(crate) mod export;
pub(crate) mod filters;
pub(crate) mod import;
pub(crate) mod list;

pub use edit::ContactInput;
pub use export::{CONTACT_CSV_HEADER, CONTACT_EXPORT_CHUNK, ContactExport};
pub use filters::{FilterInput, FilterQuery, SavedFilterView};
pub use import::{ContactImportReport, ContactImportRow};
pub use list::{CONTACT_COUNT_CAP, ContactListParams, ContactPage, ContactTotal, PipelineColumn};

/// One contact as the API and the console show it.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct ContactView {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub kind: ContactKind,
    pub first_name: String,
    pub last_name: String,
    pub company: Option<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub address: Option<String>,
    pub notes: Option<String>,
    pub tags: Vec<String>,
    pub stage: ContactStage,
    pub assigned_to: Option<Uuid>,
    pub hidden_from_client_list: bool,
    /// ISO date `YYYY-MM-DD`.
    pub follow_up_on: Option<String>,
    /// The assignee's membership is archived (R-ARC-1): the console outlines the box in orange.
    pub assignee_archived: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl ContactView {
    /// "First Last", or the company when both are blank.
    pub fn display_name(&self) -> String {
        let n = format!("{} {}", self.first_name, self.last_name).trim().to_owned();
        if n.is_empty() { self.company.clone().unwrap_or_default() } else { n }
    }
}

impl From<ContactRow> for ContactView {
    fn from(c: ContactRow) -> Self {
        ContactView {
            id: c.id,
            kind: c.kind,
            first_name: c.first_name,
            last_name: c.last_name,
            company: c.company,
            emails: c.emails,
            phones: c.phones,
            address: c.address,
            notes: c.notes,
            tags: c.tags,
            stage: c.stage,
            assigned_to: c.assigned_to,
            hidden_from_client_list: c.hidden_from_client_list,
            follow_up_on: c.follow_up_on,
            assignee_archived: c.assignee_archived,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// The caller's actor and scope over the account's contacts: another account, a non-member or
/// an inactive membership is 404 (the operator has no reach without a membership).
pub(crate) async fn contact_scope(tx: &mut dyn Tx, p: &Principal, account_id: Uuid) -> Result<(Actor, Scope)> {
    let (actor, _) = actor::for_principal(tx, p, Some(account_id)).await?;
    let scope = roster_core::scope(&actor, account_id, roster_core::scope::CONTACTS)?;
    Ok((actor, scope))
}
