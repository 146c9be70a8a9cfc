//! Accounts and their memberships.
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::*;

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
