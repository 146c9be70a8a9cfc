//! Projects and tags (R-PRJ-1): the projects list with "all projects of this person" (by
//! membership or tag), one project, its members, and the account's tags. Reads take the
//! caller's `scope::PROJECTS`; writes also authorize `projects.manage`.
pub(crate) mod edit;
pub(crate) mod list;
pub(crate) mod tags;
pub(crate) mod view;

use roster_core::{FieldErrors, MembershipStatus, Scope};
use roster_store::Tx;
use uuid::Uuid;

use crate::Result;

/// Longest name or title.
pub const NAME_MAX: usize = 200;

/// A name or title: trimmed, 1..=200 characters, plain text; `None` (with the error noted) else.
pub(crate) fn checked_name(field: &str, raw: &str, errs: &mut FieldErrors) -> Option<String> {
    let name = raw.trim();
    if name.is_empty() {
        errs.add(field, "Enter a name.");
        None
    } else if name.chars().count() > NAME_MAX {
        errs.add(field, format!("Use at most {NAME_MAX} characters."));
        None
    } else if !roster_core::is_plain_text(name) {
        errs.add(field, roster_core::NOT_PLAIN_TEXT);
        None
    } else {
        Some(name.to_owned())
    }
}

/// Notes `field` unless `user_id` is an active member of the scope's account.
pub(crate) async fn check_active_member(
    tx: &mut dyn Tx,
    scope: &Scope,
    field: &str,
    user_id: Uuid,
    errs: &mut FieldErrors,
) -> Result<()> {
    let active =
        tx.membership(scope.account_id(), user_id).await?.is_some_and(|m| m.status == MembershipStatus::Active);
    if !active {
        errs.add(field, "Choose an active member of this account.");
    }
    Ok(())
}

/// Notes `field` unless the account has this contact.
pub(crate) async fn check_contact(
    tx: &mut dyn Tx,
    scope: &Scope,
    field: &str,
    contact_id: Uuid,
    errs: &mut FieldErrors,
) -> Result<()> {
    if !tx.contact_in_account(scope, contact_id).await? {
        errs.add(field, "Choose a contact of this account.");
    }
    Ok(())
}
