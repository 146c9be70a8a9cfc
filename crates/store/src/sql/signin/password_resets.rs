use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::super::driver::{SqlTx, get, to_db};
use super::super::uuid;
use crate::{PasswordResetRepo, Result};

#[async_trait]
impl PasswordResetRepo for SqlTx {
    async fn insert_password_reset(
        &mut self,
        token_hash: &[u8],
        user_id: Uuid,
        requested_by: Option<Uuid>,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        self.exec(
            "INSERT INTO password_resets (token_hash, user_id, requested_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
            args![token_hash, user_id, requested_by, to_db(now), to_db(expires_at)],
        )
        .await?;
        Ok(())
    }

    async fn password_reset_user(&mut self, token_hash: &[u8], now: OffsetDateTime) -> Result<Option<Uuid>> {
        self.opt(
            "SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
            args![token_hash, to_db(now)],
            |r| uuid(r, "user_id"),
        )
        .await
    }

    async fn use_password_reset(&mut self, token_hash: &[u8], now: OffsetDateTime) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE password_resets SET used_at = $2 \
                 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
                args![token_hash, to_db(now)],
            )
            .await?;
        Ok(n == 1)
    }

    async fn expire_password_resets_of_user(&mut self, user_id: Uuid, now: OffsetDateTime) -> Result<u64> {
        self.exec(
            "UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL",
            args![user_id, to_db(now)],
        )
        .await
    }

    async fn password_resets_since(&mut self, user_id: Uuid, since: OffsetDateTime) -> Result<i64> {
        let n = self
            .opt(
                "SELECT COUNT(*) AS n FROM password_resets WHERE user_id = $1 AND created_at > $2",
                args![user_id, to_db(since)],
                |r| get::<i64>(r, "n"),
            )
            .await?;
        Ok(n.unwrap_or(0))
    }

    async fn set_user_password(&mut self, user_id: Uuid, password_hash: &str, at: OffsetDateTime) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1",
                args![user_id, password_hash, to_db(at)],
            )
            .await?;
        Ok(n == 1)
    }

    async fn clear_user_password(&mut self, user_id: Uuid, at: OffsetDateTime) -> Result<bool> {
        let n = self
            .exec("UPDATE users SET password_hash = NULL, updated_at = $2 WHERE id = $1", args![user_id, to_db(at)])
            .await?;
        Ok(n == 1)
    }
}
