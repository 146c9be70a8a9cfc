//! Email: the outbox (R-MAIL-1), per-account servers (R-MAIL-2), sending as a user (R-MAIL-3)
//! and per-account templates (R-MAIL-4).
//!
//! A use case that sends mail calls [`Service::enqueue_email`] inside its own unit of work, so
//! the email exists exactly when the change does; after commit it calls
//! [`Service::mail_enqueued`] to wake the delivery worker ([`crate::delivery`]).
use std::sync::Arc;

use roster_mail::{SmtpTarget, TemplateName, TemplateSource};
use roster_store::{AccountRow, EmailRow, Tx};
use serde_json::Value;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::secret::SecretKey;
use crate::{Result, Service, ServiceError, now};

mod outbox;
mod settings;
pub(crate) mod templates;
mod views;

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
    /// Seals account SMTP passwords.
    pub key: SecretKey,
}

impl MailConfig {
    /// Settings for tests and tools: no server, a throwaway key.
    pub fn local(public_url: &str) -> Result<Self> {
        Ok(Self {
            public_url: public_url.trim_end_matches('/').to_owned(),
            from: "Roster <roster@localhost>".to_owned(),
            smtp: None,
            key: SecretKey::generate().map_err(ServiceError::Internal)?,
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
    pub async fn enqueue_email_with_subject(
        &self,
        tx: &mut dyn Tx,
        mail: Mail<'_>,
        subject: Option<&str>,
    ) -> Result<EmailRow> {
        let account_id = mail.account.map(|a| a.id);
        let source = match account_id {
            Some(a) => tx
                .template_override(a, mail.template.as_str())
                .await?
                .map(|t| TemplateSource::new(t.subject, t.text_body, t.html_body)),
            None => None,
        };
        let rendered = match source.map(|s| roster_mail::render(&s, &mail.context)) {
            Some(Ok(r)) => r,
            other => {
                if let Some(Err(e)) = other {
                    tracing::warn!(template = %mail.template, error = %e, "account template failed; built-in used");
                }
                roster_mail::render(&mail.template.builtin(), &mail.context)
                    .map_err(|e| ServiceError::Internal(format!("built-in template {}: {e}", mail.template)))?
            }
        };
        let (from, reply_to) = self.sender_of(tx, mail.account, mail.sender).await?;
        let id = Uuid::now_v7();
        let t = now();
        let row = EmailRow {
            id,
            account_id,
            template: mail.template.as_str().to_owned(),
            to_addr: mail.to.to_owned(),
            from_addr: from,
            reply_to,
            bcc: mail.bcc.map(str::to_owned),
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
        };
        tx.enqueue_email(&row).await?;
        Ok(row)
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

#[cfg(test)]
mod tests {
    use super::*;

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
