//! The eight built-in roles and their default permission sets (PRODUCT.md §3, seeds 001, 002).
use serde::Serialize;

use crate::permission::{Permission as P, PermissionSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BuiltinRole {
    Owner,
    Admin,
    Standard,
    Salesperson,
    Employee,
    Vendor,
    Customer,
    Collaborator,
}

/// What "user administration" means when a role is said to lack it.
const USER_ADMINISTRATION: &[P] =
    &[P::UsersView, P::UsersManage, P::UsersInvite, P::UsersImpersonate, P::UsersExport, P::RolesManage, P::AuditView];

impl BuiltinRole {
    pub const ALL: &'static [BuiltinRole] = &[
        BuiltinRole::Owner,
        BuiltinRole::Admin,
        BuiltinRole::Standard,
        BuiltinRole::Salesperson,
        BuiltinRole::Employee,
        BuiltinRole::Vendor,
        BuiltinRole::Customer,
        BuiltinRole::Collaborator,
    ];

    pub fn key(self) -> &'static str {
        match self {
            BuiltinRole::Owner => "owner",
            BuiltinRole::Admin => "admin",
            BuiltinRole::Standard => "standard",
            BuiltinRole::Salesperson => "salesperson",
            BuiltinRole::Employee => "employee",
            BuiltinRole::Vendor => "vendor",
            BuiltinRole::Customer => "customer",
            BuiltinRole::Collaborator => "collaborator",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            BuiltinRole::Owner => "Account owner",
            BuiltinRole::Admin => "Admin",
            BuiltinRole::Standard => "Standard user",
            BuiltinRole::Salesperson => "Salesperson",
            BuiltinRole::Employee => "Employee",
            BuiltinRole::Vendor => "Vendor",
            BuiltinRole::Customer => "Customer",
            BuiltinRole::Collaborator => "Collaborator",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|r| r.key() == key)
    }

    /// The role given when none is chosen (R-ROLE-1).
    pub fn default_for_new_member() -> Self {
        BuiltinRole::Customer
    }

    /// Default permissions. Owner and admin hold every permission; the owner's own acts
    /// (transfer, delete the account) are not permissions, so nobody else can hold them.
    pub fn permissions(self) -> PermissionSet {
        let all = PermissionSet::all();
        match self {
            BuiltinRole::Owner | BuiltinRole::Admin => all,
            BuiltinRole::Standard => {
                let mut s = all
                    .without(P::WorkflowsEdit)
                    .without(P::ContactsDelete)
                    .without(P::AccountSettings)
                    .without(P::FiltersSave);
                for p in USER_ADMINISTRATION {
                    s = s.without(*p);
                }
                s
            }
            BuiltinRole::Salesperson => {
                BuiltinRole::Standard.permissions().without(P::ContactsViewAll).with(P::FiltersSave)
            }
            // Staff who do the work but do not see every client or the team's settings.
            BuiltinRole::Employee => {
                PermissionSet::of(&[P::UsersView, P::ContactsEdit, P::TimeTrack, P::TicketsViewOpen])
            }
            // Outside suppliers and collaborators: their own projects and to-dos, and their time.
            BuiltinRole::Vendor | BuiltinRole::Collaborator => PermissionSet::of(&[P::TimeTrack]),
            // Only projects they belong to and their own to-dos: record-level, no permission.
            BuiltinRole::Customer => PermissionSet::EMPTY,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_lacks_what_seed_002_says() {
        let s = BuiltinRole::Standard.permissions();
        for p in [P::WorkflowsEdit, P::ContactsDelete, P::AccountSettings, P::UsersManage] {
            assert!(!s.contains(p), "{p:?}");
        }
        assert!(s.contains(P::CallCenterUse));
        assert!(s.contains(P::ContactsViewAll));
    }

    #[test]
    fn salesperson_is_standard_minus_view_all_plus_filters() {
        let s = BuiltinRole::Salesperson.permissions();
        assert!(!s.contains(P::ContactsViewAll));
        assert!(s.contains(P::FiltersSave));
        assert!(s.contains(P::CallCenterUse));
    }

    #[test]
    fn r_role_1_customer_is_the_default_and_holds_nothing() {
        assert_eq!(BuiltinRole::default_for_new_member(), BuiltinRole::Customer);
        assert_eq!(BuiltinRole::Customer.permissions(), PermissionSet::EMPTY);
    }

    #[test]
    fn keys_round_trip() {
        for r in BuiltinRole::ALL {
            assert_eq!(BuiltinRole::parse(r.key()), Some(*r));
        }
        assert_eq!(BuiltinRole::ALL.len(), 8);
    }
}
