//! Invitations (R-INV-1). State changes are conditional updates on `status = 'pending'`: the
//! affected-row count decides which of several racing callers wins.
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::super::driver::{SqlTx, get, to_db};
use super::super::{DbRow, catalogued, opt_time, time, uuid};
use crate::{InvitationRepo, InvitationRow, PendingInvitationRow, Result};

macro_rules! invitation_cols {
    () => {
        "i.account_id, i.id, i.email, i.role, i.custom_role_id, i.permissions, i.token_hash, i.invited_by, \
         i.status, i.expires_at, i.created_at, i.accepted_at, i.accepted_by, i.revoked_at"
    };
}

const BY_ID: &str = concat!("SELECT ", invitation_cols!(), " FROM invitations i WHERE i.account_id = $1 AND i.id = $2");
const BY_HASH: &str = concat!("SELECT ", invitation_cols!(), " FROM invitations i WHERE i.token_hash = $1");
const PENDING_FOR: &str = concat!(
    "SELECT ",
    invitation_cols!(),
    " FROM invitations i WHERE i.account_id = $1 AND lower(i.email) = lower($2) AND i.status = 'pending'"
);
const PENDING_PAGE: &str = concat!(
    "SELECT ",
    invitation_cols!(),
    ", u.first_name AS inviter_first, u.last_name AS inviter_last \
     FROM invitations i LEFT JOIN users u ON u.id = i.invited_by \
     WHERE i.account_id = $1 AND i.status = 'pending' AND ($2 IS NULL OR i.id < $2) \
     ORDER BY i.id DESC LIMIT $3"
);

fn invitation_from_row(r: &DbRow<'_>) -> Result<InvitationRow> {
    Ok(InvitationRow {
        account_id: uuid(r, "account_id")?,
        id: uuid(r, "id")?,
        email: get(r, "email")?,
        role: catalogued(r, "role", roster_core::RoleKind::parse)?,
        custom_role_id: get(r, "custom_role_id")?,
        permissions: get(r, "permissions")?,
        token_hash: get(r, "token_hash")?,
        invited_by: get(r, "invited_by")?,
        status: catalogued(r, "status", roster_core::InvitationStatus::parse_stored)?,
        expires_at: time(r, "expires_at")?,
        created_at: time(r, "created_at")?,
        accepted_at: opt_time(r, "accepted_at")?,
        accepted_by: get(r, "accepted_by")?,
        revoked_at: opt_time(r, "revoked_at")?,
    })
}

#[async_trait]
impl InvitationRepo for SqlTx {
    async fn insert_invitation(&mut self, i: &InvitationRow) -> Result<()> {
        self.exec(
            "INSERT INTO invitations (account_id, id, email, role, custom_role_id, permissions, token_hash, \
             invited_by, status, expires_at, created_at, accepted_at, accepted_by, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            args![
                i.account_id,
                i.id,
                i.email,
                i.role.as_str(),
                i.custom_role_id,
                i.permissions,
                i.token_hash,
                i.invited_by,
                i.status.as_str(),
                to_db(i.expires_at),
                to_db(i.created_at),
                i.accepted_at.map(to_db),
                i.accepted_by,
                i.revoked_at.map(to_db)
            ],
        )
        .await?;
        Ok(())
    }

    async fn invitation_by_id(&mut self, account_id: Uuid, id: Uuid) -> Result<Option<InvitationRow>> {
        self.opt(BY_ID, args![account_id, id], invitation_from_row).await
    }

    async fn invitation_by_hash(&mut self, token_hash: &[u8]) -> Result<Option<InvitationRow>> {
        self.opt(BY_HASH, args![token_hash], invitation_from_row).await
    }

    async fn pending_invitation_for(&mut self, account_id: Uuid, email: &str) -> Result<Option<InvitationRow>> {
        self.opt(PENDING_FOR, args![account_id, email], invitation_from_row).await
    }

    async fn pending_invitations(
        &mut self,
        account_id: Uuid,
        before: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<PendingInvitationRow>> {
        self.all(PENDING_PAGE, args![account_id, before, limit], |r| {
            let first: Option<String> = get(r, "inviter_first")?;
            let last: Option<String> = get(r, "inviter_last")?;
            Ok(PendingInvitationRow {
                invitation: invitation_from_row(r)?,
                invited_by_name: first.map(|f| format!("{f} {}", last.unwrap_or_default())),
            })
        })
        .await
    }

    async fn reissue_invitation(
        &mut self,
        account_id: Uuid,
        id: Uuid,
        token_hash: &[u8],
        expires_at: OffsetDateTime,
    ) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE invitations SET token_hash = $3, expires_at = $4 \
                 WHERE account_id = $1 AND id = $2 AND status = 'pending'",
                args![account_id, id, token_hash, to_db(expires_at)],
            )
            .await?;
        Ok(n == 1)
    }

    async fn revoke_invitation(&mut self, account_id: Uuid, id: Uuid, now: OffsetDateTime) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE invitations SET status = 'revoked', revoked_at = $3 \
                 WHERE account_id = $1 AND id = $2 AND status = 'pending'",
                args![account_id, id, to_db(now)],
            )
            .await?;
        Ok(n == 1)
    }

    async fn accept_invitation(&mut self, token_hash: &[u8], user_id: Uuid, now: OffsetDateTime) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE invitations SET status = 'accepted', accepted_at = $3, accepted_by = $2 \
                 WHERE token_hash = $1 AND status = 'pending' AND expires_at > $3",
                args![token_hash, user_id, to_db(now)],
            )
            .await?;
        Ok(n == 1)
    }

    async fn supersede_expired_invitation(
        &mut self,
        account_id: Uuid,
        email: &str,
        now: OffsetDateTime,
    ) -> Result<u64> {
        self.exec(
            "UPDATE invitations SET status = 'revoked', revoked_at = $3 \
             WHERE account_id = $1 AND lower(email) = lower($2) AND status = 'pending' AND expires_at <= $3",
            args![account_id, email, to_db(now)],
        )
        .await
    }

    async fn claim_invitation_request(&mut self, id: Uuid, now: OffsetDateTime, since: OffsetDateTime) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE invitations SET last_requested_at = $2 \
                 WHERE id = $1 AND (last_requested_at IS NULL OR last_requested_at <= $3)",
                args![id, to_db(now), to_db(since)],
            )
            .await?;
        Ok(n == 1)
    }

    async fn reassign_invitations(&mut self, account_id: Uuid, from: Uuid, to: Uuid) -> Result<u64> {
        self.exec(
            "UPDATE invitations SET invited_by = $3 WHERE account_id = $1 AND invited_by = $2",
            args![account_id, from, to],
        )
        .await
    }
}
