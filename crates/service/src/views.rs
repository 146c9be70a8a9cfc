//! What use cases answer: plain serialisable views, shared by the API (JSON) and the console.
use roster_core::{BuiltinRole, InvitePolicy, MembershipStatus, Permission, PermissionSet, RoleKind};
use roster_store::{AccountRow, MemberRow, MembershipRow, UserRow};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::permission_ids::PermissionIds;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub username: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub time_zone: String,
    pub is_operator: bool,
    /// True once a link sent to the address was used (R-AUTH-8).
    pub email_verified: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<&UserRow> for UserView {
    fn from(u: &UserRow) -> Self {
        Self {
            id: u.id,
            email: u.email.clone(),
            username: u.username.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            phone: u.phone.clone(),
            company: u.company.clone(),
            time_zone: u.time_zone.clone(),
            is_operator: u.is_operator,
            email_verified: u.email_verified_at.is_some(),
            created_at: u.created_at,
        }
    }
}

/// The caller's place in an account, when they have one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyMembership {
    pub role: RoleKind,
    pub status: MembershipStatus,
    pub is_owner: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountView {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub owner_id: Uuid,
    /// `owner_only` or `permission` (R-PERM-2).
    pub invite_policy: InvitePolicy,
    pub invitation_ttl_days: i32,
    pub public_signup: bool,
    /// Members with `users.impersonate` may "log in as" others (R-IMP-1); on by default.
    pub allow_impersonation: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The caller's membership; absent for an operator who is not a member.
    pub membership: Option<MyMembership>,
}

impl AccountView {
    pub fn new(a: &AccountRow, m: Option<&MembershipRow>) -> Self {
        Self {
            id: a.id,
            name: a.name.clone(),
            slug: a.slug.clone(),
            owner_id: a.owner_id,
            invite_policy: a.invite_policy,
            invitation_ttl_days: a.invitation_ttl_days,
            public_signup: a.public_signup,
            allow_impersonation: a.allow_impersonation,
            created_at: a.created_at,
            membership: m.map(|m| MyMembership { role: m.role, status: m.status, is_owner: m.is_owner }),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Preferences {
    pub landing_page: String,
    pub contact_tab: String,
    pub show_calendar: bool,
    pub daily_reminders: bool,
}

/// A member of an account, as API.md names its fields.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberView {
    pub user_id: Uuid,
    pub email: String,
    pub username: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub company: Option<String>,
    /// A built-in role key, or `custom` (a custom role, `custom_role_id`, or a chosen list).
    pub role: RoleKind,
    /// The account's custom role the member holds, if any (see `GET …/roles`).
    pub custom_role_id: Option<Uuid>,
    /// Effective permission ids, in catalogue order.
    #[schema(value_type = Vec<String>)]
    pub permissions: PermissionIds,
    pub status: MembershipStatus,
    pub is_owner: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_sign_in_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub preferences: Preferences,
}

impl From<MemberRow> for MemberView {
    fn from(r: MemberRow) -> Self {
        let (u, m) = (r.user, r.membership);
        Self {
            permissions: PermissionIds(effective_permissions(&m)),
            user_id: u.id,
            email: u.email,
            username: u.username,
            first_name: u.first_name,
            last_name: u.last_name,
            phone: u.phone,
            company: u.company,
            role: m.role,
            custom_role_id: m.custom_role_id,
            status: m.status,
            is_owner: m.is_owner,
            last_sign_in_at: m.last_sign_in_at,
            created_at: m.created_at,
            preferences: Preferences {
                landing_page: m.landing_page,
                contact_tab: m.contact_tab,
                show_calendar: m.show_calendar,
                daily_reminders: m.daily_reminders,
            },
        }
    }
}

impl MemberView {
    pub fn role_label(&self) -> &str {
        match self.role.builtin() {
            Some(r) => r.label(),
            None => self.role.as_str(),
        }
    }
}

/// A membership as `GET /me` lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MembershipSummary {
    pub account_id: Uuid,
    pub account_name: String,
    pub account_slug: String,
    pub role: RoleKind,
    pub status: MembershipStatus,
    pub is_owner: bool,
    /// When the user last signed in to this account (the chooser offers the latest first).
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_sign_in_at: Option<OffsetDateTime>,
    /// Where the console lands in this account: `team` for members who may see the team,
    /// `home` (the account's page) for the others.
    pub landing: &'static str,
}

impl MembershipSummary {
    pub fn new(a: &AccountRow, m: &MembershipRow) -> Self {
        Self {
            account_id: a.id,
            account_name: a.name.clone(),
            account_slug: a.slug.clone(),
            role: m.role,
            status: m.status,
            is_owner: m.is_owner,
            last_sign_in_at: m.last_sign_in_at,
            landing: landing(m),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeView {
    pub user: UserView,
    pub memberships: Vec<MembershipSummary>,
    pub current_account_id: Option<Uuid>,
    /// During "log in as" (R-IMP-1): the id of the person acting as `user`.
    pub impersonator_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberPage {
    pub items: Vec<MemberView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountPage {
    pub items: Vec<AccountView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PermissionView {
    pub id: &'static str,
    pub group: &'static str,
    pub grants: &'static str,
}

/// Where the console lands in an account (R-AUTH-2): the member's preference when the console
/// has that page and they may see it, else the team for those who may see it, else home.
fn landing(m: &MembershipRow) -> &'static str {
    let sees_team = effective_permissions(m).contains(Permission::UsersView);
    match m.landing_page.as_str() {
        "home" => "home",
        _ if sees_team => "team",
        _ => "home",
    }
}

/// A membership's effective permissions: the owner holds all (R-OWN-2); otherwise an explicit
/// list wins over the role's defaults; `custom` without a list grants nothing.
pub fn effective_permissions(m: &MembershipRow) -> PermissionSet {
    if m.is_owner {
        return PermissionSet::all();
    }
    if let Some(list) = &m.permissions {
        return PermissionSet::from_ids(list).unwrap_or_default();
    }
    m.role.builtin().map_or(PermissionSet::EMPTY, BuiltinRole::permissions)
}
