use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::super::driver::{CLAIM_DUE_SQL, SqlTx, get, to_db};
use super::super::{DbRow, opt_time, time, uuid};
use crate::{EmailRow, OutboxRepo, Result};

fn email_from_row(r: &DbRow<'_>) -> Result<EmailRow> {
    Ok(EmailRow {
        id: uuid(r, "id")?,
        account_id: get(r, "account_id")?,
        template: get(r, "template")?,
        to_addr: get(r, "to_addr")?,
        from_addr: get(r, "from_addr")?,
        reply_to: get(r, "reply_to")?,
        bcc: get(r, "bcc")?,
        subject: get(r, "subject")?,
        text_body: get(r, "text_body")?,
        html_body: get(r, "html_body")?,
        message_id: get(r, "message_id")?,
        status: get(r, "status")?,
        attempts: get(r, "attempts")?,
        next_attempt_at: time(r, "next_attempt_at")?,
        lease_until: opt_time(r, "lease_until")?,
        last_error: get(r, "last_error")?,
        created_at: time(r, "created_at")?,
        sent_at: opt_time(r, "sent_at")?,
        installation_only: get(r, "installation_only")?,
        secret_sealed: get(r, "secret_sealed")?,
    })
}

const EMAIL_BY_ID: &str = concat!("SELECT ", email_cols!(), " FROM emails WHERE id = $1");
const ALL_EMAILS: &str = concat!("SELECT ", email_cols!(), " FROM emails WHERE id < $1 ORDER BY id DESC LIMIT $2");
const EMAILS_OF_ACCOUNT: &str =
    concat!("SELECT ", email_cols!(), " FROM emails WHERE account_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3");

#[async_trait]
impl OutboxRepo for SqlTx {
    async fn enqueue_email(&mut self, e: &EmailRow) -> Result<()> {
        self.exec(
            concat!(
                "INSERT INTO emails (",
                email_cols!(),
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"
            ),
            args![
                e.id,
                e.account_id,
                e.template,
                e.to_addr,
                e.from_addr,
                e.reply_to,
                e.bcc,
                e.subject,
                e.text_body,
                e.html_body,
                e.message_id,
                e.status,
                e.attempts,
                to_db(e.next_attempt_at),
                e.lease_until.map(to_db),
                e.last_error,
                to_db(e.created_at),
                e.sent_at.map(to_db),
                e.installation_only,
                e.secret_sealed
            ],
        )
        .await?;
        Ok(())
    }

    async fn claim_due_emails(
        &mut self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: i64,
        any_account: bool,
    ) -> Result<Vec<EmailRow>> {
        self.all(CLAIM_DUE_SQL, args![to_db(now), to_db(lease_until), limit, any_account], email_from_row).await
    }

    async fn mark_email_sent(&mut self, id: Uuid, lease_until: OffsetDateTime, at: OffsetDateTime) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE emails SET status = 'sent', attempts = attempts + 1, sent_at = $3, lease_until = NULL, \
                 last_error = NULL WHERE id = $1 AND lease_until = $2 AND status = 'queued'",
                args![id, to_db(lease_until), to_db(at)],
            )
            .await?;
        Ok(n == 1)
    }

    async fn mark_email_attempt_failed(
        &mut self,
        id: Uuid,
        lease_until: OffsetDateTime,
        error: &str,
        next_attempt_at: Option<OffsetDateTime>,
    ) -> Result<bool> {
        let n = match next_attempt_at {
            Some(next) => {
                self.exec(
                    "UPDATE emails SET attempts = attempts + 1, last_error = $3, next_attempt_at = $4, lease_until = NULL \
                     WHERE id = $1 AND lease_until = $2 AND status = 'queued'",
                    args![id, to_db(lease_until), error, to_db(next)],
                )
                .await?
            }
            None => {
                self.exec(
                    "UPDATE emails SET status = 'failed', attempts = attempts + 1, last_error = $3, lease_until = NULL \
                     WHERE id = $1 AND lease_until = $2 AND status = 'queued'",
                    args![id, to_db(lease_until), error],
                )
                .await?
            }
        };
        Ok(n == 1)
    }

    async fn requeue_email(&mut self, account_id: Option<Uuid>, id: Uuid, now: OffsetDateTime) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE emails SET status = 'queued', next_attempt_at = $3, lease_until = NULL \
                 WHERE id = $1 AND status = 'failed' AND (account_id = $2 OR $2 IS NULL)",
                args![id, account_id, to_db(now)],
            )
            .await?;
        Ok(n == 1)
    }

    async fn email_by_id(&mut self, id: Uuid) -> Result<Option<EmailRow>> {
        self.opt(EMAIL_BY_ID, args![id], email_from_row).await
    }

    async fn emails_of_account(&mut self, account_id: Uuid, before: Option<Uuid>, limit: i64) -> Result<Vec<EmailRow>> {
        let before = before.unwrap_or(Uuid::max());
        self.all(EMAILS_OF_ACCOUNT, args![account_id, before, limit], email_from_row).await
    }

    async fn all_emails(&mut self, before: Option<Uuid>, limit: i64) -> Result<Vec<EmailRow>> {
        let before = before.unwrap_or(Uuid::max());
        self.all(ALL_EMAILS, args![before, limit], email_from_row).await
    }

    async fn count_account_email(&mut self, account_id: Uuid, hour: i64, limit: i64) -> Result<bool> {
        let counted: Option<i64> = self
            .opt(
                "INSERT INTO mail_quota (account_id, hour, sent) VALUES ($1, $2, 1) \
                 ON CONFLICT (account_id, hour) DO UPDATE SET sent = mail_quota.sent + 1 \
                 WHERE mail_quota.sent < $3 RETURNING sent",
                args![account_id, hour, limit],
                |r| get(r, "sent"),
            )
            .await?;
        if counted == Some(1) {
            // The first email of an hour: the account's rows of earlier days are no longer needed.
            self.exec("DELETE FROM mail_quota WHERE account_id = $1 AND hour < $2", args![account_id, hour - 24])
                .await?;
        }
        Ok(counted.is_some())
    }

    async fn email_counts(&mut self) -> Result<Vec<(String, i64)>> {
        self.all("SELECT status, COUNT(*) AS n FROM emails GROUP BY status ORDER BY status", args![], |r| {
            Ok((get(r, "status")?, get(r, "n")?))
        })
        .await
    }
}
