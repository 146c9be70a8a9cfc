//! The team list (search, count, export, bulk import), custom roles and permanent delete.
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::*;

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
    /// A number that changes in the same transaction as every write to what a page of the
    /// account's members shows (memberships, their users' listed columns, the owner), as
    /// committed now; `None` where the backend keeps none (PostgreSQL), and then
    /// no page may be reused (decision 0110).
    async fn team_version(&mut self, account_id: Uuid) -> Result<Option<i64>>;
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
