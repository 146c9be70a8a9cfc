//! Rows as the store reads and writes them. Parsing into domain types happens in the service.
use roster_core::{AuditAction, InvitePolicy, MembershipStatus, RoleKind};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub username: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub password_hash: Option<String>,
    pub time_zone: String,
    pub is_operator: bool,
    /// When a link sent to the address was first used (R-AUTH-8); `None`: not proved.
    pub email_verified_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl UserRow {
    /// The key members are listed by: lower-cased "first last".
    pub fn sort_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name).to_lowercase()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub owner_id: Uuid,
    pub invite_policy: InvitePolicy,
    pub invitation_ttl_days: i32,
    pub public_signup: bool,
    /// Members with `users.impersonate` may "log in as" others here (R-IMP-1); on by default.
    pub allow_impersonation: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipRow {
    pub account_id: Uuid,
    pub user_id: Uuid,
    /// A built-in role, or `custom` with `custom_role_id` or an explicit list.
    pub role: RoleKind,
    pub custom_role_id: Option<Uuid>,
    /// Explicit permission ids (comma-separated); `None` means the role's defaults.
    pub permissions: Option<String>,
    pub status: MembershipStatus,
    pub landing_page: String,
    pub contact_tab: String,
    pub show_calendar: bool,
    pub daily_reminders: bool,
    pub last_sign_in_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    /// Read from `accounts.owner_id`; ignored on insert.
    pub is_owner: bool,
}

impl MembershipRow {
    /// A fresh active membership with default preferences.
    pub fn new(account_id: Uuid, user_id: Uuid, role: RoleKind, now: OffsetDateTime) -> Self {
        Self {
            account_id,
            user_id,
            role,
            custom_role_id: None,
            permissions: None,
            status: MembershipStatus::Active,
            landing_page: "dashboard".to_owned(),
            contact_tab: "overview".to_owned(),
            show_calendar: true,
            daily_reminders: false,
            last_sign_in_at: None,
            created_at: now,
            is_owner: false,
        }
    }
}

/// The user columns a team list shows (no password hash, no installation flags).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberPerson {
    pub id: Uuid,
    pub email: String,
    pub username: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub company: Option<String>,
}

impl MemberPerson {
    /// The key members are listed by: lower-cased "first last" (as `users.sort_name`).
    pub fn sort_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name).to_lowercase()
    }
}

impl From<&UserRow> for MemberPerson {
    fn from(u: &UserRow) -> Self {
        Self {
            id: u.id,
            email: u.email.clone(),
            username: u.username.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            phone: u.phone.clone(),
            company: u.company.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    pub user: MemberPerson,
    pub membership: MembershipRow,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountCursor {
    pub name: String,
    pub id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub id: Uuid,
    pub token_hash: Vec<u8>,
    pub user_id: Uuid,
    pub account_id: Option<Uuid>,
    /// `console` (cookie) or `api` (bearer).
    pub kind: String,
    pub csrf_token: String,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub idle_expires_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// Set on a "log in as" session (R-IMP-1): the person acting as `user_id`.
    pub impersonator_id: Option<Uuid>,
    /// Why they did, as they typed it (R-IMP-1).
    pub impersonation_reason: Option<String>,
}

/// A custom role of one account (R-ROLE-1): a name and a permission list. Members holding it
/// carry a copy of the list (`memberships.permissions`), refreshed when the role changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRow {
    pub account_id: Uuid,
    pub id: Uuid,
    pub name: String,
    /// Permission ids, comma-separated.
    pub permissions: String,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub id: Uuid,
    pub account_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub impersonator_id: Option<Uuid>,
    pub action: AuditAction,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub details: Option<String>,
    pub at: OffsetDateTime,
}

/// A person named in an audit event, while their login exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPerson {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

/// An audit event with the people it names (R-AUD-1): actor, impersonator and, when the target
/// is a user, the target. Read in the same query as the event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub event: AuditRow,
    pub actor: Option<AuditPerson>,
    pub impersonator: Option<AuditPerson>,
    pub target: Option<AuditPerson>,
}

/// What an audit page is filtered by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor_id: Option<Uuid>,
    pub action: Option<AuditAction>,
    /// From this time (inclusive).
    pub from: Option<OffsetDateTime>,
    /// Until this time (exclusive).
    pub to: Option<OffsetDateTime>,
    /// Rows older than this id (the cursor).
    pub before: Option<Uuid>,
}

/// One outbound email in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailRow {
    pub id: Uuid,
    /// `None` for installation mail (e.g. to an operator).
    pub account_id: Option<Uuid>,
    /// The template it was rendered from (`welcome`, `invitation`, …).
    pub template: String,
    pub to_addr: String,
    pub from_addr: String,
    pub reply_to: Option<String>,
    pub bcc: Option<String>,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    /// The `Message-ID` header, the same for every attempt.
    pub message_id: String,
    /// `queued`, `sent` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: OffsetDateTime,
    pub lease_until: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
    /// Only the installation's server may deliver it (R-MAIL-6).
    pub installation_only: bool,
    /// The secrets the bodies hold placeholders for, sealed by the service (R-MAIL-6).
    pub secret_sealed: Option<Vec<u8>>,
}

/// An account's own outgoing server (R-MAIL-2). `password_enc` is sealed by the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettingsRow {
    pub account_id: Uuid,
    pub host: String,
    pub port: i32,
    /// `none`, `starttls`, `tls` or `opportunistic`.
    pub security: String,
    pub username: Option<String>,
    pub password_enc: Option<Vec<u8>>,
    /// The address mail of this account is sent from.
    pub from_addr: String,
    pub updated_at: OffsetDateTime,
}

/// An account's override of a built-in email template (R-MAIL-4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRow {
    pub account_id: Uuid,
    /// The template id (`welcome`, `invitation`, …).
    pub name: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub updated_by: Option<Uuid>,
    pub updated_at: OffsetDateTime,
}

/// Failed sign-ins of one throttle key (R-AUTH-7): `login:…` or `ip:…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleRow {
    pub key: String,
    /// Failures since `window_start`.
    pub failures: i64,
    pub window_start: OffsetDateTime,
    pub blocked_until: Option<OffsetDateTime>,
}

/// A personal API token of one person in one account. The secret itself is never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub account_id: Uuid,
    pub name: String,
    /// SHA-256 of the secret.
    pub token_hash: Vec<u8>,
    /// The secret's first characters (`roster_pat_ab12`), shown in lists.
    pub prefix: String,
    pub created_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

/// A registration waiting for its address to be proved (R-AUTH-3, R-AUTH-8): the login and
/// account are made from it when the emailed link is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRegistrationRow {
    pub id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub account_name: String,
    pub password_hash: String,
    pub token_hash: Vec<u8>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
}

/// Which memberships a batched session lookup reads with each session
/// ([`crate::SessionRepo::sessions_by_hashes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionMemberships<'a> {
    /// None.
    None,
    /// The user's memberships in these accounts (a request on an account's route).
    In(&'a [Uuid]),
    /// Every membership of the user (`GET /me`).
    All,
}

/// A live session found by [`crate::SessionRepo::sessions_by_hashes`], with its user and the
/// memberships asked for, each with its account, by account name.
pub type FoundSession = (SessionRow, UserRow, Vec<(AccountRow, MembershipRow)>);

/// A live personal API token found by its hash, with its user and the user's membership in the
/// token's account (`None` without one).
pub type FoundApiToken = (ApiTokenRow, UserRow, Option<MembershipRow>);
