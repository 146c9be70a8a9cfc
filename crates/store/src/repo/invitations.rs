//! Invitations (R-INV-1): the row, a pending-list row, and the repository trait. The SQL is in
//! `sql/invitations.rs`.
use async_trait::async_trait;
use roster_core::{InvitationStatus, RoleKind};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Result;

/// One invitation. The link's secret is never stored, only its SHA-256 (`token_hash`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRow {
    pub account_id: Uuid,
    pub id: Uuid,
    /// Lower-cased.
    pub email: String,
    /// A built-in role, or `custom` (a custom role or an explicit list).
    pub role: RoleKind,
    /// The custom role given, if any (no foreign key: the role may be deleted meanwhile).
    pub custom_role_id: Option<Uuid>,
    /// Permission ids, comma-separated: the explicit list, or the custom role's list when the
    /// invitation was made; `None` for a built-in role's defaults.
    pub permissions: Option<String>,
    pub token_hash: Vec<u8>,
    /// Who sent it (`None` once that login is deleted).
    pub invited_by: Option<Uuid>,
    /// `pending`, `accepted` or `revoked` (never `expired`: that is pending past `expires_at`).
    pub status: InvitationStatus,
    pub expires_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
    pub accepted_at: Option<OffsetDateTime>,
    pub accepted_by: Option<Uuid>,
    pub revoked_at: Option<OffsetDateTime>,
}

impl InvitationRow {
    /// Pending and not expired at `now`: the link works.
    pub fn is_live(&self, now: OffsetDateTime) -> bool {
        self.status == InvitationStatus::Pending && self.expires_at > now
    }
}

/// A pending invitation with its sender's name, for the pending list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingInvitationRow {
    pub invitation: InvitationRow,
    /// "First Last" of the sender, when that login still exists.
    pub invited_by_name: Option<String>,
}

/// Invitations (R-INV-1). Every state change is a conditional update on `status = 'pending'`, so
/// of two racing changes (two accepts, an accept and a revoke) exactly one applies.
#[async_trait]
pub trait InvitationRepo {
    /// Inserts a pending invitation; a second pending one for the same address in the account is
    /// refused by the database (`StoreError::Conflict("invitation")`).
    async fn insert_invitation(&mut self, i: &InvitationRow) -> Result<()>;
    async fn invitation_by_id(&mut self, account_id: Uuid, id: Uuid) -> Result<Option<InvitationRow>>;
    /// The invitation a link's secret hash belongs to, whatever its state.
    async fn invitation_by_hash(&mut self, token_hash: &[u8]) -> Result<Option<InvitationRow>>;
    /// The pending invitation (expired or not) for an address in the account (case-insensitive).
    async fn pending_invitation_for(&mut self, account_id: Uuid, email: &str) -> Result<Option<InvitationRow>>;
    /// The account's pending invitations (expired ones too), newest first, keyset-paged by id.
    async fn pending_invitations(
        &mut self,
        account_id: Uuid,
        before: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<PendingInvitationRow>>;
    /// A new link and expiry for a pending invitation (resend): the old hash stops matching.
    /// False when it is no longer pending.
    async fn reissue_invitation(
        &mut self,
        account_id: Uuid,
        id: Uuid,
        token_hash: &[u8],
        expires_at: OffsetDateTime,
    ) -> Result<bool>;
    /// Revokes a pending invitation; false when it is no longer pending (or absent).
    async fn revoke_invitation(&mut self, account_id: Uuid, id: Uuid, now: OffsetDateTime) -> Result<bool>;
    /// Marks the pending, unexpired invitation of this hash accepted by `user_id`: true for exactly
    /// one of several concurrent callers.
    async fn accept_invitation(&mut self, token_hash: &[u8], user_id: Uuid, now: OffsetDateTime) -> Result<bool>;
    /// Revokes the expired pending invitation of an address (before a new one is made for it).
    async fn supersede_expired_invitation(&mut self, account_id: Uuid, email: &str, now: OffsetDateTime)
    -> Result<u64>;
    /// Records a request for a new invitation unless one was recorded after `since`: true for
    /// exactly one of several concurrent callers.
    async fn claim_invitation_request(&mut self, id: Uuid, now: OffsetDateTime, since: OffsetDateTime) -> Result<bool>;
    /// Moves the account's invitations sent by `from` to `to` (R-DEL-1); the count.
    async fn reassign_invitations(&mut self, account_id: Uuid, from: Uuid, to: Uuid) -> Result<u64>;
}
