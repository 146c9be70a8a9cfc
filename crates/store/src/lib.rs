//! Roster's persistence: one trait family ([`Store`], [`Tx`] and the `*Repo` traits), two
//! backends (SQLite and PostgreSQL) compiled from one body of SQL in `sql/`.
//!
//! Each backend is one driver module (`driver/sqlite/`, `driver/postgres/`) that lists what it
//! supplies (placeholders, time encoding, search, bulk writes, migrations; the table is in
//! `driver/mod.rs`) and then includes `sql/` as a child module, so the queries are written once
//! and type-checked against both drivers.
#![deny(clippy::unwrap_used)]

use std::sync::Arc;

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

/// The outbox columns, as a literal for `concat!` (used by the shared SQL and by each backend's
/// claim query).
macro_rules! email_cols {
    () => {
        "id, account_id, template, to_addr, from_addr, reply_to, bcc, subject, text_body, html_body, \
         message_id, status, attempts, next_attempt_at, lease_until, last_error, created_at, sent_at, \
         installation_only, secret_sealed"
    };
}

mod driver;
mod error;
mod invitations;
mod member_list;
pub mod model;
pub use driver::{postgres, sqlite};

pub use error::StoreError;
pub use invitations::*;
pub use member_list::*;
pub use model::*;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// How many write units bulk work (import, demo data) keeps going at once. SQLite has one
    /// writer; PostgreSQL's backend is the bottleneck of a bulk insert (index maintenance, one
    /// core each), and two batches at once ran 1.5 times as fast on two cores.
    pub fn bulk_writers(self) -> usize {
        match self {
            Backend::Sqlite => 1,
            Backend::Postgres => 2,
        }
    }
}

/// Pool figures for `/metrics`.
#[derive(Debug, Clone, Copy, Default)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
}

/// A database: hands out units of work and answers operational questions.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;
    /// A unit of work that writes: everything in it commits together or not at all.
    async fn begin(&self) -> Result<Box<dyn Tx>>;
    /// A unit of work that only reads (no transaction on PostgreSQL, a read connection on SQLite).
    async fn read(&self) -> Result<Box<dyn Tx>>;
    /// Applies pending migrations; safe to call from several replicas at once.
    async fn migrate(&self) -> Result<()>;
    /// True when the database answers and every migration is applied (`/readyz`).
    async fn ready(&self) -> bool;
    fn pool_stats(&self) -> PoolStats;
    async fn close(&self);
}

/// One unit of work. Dropping it without [`Tx::commit`] rolls everything back.
#[async_trait]
pub trait Tx:
    UserRepo
    + AccountRepo
    + SessionRepo
    + AuditRepo
    + OutboxRepo
    + MailSettingsRepo
    + PasswordResetRepo
    + ThrottleRepo
    + ApiTokenRepo
    + InvitationRepo
    + RegistrationRepo
    + MemberListRepo
    + RoleRepo
    + ErasureRepo
    + SchemaRepo
    + Send
{
    async fn commit(self: Box<Self>) -> Result<()>;
}

