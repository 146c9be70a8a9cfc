//! What rights a member is given: a built-in role, a custom role of the account, or an explicit
//! permission list (R-ROLE-1), and the no-escalation check (R-PERM-1). One place for adding a
//! user, editing a member, inviting and importing.
use roster_core::{BuiltinRole, FieldErrors, PermissionSet, RoleKind};
use roster_store::{MembershipRow, RoleRow, Tx};
use uuid::Uuid;

use crate::views::effective_permissions;
use crate::{Result, ServiceError};

/// Rights as stored on a membership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rights {
    /// A built-in role, or `custom` (a custom role or an explicit list).
    pub role: RoleKind,
    pub custom_role_id: Option<Uuid>,
    /// The explicit list, or the custom role's list; `None` for a built-in role's defaults.
    pub permissions: Option<PermissionSet>,
}

impl Rights {
    pub fn builtin(role: BuiltinRole) -> Self {
        Self { role: RoleKind::from(role), custom_role_id: None, permissions: None }
    }

    /// The role given when none is chosen (R-ROLE-1).
    pub fn default_for_new_member() -> Self {
        Self::builtin(BuiltinRole::default_for_new_member())
    }

    pub fn custom(role: &RoleRow) -> Self {
        Self {
            role: RoleKind::Custom,
            custom_role_id: Some(role.id),
            permissions: Some(PermissionSet::from_ids(&role.permissions).unwrap_or_default()),
        }
    }

    /// What the member will hold.
    pub fn set(&self) -> PermissionSet {
        match self.permissions {
            Some(set) => set,
            None => self.role.builtin().map_or(PermissionSet::EMPTY, BuiltinRole::permissions),
        }
    }

    pub fn apply(&self, m: &mut MembershipRow) {
        m.role = self.role;
        m.custom_role_id = self.custom_role_id;
        m.permissions = self.permissions.map(PermissionSet::to_ids);
    }
}

/// Reads a request's `role` (a built-in key, or a custom role's id or name) or `permissions`.
/// `Ok(None)` when neither is given or a field error was recorded in `errs`.
pub(crate) async fn resolve_rights(
    tx: &mut dyn Tx,
    account_id: Uuid,
    role: Option<&str>,
    permissions: Option<&[String]>,
    errs: &mut FieldErrors,
) -> Result<Option<Rights>> {
    let role = role.map(str::trim).filter(|r| !r.is_empty());
    match (role, permissions) {
        (Some(_), Some(_)) => {
            errs.add("permissions", "Give a role or a permission list, not both.");
            Ok(None)
        }
        (Some(r), None) => {
            if let Some(b) = BuiltinRole::parse(r) {
                if b == BuiltinRole::Owner {
                    errs.add("role", "The owner role cannot be given; ownership is transferred by the owner.");
                    return Ok(None);
                }
                return Ok(Some(Rights::builtin(b)));
            }
            let found = match Uuid::parse_str(r) {
                Ok(id) => tx.role_by_id(account_id, id).await?,
                Err(_) => tx.role_by_name(account_id, r).await?,
            };
            match found {
                Some(row) => Ok(Some(Rights::custom(&row))),
                None => {
                    errs.add("role", "Unknown role: use a built-in role or one of this account's roles.");
                    Ok(None)
                }
            }
        }
        (None, Some(ids)) => match PermissionSet::from_ids(&ids.join(",")) {
            Ok(set) => Ok(Some(Rights { role: RoleKind::Custom, custom_role_id: None, permissions: Some(set) })),
            Err(e) => {
                errs.add("permissions", e);
                Ok(None)
            }
        },
        (None, None) => Ok(None),
    }
}

/// R-PERM-1 for acting on a person: nobody changes the rights or standing of someone holding a
/// permission they lack (edit their rights, taking away included; disable or archive; delete;
/// log in as). That would be a way around R-PERM-1. `mine` is the actor's membership, if any.
pub(crate) fn check_holds_no_more(mine: Option<&MembershipRow>, target: &MembershipRow) -> Result<()> {
    check_grantable(mine.map_or(PermissionSet::EMPTY, effective_permissions), effective_permissions(target))
}

/// R-PERM-1: what is given must be the giver's to give (taking away is no escalation).
pub(crate) fn check_grantable(held: PermissionSet, given: PermissionSet) -> Result<()> {
    match given.iter().find(|x| !held.contains(*x)) {
        Some(missing) => Err(ServiceError::Escalation(missing)),
        None => Ok(()),
    }
}
