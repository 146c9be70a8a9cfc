//! The policy function: one place that says who may do what (R-PERM-3). Handlers call
//! [`authorize`] exactly once; the answer distinguishes "not yours" (404) from "not allowed" (403).
use uuid::Uuid;

use crate::permission::{Permission, PermissionSet};

pub use crate::catalogue::MembershipStatus;

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
    /// Export the team as CSV (R-EXP-1): `users.export`; the operator reads every account.
    ExportMembers(Uuid),
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
    /// Create, edit and delete the account's custom roles (R-ROLE-1, `roles.manage`).
    ManageRoles(Uuid),
    /// "Log in as" another member (R-IMP-1): `users.impersonate` and an active membership; the
    /// operator without one may not. Who may be acted as is checked by the use case.
    Impersonate(Uuid),
    /// Send, resend or revoke invitations (R-INV-1), as the account's invite policy says
    /// (R-PERM-2): `owner_only` → the owner alone; else holders of `users.invite`.
    Invite {
        account_id: Uuid,
        owner_only: bool,
    },
    /// Read the account's pending invitations: holders of `users.invite`; the operator reads.
    ViewInvitations(Uuid),
    // Work records (PRODUCT.md §7). Reading them needs a scope (`crate::scope`), not an action;
    // these gate changes, which then also run inside the caller's scope. The operator has no
    // reach into an account's records without a membership.
    /// Create or change contacts (R-CON-1, `contacts.edit`).
    EditContacts(Uuid),
    /// Delete contacts (R-CON-1, `contacts.delete`).
    DeleteContacts(Uuid),
    /// Save, change and delete one's own contact filters (R-CON-2, `filters.save`).
    SaveFilters(Uuid),
    /// Create, edit and delete projects and their members and tags (R-PRJ-1, `projects.manage`).
    ManageProjects(Uuid),
    /// Work with one's own to-do lists, calendars and events (R-TODO-1, R-CAL-1): any active
    /// member; reaching others' is the scope's `*.view_all`.
    UseOwnWork(Uuid),
    /// Open a support ticket (R-TKT-1, `tickets.view_open`); replying and changing one needs
    /// only the ticket in the caller's scope (`scope::TICKETS`).
    OpenTickets(Uuid),
    /// Delete a support ticket (R-TKT-1): an admin's act, `account.settings` (decision 0098).
    DeleteTickets(Uuid),
    /// Start and stop one's own timer and add one's own time entries (R-TIME-1, `time.track`).
    TrackTime(Uuid),
    /// Create, edit and delete workflow templates (R-WF-1, `workflows.edit`).
    EditWorkflowTemplates(Uuid),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// The target does not exist for this actor: another account's records answer 404 (R-PERM-3).
    NotFound,
    /// The actor may see the target but lacks this permission.
    Forbidden(Permission),
    /// Only the account's owner may do this here (R-PERM-2: invite policy `owner_only`).
    OwnerOnly,
}