#[async_trait]
pub trait UserRepo {
    async fn insert_user(&mut self, user: &UserRow) -> Result<()>;
    async fn user_by_id(&mut self, id: Uuid) -> Result<Option<UserRow>>;
    async fn user_by_email(&mut self, email: &str) -> Result<Option<UserRow>>;
    async fn user_by_username(&mut self, username: &str) -> Result<Option<UserRow>>;
    async fn operator_exists(&mut self) -> Result<bool>;
    /// Every login of the installation, for the operator's users page: ordered by email (its
    /// unique index), keyset-paged after `after_email`; `search` is a lower-case substring of the
    /// name or the email.
    async fn all_users(&mut self, search: Option<&str>, after_email: Option<&str>, limit: i64) -> Result<Vec<UserRow>>;
    /// Records that the address was proved (R-AUTH-8); true when it was not proved before.
    async fn mark_email_verified(&mut self, user_id: Uuid, at: OffsetDateTime) -> Result<bool>;
    /// Replaces any earlier setup token: only the newest link works.
    async fn replace_setup_token(&mut self, token_hash: &[u8], expires_at: OffsetDateTime) -> Result<()>;
    /// Consumes a setup token; true when it existed and had not expired.
    async fn take_setup_token(&mut self, token_hash: &[u8], now: OffsetDateTime) -> Result<bool>;
    async fn setup_token_valid(&mut self, token_hash: &[u8], now: OffsetDateTime) -> Result<bool>;
    /// Changes a user's name and time zone; the name is also refreshed on their memberships
    /// (the team list's sort key).
    async fn update_user_profile(
        &mut self,
        user_id: Uuid,
        first_name: &str,
        last_name: &str,
        time_zone: &str,
        at: OffsetDateTime,
    ) -> Result<bool>;
    /// Changes a user's name, phone, company and username (an admin's edit of a member); the
    /// team list's copies (`sort_name`, `sort_company`) on every membership are rewritten too.
    async fn update_user_details(&mut self, user_id: Uuid, details: &UserDetails, at: OffsetDateTime) -> Result<bool>;
}

/// What an admin may change of a member's login (all of it at once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDetails {
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub username: Option<String>,
}

#[async_trait]
pub trait AccountRepo {
    /// Inserts the account and its owner's membership together (R-OWN-1).
    async fn insert_account(&mut self, account: &AccountRow, owner: &MembershipRow) -> Result<()>;
    async fn insert_membership(&mut self, m: &MembershipRow) -> Result<()>;
    async fn account_by_id(&mut self, id: Uuid) -> Result<Option<AccountRow>>;
    async fn account_by_slug(&mut self, slug: &str) -> Result<Option<AccountRow>>;
    async fn slug_taken(&mut self, slug: &str) -> Result<bool>;
    async fn membership(&mut self, account_id: Uuid, user_id: Uuid) -> Result<Option<MembershipRow>>;
    /// The user's memberships with their accounts, ordered by account name.
    async fn memberships_of_user(&mut self, user_id: Uuid) -> Result<Vec<(AccountRow, MembershipRow)>>;
    /// Every account, for the operator, ordered by name then id, keyset-paged.
    async fn all_accounts(&mut self, after: Option<&AccountCursor>, limit: i64) -> Result<Vec<AccountRow>>;
    async fn set_membership_status(
        &mut self,
        account_id: Uuid,
        user_id: Uuid,
        status: roster_core::MembershipStatus,
    ) -> Result<bool>;
    async fn delete_membership(&mut self, account_id: Uuid, user_id: Uuid) -> Result<bool>;
    /// Moves ownership (R-OWN-3); the database refuses a target that is not an active member.
    async fn set_owner(&mut self, account_id: Uuid, user_id: Uuid) -> Result<bool>;
    /// Moves ownership from `from` to `to` only if `from` still owns the account: of two
    /// transfers racing, the second finds no row (false) once the first has committed.
    async fn move_owner(&mut self, account_id: Uuid, from: Uuid, to: Uuid) -> Result<bool>;
    async fn set_membership_role(&mut self, account_id: Uuid, user_id: Uuid, role: &str) -> Result<bool>;
    /// Writes a membership's role, explicit permissions and preferences.
    async fn update_membership(&mut self, m: &MembershipRow) -> Result<bool>;
    async fn touch_last_sign_in(&mut self, account_id: Uuid, user_id: Uuid, at: OffsetDateTime) -> Result<()>;
    /// Writes the account's settings (name, invite policy, invitation lifetime, public sign-up).
    async fn update_account_settings(&mut self, a: &AccountRow) -> Result<bool>;
}

