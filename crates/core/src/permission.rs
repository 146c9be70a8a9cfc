//! The permission catalogue of PRODUCT.md §3: one enum, stable string ids, one sentence each.
use serde::{Serialize, Serializer};

macro_rules! catalogue {
    ($($variant:ident = $id:literal, $group:literal, $grants:literal;)*) => {
        /// A right a membership may hold. The string id is stable across versions.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Permission { $($variant),* }

        impl Permission {
            /// Every permission, in catalogue order.
            pub const ALL: &'static [Permission] = &[$(Permission::$variant),*];

            pub fn id(self) -> &'static str {
                match self { $(Permission::$variant => $id),* }
            }

            /// The console's group heading for this permission.
            pub fn group(self) -> &'static str {
                match self { $(Permission::$variant => $group),* }
            }

            /// One sentence saying what the permission grants.
            pub fn grants(self) -> &'static str {
                match self { $(Permission::$variant => $grants),* }
            }

            pub fn parse(id: &str) -> Option<Permission> {
                match id { $($id => Some(Permission::$variant),)* _ => None }
            }
        }
    };
}

catalogue! {
    AccountSettings = "account.settings", "Account", "Change account settings: name, email sending, sign-up policy, invitation lifetime.";
    UsersView = "users.view", "Team", "See the team list and user details.";
    UsersManage = "users.manage", "Team", "Create, edit, disable, archive and restore users; set roles and permissions.";
    UsersInvite = "users.invite", "Team", "Send, resend and revoke invitations.";
    UsersImpersonate = "users.impersonate", "Team", "Log in as another user.";
    UsersExport = "users.export", "Team", "Export users as CSV.";
    RolesManage = "roles.manage", "Team", "Create and edit custom roles.";
    AuditView = "audit.view", "Account", "Read the account's audit log.";
    ContactsViewAll = "contacts.view_all", "Contacts", "See every contact (without it: only contacts assigned to you).";
    ContactsEdit = "contacts.edit", "Contacts", "Change contacts.";
    ContactsDelete = "contacts.delete", "Contacts", "Delete contacts.";
    ProjectsViewAll = "projects.view_all", "Projects", "See every project (without it: those you belong to).";
    ProjectsManage = "projects.manage", "Projects", "Create and edit projects.";
    TodosViewAll = "todos.view_all", "Work", "See every to-do list and add tasks to any.";
    CalendarsViewAll = "calendars.view_all", "Work", "See every member's calendar.";
    WorkflowsEdit = "workflows.edit", "Work", "Edit workflow templates (action plans).";
    TicketsViewOpen = "tickets.view_open", "Work", "View, open and reply to the account's support tickets.";
    PortalManage = "portal.manage", "Clients", "Give contacts portal access, send portal emails, hide projects or documents.";
    DocumentsManage = "documents.manage", "Clients", "Create quotes, contracts, questionnaires and invoices.";
    FiltersSave = "filters.save", "Contacts", "Save custom contact filters.";
    TimeTrack = "time.track", "Work", "Track time.";
    CallCenterUse = "call_center.use", "Work", "Use the call center.";
}

impl Serialize for Permission {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

/// A set of permissions as a bit set: cheap to copy, compare and check. 64 bits: room for the
/// work records' and the portal's permissions (stored as ids, never as the number).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PermissionSet(u64);

impl PermissionSet {
    pub const EMPTY: PermissionSet = PermissionSet(0);

    pub fn all() -> Self {
        Self::of(Permission::ALL)
    }

    pub fn of(perms: &[Permission]) -> Self {
        perms.iter().fold(Self::EMPTY, |s, p| s.with(*p))
    }

    pub fn with(self, p: Permission) -> Self {
        Self(self.0 | (1u64 << p as u8))
    }

    pub fn without(self, p: Permission) -> Self {
        Self(self.0 & !(1u64 << p as u8))
    }

    /// The set as its bits (permission `p` is bit `p as u8`): a key for caches, never stored.
    pub fn bits(self) -> u64 {
        self.0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn contains(self, p: Permission) -> bool {
        self.0 & (1u64 << p as u8) != 0
    }

    /// True when every permission of `other` is in `self` (R-PERM-1's "no escalation").
    pub fn is_superset_of(self, other: PermissionSet) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL.iter().copied().filter(move |p| self.contains(*p))
    }

    /// Stable text form for storage: ids joined by commas, in catalogue order.
    pub fn to_ids(self) -> String {
        self.iter().map(Permission::id).collect::<Vec<_>>().join(",")
    }

    /// Parses the storage form; unknown ids are reported, not dropped silently.
    pub fn from_ids(text: &str) -> Result<Self, String> {
        text.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .try_fold(Self::EMPTY, |set, id| Permission::parse(id).map(|p| set.with(p)).ok_or_else(|| id.to_owned()))
    }
}

impl Serialize for PermissionSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for p in Permission::ALL {
            assert!(seen.insert(p.id()), "duplicate id {}", p.id());
            assert_eq!(Permission::parse(p.id()), Some(*p));
        }
        assert_eq!(Permission::ALL.len(), 22);
        assert!(Permission::ALL.len() <= 64, "PermissionSet is a u64");
    }

    #[test]
    fn set_round_trips_through_text() {
        let s = PermissionSet::of(&[Permission::UsersView, Permission::TimeTrack]);
        assert_eq!(s.to_ids(), "users.view,time.track");
        assert_eq!(PermissionSet::from_ids(&s.to_ids()), Ok(s));
        assert_eq!(PermissionSet::from_ids("users.view,nope"), Err("nope".to_owned()));
        assert!(PermissionSet::all().is_superset_of(s));
        assert!(!s.is_superset_of(PermissionSet::all()));
    }
}