/// Decides one action. Pure: the caller loads the facts, this function only judges them.
pub fn authorize(actor: &Actor, action: Action) -> Result<(), Denied> {
    // `operator`: the operator may do it without a membership (reading, and running delivery).
    let (account_id, needed, operator) = match action {
        Action::CreateAccount | Action::ReadPermissionCatalogue => return Ok(()),
        Action::ViewAccount(a) => (a, None, true),
        Action::ChangeAccountSettings(a) => (a, Some(Permission::AccountSettings), false),
        Action::ViewTeam(a) => (a, Some(Permission::UsersView), true),
        Action::ExportMembers(a) => (a, Some(Permission::UsersExport), true),
        Action::ViewOutbox(a) | Action::RetryEmail(a) => (a, Some(Permission::AccountSettings), true),
        Action::ManageOwnTokens(a) => (a, None, false),
        Action::ManageMembers(a) => (a, Some(Permission::UsersManage), false),
        Action::ManageRoles(a) => (a, Some(Permission::RolesManage), false),
        Action::Impersonate(a) => (a, Some(Permission::UsersImpersonate), false),
        Action::ViewAudit(a) => (a, Some(Permission::AuditView), true),
        Action::Invite { account_id, owner_only: false } => (account_id, Some(Permission::UsersInvite), false),
        Action::Invite { account_id, owner_only: true } => {
            let member = actor
                .membership
                .as_ref()
                .filter(|m| m.account_id == account_id && m.status == MembershipStatus::Active);
            return match member {
                Some(m) if m.is_owner => Ok(()),
                Some(_) => Err(Denied::OwnerOnly),
                None => Err(Denied::NotFound),
            };
        }
        Action::ViewInvitations(a) => (a, Some(Permission::UsersInvite), true),
        Action::EditContacts(a) => (a, Some(Permission::ContactsEdit), false),
        Action::DeleteContacts(a) => (a, Some(Permission::ContactsDelete), false),
        Action::SaveFilters(a) => (a, Some(Permission::FiltersSave), false),
        Action::ManageProjects(a) => (a, Some(Permission::ProjectsManage), false),
        Action::UseOwnWork(a) => (a, None, false),
        Action::OpenTickets(a) => (a, Some(Permission::TicketsViewOpen), false),
        Action::DeleteTickets(a) => (a, Some(Permission::AccountSettings), false),
        Action::TrackTime(a) => (a, Some(Permission::TimeTrack), false),
        Action::EditWorkflowTemplates(a) => (a, Some(Permission::WorkflowsEdit), false),
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
    fn r_imp_1_impersonation_needs_the_permission_and_a_membership() {
        let a = Uuid::now_v7();
        assert_eq!(authorize(&member(a, BuiltinRole::Admin, MembershipStatus::Active), Action::Impersonate(a)), Ok(()));
        let standard = member(a, BuiltinRole::Standard, MembershipStatus::Active);
        let expected = if BuiltinRole::Standard.permissions().contains(Permission::UsersImpersonate) {
            Ok(())
        } else {
            Err(Denied::Forbidden(Permission::UsersImpersonate))
        };
        assert_eq!(authorize(&standard, Action::Impersonate(a)), expected);
        assert_eq!(
            authorize(&member(a, BuiltinRole::Customer, MembershipStatus::Active), Action::Impersonate(a)),
            Err(Denied::Forbidden(Permission::UsersImpersonate))
        );
        let disabled = member(a, BuiltinRole::Admin, MembershipStatus::Disabled);
        assert_eq!(authorize(&disabled, Action::Impersonate(a)), Err(Denied::NotFound));
        let op = Actor { user_id: Uuid::now_v7(), is_operator: true, membership: None };
        assert_eq!(authorize(&op, Action::Impersonate(a)), Err(Denied::NotFound));
    }

    #[test]
    fn r_perm_2_invite_policy_owner_only_or_users_invite() {
        let a = Uuid::now_v7();
        let owner = member(a, BuiltinRole::Owner, MembershipStatus::Active);
        let admin = member(a, BuiltinRole::Admin, MembershipStatus::Active);
        let customer = member(a, BuiltinRole::Customer, MembershipStatus::Active);
        let owner_only = Action::Invite { account_id: a, owner_only: true };
        let by_permission = Action::Invite { account_id: a, owner_only: false };
        assert_eq!(authorize(&owner, owner_only), Ok(()));
        assert_eq!(authorize(&admin, owner_only), Err(Denied::OwnerOnly));
        assert_eq!(authorize(&owner, by_permission), Ok(()));
        assert_eq!(authorize(&admin, by_permission), Ok(()));
        assert_eq!(authorize(&customer, by_permission), Err(Denied::Forbidden(Permission::UsersInvite)));
        let elsewhere = member(Uuid::now_v7(), BuiltinRole::Owner, MembershipStatus::Active);
        assert_eq!(authorize(&elsewhere, owner_only), Err(Denied::NotFound));
        assert_eq!(authorize(&elsewhere, by_permission), Err(Denied::NotFound));
        let op = Actor { user_id: Uuid::now_v7(), is_operator: true, membership: None };
        assert_eq!(authorize(&op, by_permission), Err(Denied::NotFound));
        assert_eq!(authorize(&op, Action::ViewInvitations(a)), Ok(()));
        assert_eq!(authorize(&customer, Action::ViewInvitations(a)), Err(Denied::Forbidden(Permission::UsersInvite)));
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