#[async_trait]
pub trait SessionRepo {
    async fn insert_session(&mut self, s: &SessionRow) -> Result<()>;
    /// The live session for a token hash with its user, if it has not expired at `now`.
    async fn session_by_hash(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
    ) -> Result<Option<(SessionRow, UserRow)>>;
    async fn touch_session(&mut self, id: Uuid, now: OffsetDateTime, idle_expires_at: OffsetDateTime) -> Result<()>;
    async fn delete_session(&mut self, id: Uuid) -> Result<bool>;
    /// Moves a session to another account (the account chooser, `POST /auth/switch`).
    async fn set_session_account(&mut self, id: Uuid, account_id: Option<Uuid>) -> Result<bool>;
    async fn delete_sessions_of_user(&mut self, user_id: Uuid) -> Result<u64>;
    /// Ends the user's sessions and tokens currently in one account (R-DIS-1, R-ARC-1).
    async fn delete_sessions_of_user_in_account(&mut self, user_id: Uuid, account_id: Uuid) -> Result<u64>;
    /// The user's live sessions and tokens, the most recently used first ("my sessions").
    async fn sessions_of_user(&mut self, user_id: Uuid, now: OffsetDateTime) -> Result<Vec<SessionRow>>;
    /// Ends every session of the user but `keep` (the one asking).
    async fn delete_other_sessions_of_user(&mut self, user_id: Uuid, keep: Uuid) -> Result<u64>;
}

#[async_trait]
pub trait AuditRepo {
    async fn insert_audit(&mut self, e: &AuditRow) -> Result<()>;
    async fn audit_of_account(&mut self, account_id: Uuid, limit: i64) -> Result<Vec<AuditRow>>;
    /// The account's audit log, newest first, filtered, keyset-paged by id; with the names of
    /// the actor, impersonator and target user while they exist (one query, joined).
    async fn audit_page(&mut self, account_id: Uuid, filter: &AuditFilter, limit: i64) -> Result<Vec<AuditEntry>>;
}

/// The email outbox (R-MAIL-1). `enqueue` runs inside the unit of work of the change that
/// causes the email; workers claim due rows with a lease that another worker may take over once
/// it has passed (a replica that died mid-send), so delivery is at least once.
#[async_trait]
pub trait OutboxRepo {
    async fn enqueue_email(&mut self, e: &EmailRow) -> Result<()>;
    /// Leases up to `limit` queued emails due at `now` until `lease_until`, oldest first. With
    /// `any_account` false, only emails of accounts with their own SMTP server are claimed (the
    /// installation has none, so the others stay queued); `installation_only` emails then stay
    /// queued too (R-MAIL-6).
    async fn claim_due_emails(
        &mut self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: i64,
        any_account: bool,
    ) -> Result<Vec<EmailRow>>;
    /// Records a delivery; false when this worker's lease was taken over meanwhile.
    async fn mark_email_sent(&mut self, id: Uuid, lease_until: OffsetDateTime, at: OffsetDateTime) -> Result<bool>;
    /// Records a failed attempt: queued again at `next_attempt_at`, or `failed` for good when
    /// `next_attempt_at` is `None`.
    async fn mark_email_attempt_failed(
        &mut self,
        id: Uuid,
        lease_until: OffsetDateTime,
        error: &str,
        next_attempt_at: Option<OffsetDateTime>,
    ) -> Result<bool>;
    /// Puts a failed email back in the queue now ("retry now").
    async fn requeue_email(&mut self, account_id: Option<Uuid>, id: Uuid, now: OffsetDateTime) -> Result<bool>;
    async fn email_by_id(&mut self, id: Uuid) -> Result<Option<EmailRow>>;
    /// An account's outbox, newest first, keyset-paged by id.
    async fn emails_of_account(&mut self, account_id: Uuid, before: Option<Uuid>, limit: i64) -> Result<Vec<EmailRow>>;
    /// Every account's outbox (and installation mail), newest first, for the operator.
    async fn all_emails(&mut self, before: Option<Uuid>, limit: i64) -> Result<Vec<EmailRow>>;
    /// How many emails are in each status (`queued`, `sent`, `failed`), for `/metrics`.
    async fn email_counts(&mut self) -> Result<Vec<(String, i64)>>;
    /// Counts one more email of `account_id` in clock hour `hour` (hours since the epoch) when
    /// fewer than `limit` were counted; false (and nothing counted) at the limit (R-MAIL-7).
    /// Atomic: concurrent units of work on any replica never count past the limit.
    async fn count_account_email(&mut self, account_id: Uuid, hour: i64, limit: i64) -> Result<bool>;
}

