//! A contact row: its columns (`contact_cols!`) and decoder.
use roster_core::{ContactKind, ContactStage};

use super::super::super::driver::get;
use super::super::super::{DbRow, catalogued, time, uuid};
use crate::{ContactRow, Result, StoreError};

/// Separates tag names in `tag_names` (a control character, which tag names never hold).
pub(super) const TAG_SEP: char = '\u{1f}';

fn list(r: &DbRow<'_>, col: &str) -> Result<Vec<String>> {
    let text: String = get(r, col)?;
    serde_json::from_str(&text).map_err(|e| StoreError::Unknown(format!("{col}: {e}")))
}

pub(super) fn contact_from_row(r: &DbRow<'_>) -> Result<ContactRow> {
    let tags: Option<String> = get(r, "tag_names")?;
    Ok(ContactRow {
        id: uuid(r, "id")?,
        account_id: uuid(r, "account_id")?,
        kind: catalogued(r, "kind", ContactKind::parse)?,
        first_name: get(r, "first_name")?,
        last_name: get(r, "last_name")?,
        company: get(r, "company")?,
        email: get(r, "email")?,
        emails: list(r, "emails")?,
        phones: list(r, "phones")?,
        address: get(r, "address")?,
        notes: get(r, "notes")?,
        stage: catalogued(r, "stage", ContactStage::parse)?,
        assigned_to: get(r, "assigned_to")?,
        hidden_from_client_list: get(r, "hidden_from_client_list")?,
        follow_up_on: get(r, "follow_up_on")?,
        member_user_id: get(r, "member_user_id")?,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
        tags: tags.map(|t| t.split(TAG_SEP).map(str::to_owned).collect()).unwrap_or_default(),
        assignee_archived: get(r, "assignee_archived")?,
    })
}
