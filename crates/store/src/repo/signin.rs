//! Logins, sessions, reset links, pending registrations and the sign-in throttle.
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::*;

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

#[async_trait]
pub trait SessionRepo {
    async fn insert_session(&mut self, s: &SessionRow) -> Result<()>;
    /// The live session for a token hash with its user, if it has not expired at `now`.
    async fn session_by_hash(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
    ) -> Result<Option<(SessionRow, UserRow)>>;
    /// [`SessionRepo::session_by_hash`] with, in the same statement, the user's membership in
    /// `account_id` (none if they have none there).
    async fn session_with_membership(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
        account_id: Uuid,
    ) -> Result<Option<(SessionRow, UserRow, Option<MembershipRow>)>>;
    /// [`SessionRepo::session_by_hash`] with, in the same statement, every membership of the user
    /// with its account, by account name (as [`crate::AccountRepo::memberships_of_user`]).
    async fn session_with_memberships(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
    ) -> Result<Option<(SessionRow, UserRow, Vec<(AccountRow, MembershipRow)>)>>;
    /// Several live sessions in one statement (a shared read, decision 0111): for each token hash
    /// of `token_hashes` whose session is live at `now`, the session, its user and the user's
    /// memberships that `memberships` asks for, each with its account, by account name (as
    /// [`crate::AccountRepo::memberships_of_user`]). Hashes with no live session are left out;
    /// sessions come in no particular order.
    async fn sessions_by_hashes(
        &mut self,
        token_hashes: &[Vec<u8>],
        now: OffsetDateTime,
        memberships: SessionMemberships<'_>,
    ) -> Result<Vec<FoundSession>>;
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
