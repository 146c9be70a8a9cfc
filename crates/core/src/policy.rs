//! The policy function: one place that says who may do what (R-PERM-3). Handlers call
//! [`authorize`] exactly once; the answer distinguishes "not yours" (404) from "not allowed" (403).
use serde::Serialize;
use uuid::Uuid;

use crate::permission::{Permission, PermissionSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MembershipStatus {
    Active,
    Disabled,
    Archived,
}

impl MembershipStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MembershipStatus::Active => "active",
            MembershipStatus::Disabled => "disabled",
            MembershipStatus::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "disabled" => Some(Self::Disabled),
            "archived" => Some(Self::Archived),
            _ => None,
        }
    }
}

/// What the policy needs to know about the actor's membership in the targeted account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipFacts {
    pub account_id: Uuid,
    pub is_owner: bool,
    pub status: MembershipStatus,
    /// The membership's effective permissions (role defaults or explicit list).
    pub permissions: PermissionSet,
}

impl MembershipFacts {
    /// The owner always holds every permission, whatever is stored (R-OWN-2).
    pub fn effective(&self) -> PermissionSet {
        if self.is_owner { PermissionSet::all() } else { self.permissions }
    }
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Uuid,
    /// Runs the installation: sees every account (PRODUCT.md §1).
    pub is_operator: bool,
    /// The actor's membership in the account the request targets, if any.
    pub membership: Option<MembershipFacts>,
}

/// What is being attempted. Account-scoped actions carry the account's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Any signed-in user may create an account, which they then own (R-AUTH-3).
    CreateAccount,
    ReadPermissionCatalogue,
    ViewAccount(Uuid),
    ChangeAccountSettings(Uuid),
    ViewTeam(Uuid),
    /// Read the account's outbox (R-MAIL-1); the operator reads every account's.
    ViewOutbox(Uuid),
    /// Send a member a reset link or set their password (R-AUTH-6).
    ManageMembers(Uuid),
    /// Read the account's audit log (R-AUD-1); the operator reads every account's.
    ViewAudit(Uuid),
    /// Put a failed email back in the queue; the operator may, as delivery is theirs to run.
    RetryEmail(Uuid),
    /// Create, list and revoke one's own personal API tokens in the account. Any active member
    /// may; the operator too, but only with an active membership (a token acts as a member).
    ManageOwnTokens(Uuid),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// The target does not exist for this actor: another account's records answer 404 (R-PERM-3).
    NotFound,
    /// The actor may see the target but lacks this permission.
    Forbidden(Permission),
}

/// Decides one action. Pure: the caller loads the facts, this function only judges them.
pub fn authorize(actor: &Actor, action: Action) -> Result<(), Denied> {
    // `operator`: the operator may do it without a membership (reading, and running delivery).
    let (account_id, needed, operator) = match action {
        Action::CreateAccount | Action::ReadPermissionCatalogue => return Ok(()),
        Action::ViewAccount(a) => (a, None, true),
        Action::ChangeAccountSettings(a) => (a, Some(Permission::AccountSettings), false),
        Action::ViewTeam(a) => (a, Some(Permission::UsersView), true),
        Action::ViewOutbox(a) | Action::RetryEmail(a) => (a, Some(Permission::AccountSettings), true),
        Action::ManageOwnTokens(a) => (a, None, false),
        Action::ManageMembers(a) => (a, Some(Permission::UsersManage), false),
        Action::ViewAudit(a) => (a, Some(Permission::AuditView), true),
    };
    let member =
        actor.membership.as_ref().filter(|m| m.account_id == account_id && m.status == MembershipStatus::Active);
    match (member, needed) {
        (Some(_), None) => Ok(()),
        (Some(m), Some(p)) if m.effective().contains(p) => Ok(()),
        // The operator reads every account; changes need a membership like anyone else.
        _ if operator && actor.is_operator => Ok(()),
        (Some(_), Some(p)) => Err(Denied::Forbidden(p)),
        (None, _) => Err(Denied::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::BuiltinRole;

    fn member(account: Uuid, role: BuiltinRole, status: MembershipStatus) -> Actor {
        Actor {
            user_id: Uuid::now_v7(),
            is_operator: false,
            membership: Some(MembershipFacts {
                account_id: account,
                is_owner: role == BuiltinRole::Owner,
                status,
                permissions: role.permissions(),
            }),
        }
    }

    #[test]
    fn r_perm_3_another_accounts_target_is_not_found() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        let admin_of_a = member(a, BuiltinRole::Admin, MembershipStatus::Active);
        assert_eq!(authorize(&admin_of_a, Action::ViewTeam(b)), Err(Denied::NotFound));
        assert_eq!(authorize(&admin_of_a, Action::ViewAccount(b)), Err(Denied::NotFound));
        assert_eq!(authorize(&admin_of_a, Action::ViewTeam(a)), Ok(()));
    }

    #[test]
    fn missing_permission_is_forbidden() {
        let a = Uuid::now_v7();
        let customer = member(a, BuiltinRole::Customer, MembershipStatus::Active);
        assert_eq!(authorize(&customer, Action::ViewAccount(a)), Ok(()));
        assert_eq!(authorize(&customer, Action::ViewTeam(a)), Err(Denied::Forbidden(Permission::UsersView)));
    }

    #[test]
    fn own_tokens_need_an_active_membership_even_for_the_operator() {
        let a = Uuid::now_v7();
        let customer = member(a, BuiltinRole::Customer, MembershipStatus::Active);
        assert_eq!(authorize(&customer, Action::ManageOwnTokens(a)), Ok(()));
        let disabled = member(a, BuiltinRole::Admin, MembershipStatus::Disabled);
        assert_eq!(authorize(&disabled, Action::ManageOwnTokens(a)), Err(Denied::NotFound));
        let operator = Actor { user_id: Uuid::now_v7(), is_operator: true, membership: None };
        assert_eq!(authorize(&operator, Action::ManageOwnTokens(a)), Err(Denied::NotFound));
    }

    #[test]
    fn r_dis_1_disabled_membership_counts_for_nothing() {
        let a = Uuid::now_v7();
        let admin = member(a, BuiltinRole::Admin, MembershipStatus::Disabled);
        assert_eq!(authorize(&admin, Action::ViewAccount(a)), Err(Denied::NotFound));
    }

    #[test]
    fn r_own_2_owner_holds_everything_whatever_is_stored() {
        let a = Uuid::now_v7();
        let mut owner = member(a, BuiltinRole::Owner, MembershipStatus::Active);
        if let Some(m) = owner.membership.as_mut() {
            m.permissions = PermissionSet::EMPTY;
        }
        assert_eq!(authorize(&owner, Action::ChangeAccountSettings(a)), Ok(()));
    }

    #[test]
    fn operator_reads_every_account_but_changes_none_it_is_not_in() {
        let op = Actor { user_id: Uuid::now_v7(), is_operator: true, membership: None };
        let a = Uuid::now_v7();
        assert_eq!(authorize(&op, Action::ViewTeam(a)), Ok(()));
        assert_eq!(authorize(&op, Action::ViewAccount(a)), Ok(()));
        assert_eq!(authorize(&op, Action::ChangeAccountSettings(a)), Err(Denied::NotFound));
        assert_eq!(authorize(&op, Action::ViewOutbox(a)), Ok(()));
        assert_eq!(authorize(&op, Action::RetryEmail(a)), Ok(()));
    }
}
