//! The outbox and an account's mail settings and template overrides.
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::*;

/// The email outbox (R-MAIL-1). `enqueue` runs inside the unit of work of the change that
/// causes the email; workers claim due rows with a lease that another worker may take over once
/// it has passed (a replica that died mid-send), so delivery is at least once.
#[async_trait]
pub trait OutboxRepo {
    async fn enqueue_email(&mut self, e: &EmailRow) -> Result<()>;
    /// Leases up to `limit` queued emails due at `now` until `lease_until`, oldest first. With
    /// `any_account` false, only emails of accounts with their own SMTP server are claimed (the
    /// installation has none, so the others stay queued); `installation_only` emails then stay
    /// queued too (R-MAIL-6).
    async fn claim_due_emails(
        &mut self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: i64,
        any_account: bool,
    ) -> Result<Vec<EmailRow>>;
    /// Records a delivery; false when this worker's lease was taken over meanwhile.
    async fn mark_email_sent(&mut self, id: Uuid, lease_until: OffsetDateTime, at: OffsetDateTime) -> Result<bool>;
    /// Records a failed attempt: queued again at `next_attempt_at`, or `failed` for good when
    /// `next_attempt_at` is `None`.
    async fn mark_email_attempt_failed(
        &mut self,
        id: Uuid,
        lease_until: OffsetDateTime,
        error: &str,
        next_attempt_at: Option<OffsetDateTime>,
    ) -> Result<bool>;
    /// Puts a failed email back in the queue now ("retry now").
    async fn requeue_email(&mut self, account_id: Option<Uuid>, id: Uuid, now: OffsetDateTime) -> Result<bool>;
    async fn email_by_id(&mut self, id: Uuid) -> Result<Option<EmailRow>>;
    /// An account's outbox, newest first, keyset-paged by id.
    async fn emails_of_account(&mut self, account_id: Uuid, before: Option<Uuid>, limit: i64) -> Result<Vec<EmailRow>>;
    /// Every account's outbox (and installation mail), newest first, for the operator.
    async fn all_emails(&mut self, before: Option<Uuid>, limit: i64) -> Result<Vec<EmailRow>>;
    /// How many emails are in each status (`queued`, `sent`, `failed`), for `/metrics`.
    async fn email_counts(&mut self) -> Result<Vec<(String, i64)>>;
    /// Counts one more email of `account_id` in clock hour `hour` (hours since the epoch) when
    /// fewer than `limit` were counted; false (and nothing counted) at the limit (R-MAIL-7).
    /// Atomic: concurrent units of work on any replica never count past the limit.
    async fn count_account_email(&mut self, account_id: Uuid, hour: i64, limit: i64) -> Result<bool>;
}

/// An account's mail settings: its own SMTP server and its template overrides.
#[async_trait]
pub trait MailSettingsRepo {
    async fn smtp_settings(&mut self, account_id: Uuid) -> Result<Option<SmtpSettingsRow>>;
    /// Inserts or replaces the account's server.
    async fn put_smtp_settings(&mut self, s: &SmtpSettingsRow) -> Result<()>;
    async fn delete_smtp_settings(&mut self, account_id: Uuid) -> Result<bool>;
    async fn template_override(&mut self, account_id: Uuid, name: &str) -> Result<Option<TemplateRow>>;
    /// The names of the templates the account overrides.
    async fn template_overrides(&mut self, account_id: Uuid) -> Result<Vec<String>>;
    /// Inserts or replaces an override.
    async fn put_template_override(&mut self, t: &TemplateRow) -> Result<()>;
    async fn delete_template_override(&mut self, account_id: Uuid, name: &str) -> Result<bool>;
}