/// An account's mail settings: its own SMTP server and its template overrides.
#[async_trait]
pub trait MailSettingsRepo {
    async fn smtp_settings(&mut self, account_id: Uuid) -> Result<Option<SmtpSettingsRow>>;
    /// Inserts or replaces the account's server.
    async fn put_smtp_settings(&mut self, s: &SmtpSettingsRow) -> Result<()>;
    async fn delete_smtp_settings(&mut self, account_id: Uuid) -> Result<bool>;
    async fn template_override(&mut self, account_id: Uuid, name: &str) -> Result<Option<TemplateRow>>;
    /// The names of the templates the account overrides.
    async fn template_overrides(&mut self, account_id: Uuid) -> Result<Vec<String>>;
    /// Inserts or replaces an override.
    async fn put_template_override(&mut self, t: &TemplateRow) -> Result<()>;
    async fn delete_template_override(&mut self, account_id: Uuid, name: &str) -> Result<bool>;
}

/// Single-use password reset links (R-AUTH-5).
#[async_trait]
pub trait PasswordResetRepo {
    async fn insert_password_reset(
        &mut self,
        token_hash: &[u8],
        user_id: Uuid,
        requested_by: Option<Uuid>,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<()>;
    /// The user a live (unused, unexpired) reset link belongs to, without using it.
    async fn password_reset_user(&mut self, token_hash: &[u8], now: OffsetDateTime) -> Result<Option<Uuid>>;
    /// Uses a live link: true for exactly one of several concurrent callers.
    async fn use_password_reset(&mut self, token_hash: &[u8], now: OffsetDateTime) -> Result<bool>;
    /// Uses every other live link of the user (after a reset, older links die).
    async fn expire_password_resets_of_user(&mut self, user_id: Uuid, now: OffsetDateTime) -> Result<u64>;
    /// Links made for the user since `since` (to cap how many one address can be sent).
    async fn password_resets_since(&mut self, user_id: Uuid, since: OffsetDateTime) -> Result<i64>;
    async fn set_user_password(&mut self, user_id: Uuid, password_hash: &str, at: OffsetDateTime) -> Result<bool>;
    /// Removes the password (R-ARC-1): nobody signs in with it until a reset link sets a new one.
    async fn clear_user_password(&mut self, user_id: Uuid, at: OffsetDateTime) -> Result<bool>;
}

/// Registrations waiting for their address to be proved (R-AUTH-3, R-AUTH-8), and the count of
/// registration emails per address (so registering cannot flood an address).
#[async_trait]
pub trait RegistrationRepo {
    async fn insert_pending_registration(&mut self, r: &PendingRegistrationRow) -> Result<()>;
    /// The registration of a live (unused, unexpired) link, without using it.
    async fn pending_registration(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
    ) -> Result<Option<PendingRegistrationRow>>;
    /// Uses a live (unused, unexpired) link: the registration for exactly one of several
    /// concurrent callers, `None` for the others and for a used, expired or unknown link.
    async fn take_pending_registration(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
    ) -> Result<Option<PendingRegistrationRow>>;
    /// Records one registration email to the address.
    async fn record_registration_mail(&mut self, email: &str, at: OffsetDateTime) -> Result<()>;
    /// Registration emails to the address since `since`. In a unit of work, concurrent callers
    /// for the same address wait until it ends (so they count its mail).
    async fn registration_mails_since(&mut self, email: &str, since: OffsetDateTime) -> Result<i64>;
    /// Ends every API token of the user in every account (R-AUTH-8: a login taken over by
    /// whoever proved its address keeps nothing of before); how many.
    async fn revoke_all_api_tokens_of_user(&mut self, user_id: Uuid, now: OffsetDateTime) -> Result<u64>;
}

/// Failed sign-ins per throttle key (R-AUTH-7), in the database so every replica sees them.
/// The store counts; the service decides when a key is blocked and for how long.
#[async_trait]
pub trait ThrottleRepo {
    async fn throttle_row(&mut self, key: &str) -> Result<Option<ThrottleRow>>;
    /// Counts one failure, atomically: the first failure of a key, or the first once its window
    /// began at or before `window_from`, starts a new window at `now` with a count of 1. Returns
    /// the row as it now is (`blocked_until` unchanged); in a transaction the row stays locked.
    async fn record_throttle_failure(
        &mut self,
        key: &str,
        now: OffsetDateTime,
        window_from: OffsetDateTime,
    ) -> Result<ThrottleRow>;
    async fn set_throttle_block(&mut self, key: &str, blocked_until: OffsetDateTime) -> Result<()>;
    /// Forgets a key (after a success); returns the row it had, so a block set meanwhile shows.
    async fn clear_throttle(&mut self, key: &str) -> Result<Option<ThrottleRow>>;
    /// Deletes up to 100 rows whose window began before `window_from` and that are not blocked
    /// at `now`; on PostgreSQL rows other units of work hold are skipped, never waited for.
    async fn purge_throttle(&mut self, window_from: OffsetDateTime, now: OffsetDateTime) -> Result<u64>;
}

/// Personal API tokens: long-lived bearer secrets of one person in one account, kept only as
/// their SHA-256. The store finds and lists them; the service decides who may use them.
#[async_trait]
pub trait ApiTokenRepo {
    async fn insert_api_token(&mut self, t: &ApiTokenRow) -> Result<()>;
    /// The live token (not revoked, not expired at `now`) for a hash, with its user and the
    /// status of the user's membership in the token's account (`None` without one). One query.
    async fn api_token_by_hash(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
    ) -> Result<Option<(ApiTokenRow, UserRow, Option<roster_core::MembershipStatus>)>>;
    /// The person's tokens in the account that are not revoked (expired ones too), newest first.
    async fn api_tokens_of(&mut self, account_id: Uuid, user_id: Uuid) -> Result<Vec<ApiTokenRow>>;
    /// Revokes one of the person's tokens in the account; false when they have no such
    /// unrevoked token (another person's or another account's id included).
    async fn revoke_api_token(
        &mut self,
        account_id: Uuid,
        user_id: Uuid,
        id: Uuid,
        now: OffsetDateTime,
    ) -> Result<bool>;
    /// Revokes every live token of the person in the account (R-DIS-1); how many.
    async fn revoke_api_tokens_of(&mut self, account_id: Uuid, user_id: Uuid, now: OffsetDateTime) -> Result<u64>;
    /// Records a use at `now` unless one was recorded after `unless_after` (at most one write
    /// a minute per token, whatever the replicas do); true when it wrote.
    async fn touch_api_token(&mut self, id: Uuid, now: OffsetDateTime, unless_after: OffsetDateTime) -> Result<bool>;
}

/// Custom roles (R-ROLE-1). Members holding a custom role keep a copy of its permission list, so
/// the policy reads one row; [`RoleRepo::sync_role_members`] refreshes the copies.
#[async_trait]
pub trait RoleRepo {
    async fn insert_role(&mut self, r: &RoleRow) -> Result<()>;
    /// The account's custom roles by name, each with the number of memberships holding it.
    async fn roles_of_account(&mut self, account_id: Uuid) -> Result<Vec<(RoleRow, i64)>>;
    async fn role_by_id(&mut self, account_id: Uuid, id: Uuid) -> Result<Option<RoleRow>>;
    /// Case-insensitive.
    async fn role_by_name(&mut self, account_id: Uuid, name: &str) -> Result<Option<RoleRow>>;
    /// Renames and re-lists one role; false when absent.
    async fn update_role(&mut self, r: &RoleRow) -> Result<bool>;
    /// Writes the role's permission list into every membership holding it; the count.
    async fn sync_role_members(&mut self, account_id: Uuid, id: Uuid, permissions: &str) -> Result<u64>;
    async fn role_member_count(&mut self, account_id: Uuid, id: Uuid) -> Result<i64>;
    async fn delete_role(&mut self, account_id: Uuid, id: Uuid) -> Result<bool>;
}

/// The team list at scale (R-LIST-1, R-EXP-1) and members many at a time (import, demo).
#[async_trait]
pub trait MemberListRepo {
    /// One keyset page of an account's members, searched, filtered and sorted as asked, each row
    /// with its key (the cursor of the next page is the key of the last row).
    async fn search_members(
        &mut self,
        account_id: Uuid,
        q: &MemberQuery,
        limit: i64,
    ) -> Result<Vec<(MemberRow, MemberKey)>>;
    /// How many of the account's members match the query's search, role and statuses (its
    /// cursor and sort play no part), counting at most `cap + 1`: an answer above `cap` means
    /// "more than `cap`". The same conditions as [`Self::search_members`], so the count never
    /// disagrees with the pages (R-LIST-1).
    async fn count_members(&mut self, account_id: Uuid, q: &MemberQuery, cap: i64) -> Result<i64>;
    /// Inserts new users, then memberships (of new or existing users), with multi-row
    /// statements. Memberships take their sort and search copies from the users' rows.
    async fn insert_members_bulk(&mut self, users: &[UserRow], memberships: &[MembershipRow]) -> Result<()>;
    /// The users with these (lower-cased) emails; absent ones are left out.
    async fn users_by_emails(&mut self, emails: &[String]) -> Result<Vec<UserRow>>;
    /// The account's memberships of these users; absent ones are left out.
    async fn memberships_of_users(&mut self, account_id: Uuid, user_ids: &[Uuid]) -> Result<Vec<MembershipRow>>;
    /// Writes role, custom role and explicit permissions of several members of one account.
    async fn set_roles_bulk(&mut self, account_id: Uuid, changes: &[MembershipRow]) -> Result<u64>;
    async fn insert_audit_bulk(&mut self, rows: &[AuditRow]) -> Result<()>;
}

/// Erasing a person's data when a permanent delete leaves them in no account (R-DEL-1).
#[async_trait]
pub trait ErasureRepo {
    /// Replaces the person's personal fields with placeholders and drops their password; the
    /// row and its id stay. Never an operator. False when absent.
    async fn erase_user(&mut self, user_id: Uuid, placeholder_email: &str, at: OffsetDateTime) -> Result<bool>;
    /// Deletes every outbox email to this address or sent in its name (any account); the count.
    async fn delete_emails_to(&mut self, address: &str) -> Result<u64>;
    /// Replaces the address on invitations that are over (accepted, revoked); pending ones stay,
    /// as an account may still be inviting that address.
    async fn erase_invitation_addresses(&mut self, address: &str, placeholder: &str) -> Result<u64>;
}

#[async_trait]
pub trait SchemaRepo {
    /// `(table, column, not_null)` of every application table, sorted: compared across backends.
    async fn schema_shape(&mut self) -> Result<Vec<(String, String, bool)>>;
}

/// Opens the database a URL names: `sqlite://path` or `postgres://…`.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteStore::open(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(postgres::PgStore::open(url).await?))
    } else {
        Err(StoreError::Config(format!("unsupported database URL scheme in {url:?}: use sqlite:// or postgres://")))
    }
}
