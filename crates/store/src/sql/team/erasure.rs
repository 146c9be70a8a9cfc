//! Erasing a person (R-DEL-1): the user row stays, so ids in the audit log and elsewhere still
//! point somewhere, but nothing personal is left in it or in the outbox.
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::super::driver::{SqlTx, to_db};
use crate::{ErasureRepo, Result};

#[async_trait]
impl ErasureRepo for SqlTx {
    async fn erase_user(&mut self, user_id: Uuid, placeholder_email: &str, at: OffsetDateTime) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE users SET email = $2, username = NULL, first_name = 'Erased', last_name = 'user', \
                 sort_name = 'erased user', phone = NULL, company = NULL, password_hash = NULL, time_zone = 'UTC', \
                 updated_at = $3 WHERE id = $1 AND NOT is_operator",
                args![user_id, placeholder_email, to_db(at)],
            )
            .await?;
        Ok(n == 1)
    }

    async fn delete_emails_to(&mut self, address: &str) -> Result<u64> {
        // To them, or sent in their name (their address as Reply-To, R-MAIL-3).
        self.exec(
            "DELETE FROM emails WHERE lower(to_addr) = lower($1) OR lower(reply_to) LIKE '%' || lower($1) || '%'",
            args![address],
        )
        .await
    }

    async fn erase_invitation_addresses(&mut self, address: &str, placeholder: &str) -> Result<u64> {
        self.exec(
            "UPDATE invitations SET email = $2 WHERE lower(email) = lower($1) AND status <> 'pending'",
            args![address, placeholder],
        )
        .await
    }
}
