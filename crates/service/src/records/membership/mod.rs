//! What joining and leaving an account do to its records (R-JOIN-1, R-DEL-1, R-ARC-1).
//!
//! Every way a person joins (an admin adds them, they accept an invitation, they sign up through
//! the account's link, an import, the account's creation, the demo) calls [`on_join`] in the
//! joining use case's own unit of work: a collaborator contact hidden from the client list, a
//! default calendar and a default to-do list, and the projects chosen at creation. Leaving for
//! good (R-DEL-1) calls [`on_leave`] before the membership goes: everything the person owns or
//! is assigned moves to the heir. Archiving (R-ARC-1) changes no record: contacts whose assignee
//! is archived are flagged when read (`assignee_archived`), so restoring clears the flag.
use roster_core::scope::{InternalUse, internal};
use roster_store::{JoiningMember, MovedRecords, Tx, UserRow};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::signin::Principal;
use crate::{Result, ServiceError};

/// The default to-do list's name (R-TODO-1); members rename it freely.
pub const DEFAULT_LIST_NAME: &str = "To-dos";

/// The most projects one person may be put into at creation.
pub const PROJECT_IDS_MAX: usize = 100;

/// Checks `project_ids` (the projects chosen at creation, R-JOIN-1): each must be a project of
/// the account; any other id is refused by name (422 `project_ids`), never skipped silently.
pub(crate) async fn chosen_projects(tx: &mut dyn Tx, account_id: Uuid, ids: &[Uuid]) -> Result<Vec<Uuid>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    if ids.len() > PROJECT_IDS_MAX {
        return Err(ServiceError::invalid("project_ids", format!("Choose at most {PROJECT_IDS_MAX} projects.")));
    }
    let scope = internal(account_id, InternalUse::JoinDefaults);
    let found = tx.projects_among(&scope, ids).await?;
    if ids.iter().any(|id| !found.contains(id)) {
        return Err(ServiceError::invalid("project_ids", "Choose projects of this account."));
    }
    Ok(found)
}

impl crate::Service {
    /// The projects `p` may put a new member into (R-JOIN-1's `project_ids`): those their scope
    /// over projects reaches, newest first, at most [`PROJECT_IDS_MAX`]. Empty for someone with
    /// no reach (the form then shows no boxes).
    pub async fn project_choices(&self, p: &Principal, account_id: Uuid) -> Result<Vec<(Uuid, String)>> {
        let mut tx = self.store.read().await?;
        let (actor, _) = crate::actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let Ok(scope) = roster_core::scope(&actor, account_id, roster_core::scope::PROJECTS) else {
            return Ok(Vec::new());
        };
        Ok(tx.project_choices(&scope, PROJECT_IDS_MAX as i64).await?)
    }
}

/// R-JOIN-1: the joining person's collaborator contact (hidden from the client list), default
/// calendar (named after them) and default to-do list, and membership of `project_ids`
/// (already checked by [`chosen_projects`]). Idempotent: a member who has them keeps them.
pub(crate) async fn on_join(
    tx: &mut dyn Tx,
    account_id: Uuid,
    user: &UserRow,
    project_ids: &[Uuid],
    at: OffsetDateTime,
) -> Result<()> {
    let scope = internal(account_id, InternalUse::JoinDefaults);
    let member = JoiningMember {
        user_id: user.id,
        first_name: &user.first_name,
        last_name: &user.last_name,
        email: &user.email,
        phone: user.phone.as_deref(),
        company: user.company.as_deref(),
    };
    let calendar = format!("{} {}", user.first_name, user.last_name).trim().to_owned();
    tx.make_join_defaults(&scope, &member, &calendar, DEFAULT_LIST_NAME, at).await?;
    if !project_ids.is_empty() {
        tx.join_projects(&scope, user.id, project_ids).await?;
    }
    Ok(())
}

/// R-JOIN-1 for invitations: the chosen projects (already checked) wait with the invitation.
pub(crate) async fn remember_invitation_projects(
    tx: &mut dyn Tx,
    account_id: Uuid,
    invitation_id: Uuid,
    project_ids: &[Uuid],
) -> Result<()> {
    if !project_ids.is_empty() {
        let scope = internal(account_id, InternalUse::JoinDefaults);
        tx.set_invitation_projects(&scope, invitation_id, project_ids).await?;
    }
    Ok(())
}

/// The projects an invitation's invitee joins on acceptance (those that still exist).
pub(crate) async fn invitation_projects(tx: &mut dyn Tx, account_id: Uuid, invitation_id: Uuid) -> Result<Vec<Uuid>> {
    let scope = internal(account_id, InternalUse::JoinDefaults);
    Ok(tx.invitation_projects(&scope, invitation_id).await?)
}

/// R-DEL-1: moves what `from` owns or is assigned in the account to `heir` (an active member,
/// checked by the caller), in the deleting use case's unit of work.
pub(crate) async fn on_leave(
    tx: &mut dyn Tx,
    account_id: Uuid,
    from: Uuid,
    heir: Uuid,
    at: OffsetDateTime,
) -> Result<MovedRecords> {
    let scope = internal(account_id, InternalUse::LeaveTransfer);
    Ok(tx.move_member_records(&scope, from, heir, at).await?)
}
