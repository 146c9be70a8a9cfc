//! Registrations waiting for their address to be proved (R-AUTH-3, R-AUTH-8).
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::super::driver::{REGISTRATION_MAIL_LOCK_SQL, SqlTx, get, to_db};
use super::super::{DbRow, opt_time, time, uuid};
use crate::{PendingRegistrationRow, RegistrationRepo, Result};

fn registration_from_row(r: &DbRow<'_>) -> Result<PendingRegistrationRow> {
    Ok(PendingRegistrationRow {
        id: uuid(r, "id")?,
        email: get(r, "email")?,
        first_name: get(r, "first_name")?,
        last_name: get(r, "last_name")?,
        account_name: get(r, "account_name")?,
        password_hash: get(r, "password_hash")?,
        token_hash: get(r, "token_hash")?,
        created_at: time(r, "created_at")?,
        expires_at: time(r, "expires_at")?,
        used_at: opt_time(r, "used_at")?,
    })
}

#[async_trait]
impl RegistrationRepo for SqlTx {
    async fn insert_pending_registration(&mut self, r: &PendingRegistrationRow) -> Result<()> {
        self.exec(
            "INSERT INTO pending_registrations (id, email, first_name, last_name, account_name, password_hash, \
             token_hash, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            args![
                r.id,
                r.email,
                r.first_name,
                r.last_name,
                r.account_name,
                r.password_hash,
                r.token_hash,
                to_db(r.created_at),
                to_db(r.expires_at),
                r.used_at.map(to_db)
            ],
        )
        .await?;
        Ok(())
    }

    async fn pending_registration(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
    ) -> Result<Option<PendingRegistrationRow>> {
        self.opt(
            "SELECT id, email, first_name, last_name, account_name, password_hash, token_hash, created_at, \
             expires_at, used_at FROM pending_registrations WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
            args![token_hash, to_db(now)],
            registration_from_row,
        )
        .await
    }

    async fn take_pending_registration(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
    ) -> Result<Option<PendingRegistrationRow>> {
        // The conditional update decides the race: exactly one caller changes the row.
        let n = self
            .exec(
                "UPDATE pending_registrations SET used_at = $2 \
                 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
                args![token_hash, to_db(now)],
            )
            .await?;
        if n != 1 {
            return Ok(None);
        }
        self.opt(
            "SELECT id, email, first_name, last_name, account_name, password_hash, token_hash, created_at, \
             expires_at, used_at FROM pending_registrations WHERE token_hash = $1",
            args![token_hash],
            registration_from_row,
        )
        .await
    }

    async fn record_registration_mail(&mut self, email: &str, at: OffsetDateTime) -> Result<()> {
        self.exec("INSERT INTO registration_mails (email, sent_at) VALUES ($1, $2)", args![email, to_db(at)]).await?;
        Ok(())
    }

    async fn registration_mails_since(&mut self, email: &str, since: OffsetDateTime) -> Result<i64> {
        // Until the unit of work ends, other registrations to the address wait here, so they
        // count this one's mail (at most REGISTRATION_MAILS_PER_HOUR, whatever races).
        if let Some(lock) = REGISTRATION_MAIL_LOCK_SQL {
            self.opt(lock, args![email], |_| Ok(())).await?;
        }
        let n = self
            .opt(
                "SELECT COUNT(*) AS n FROM registration_mails WHERE email = $1 AND sent_at > $2",
                args![email, to_db(since)],
                |r| get::<i64>(r, "n"),
            )
            .await?;
        Ok(n.unwrap_or(0))
    }

    async fn revoke_all_api_tokens_of_user(&mut self, user_id: Uuid, now: OffsetDateTime) -> Result<u64> {
        self.exec(
            "UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
            args![user_id, to_db(now)],
        )
        .await
    }
}
