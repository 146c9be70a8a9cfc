//! Custom roles and permanent delete (the team list is `MemberListRepo`).
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
