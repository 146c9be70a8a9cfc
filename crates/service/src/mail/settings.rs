//! An account's own outgoing server (R-MAIL-2, seed 000): set, read back without the password,
//! remove, test.
use std::time::Duration;

use roster_core::{Action, Email, FieldErrors};
use roster_mail::{Mailer, Outgoing, Security, SmtpTarget};
use roster_store::SmtpSettingsRow;
use uuid::Uuid;

use super::templates::account_for;
use super::{SmtpSettingsInput, SmtpSettingsView, SmtpTestView};
use crate::auth::{Principal, audit};
use crate::{Meta, Result, Service, ServiceError, now};

/// How long a test may wait on each SMTP command.
const TEST_TIMEOUT: Duration = Duration::from_secs(15);

fn parse_input(input: &SmtpSettingsInput) -> Result<(String, u16, Security, Option<String>, String)> {
    let mut errs = FieldErrors::new();
    let host = input.host.trim();
    if host.is_empty() || host.len() > 253 || host.contains(|c: char| c.is_whitespace() || c == '/' || c == '@') {
        errs.add("host", "Enter the server's host name, like smtp.example.com.");
    }
    let security = match input.security.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(Security::Starttls),
        Some(s) => {
            let parsed = Security::parse(s);
            if parsed.is_none() {
                errs.add("security", "Choose starttls, tls, opportunistic or none.");
            }
            parsed
        }
    };
    let port = match input.port {
        Some(0) => {
            errs.add("port", "Use a port between 1 and 65535 (587 for STARTTLS, 465 for TLS).");
            0
        }
        Some(p) => p,
        None if security == Some(Security::Tls) => 465,
        None => 587,
    };
    let username = input.username.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned);
    if username.as_ref().is_some_and(|u| u.len() > 256) {
        errs.add("username", "Use at most 256 characters.");
    }
    if input.password.as_ref().is_some_and(|p| p.len() > 1024) {
        errs.add("password", "Use at most 1024 characters.");
    }
    let from = errs.check("from_address", Email::parse(input.from_address.trim()));
    match (security, from) {
        (Some(security), Some(from)) if errs.is_empty() => {
            Ok((host.to_owned(), port, security, username, from.as_str().to_owned()))
        }
        _ => Err(ServiceError::Invalid(errs)),
    }
}

impl Service {
    /// The SMTP server to use for a stored row, with its password opened.
    pub(crate) fn smtp_target(&self, row: &SmtpSettingsRow) -> Result<SmtpTarget> {
        let password = match &row.password_enc {
            Some(sealed) => {
                let plain = self
                    .mail
                    .config
                    .key
                    .open(row.account_id.as_bytes(), sealed)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?;
                Some(
                    String::from_utf8(plain)
                        .map_err(|_| ServiceError::Internal("sealed password is not UTF-8".into()))?,
                )
            }
            None => None,
        };
        Ok(SmtpTarget {
            host: row.host.clone(),
            port: u16::try_from(row.port).unwrap_or(587),
            security: Security::parse(&row.security).unwrap_or(Security::Starttls),
            username: row.username.clone(),
            password,
        })
    }

    pub async fn smtp_settings(&self, p: &Principal, account_id: Uuid) -> Result<Option<SmtpSettingsView>> {
        let mut tx = self.store.read().await?;
        account_for(tx.as_mut(), p, account_id, Action::ChangeAccountSettings(account_id)).await?;
        Ok(tx.smtp_settings(account_id).await?.as_ref().map(SmtpSettingsView::from))
    }

    /// Sets the account's own server. The password is sealed with the installation's key and
    /// bound to the account; without `password` the stored one is kept.
    pub async fn put_smtp_settings(
        &self,
        p: &Principal,
        account_id: Uuid,
        input: &SmtpSettingsInput,
        meta: &Meta,
    ) -> Result<SmtpSettingsView> {
        let (host, port, security, username, from_addr) = parse_input(input)?;
        let mut tx = self.store.begin().await?;
        account_for(tx.as_mut(), p, account_id, Action::ChangeAccountSettings(account_id)).await?;
        let password_enc = match input.password.as_deref() {
            None => tx.smtp_settings(account_id).await?.and_then(|s| s.password_enc),
            Some("") => None,
            Some(pw) => {
                Some(self.mail.config.key.seal(account_id.as_bytes(), pw.as_bytes()).map_err(ServiceError::Internal)?)
            }
        };
        let row = SmtpSettingsRow {
            account_id,
            host,
            port: i32::from(port),
            security: security.as_str().to_owned(),
            username,
            password_enc,
            from_addr,
            updated_at: now(),
        };
        tx.put_smtp_settings(&row).await?;
        tx.insert_audit(&audit(
            "account.smtp_set",
            p.who(),
            Some(account_id),
            ("account", account_id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        self.mail_enqueued();
        Ok(SmtpSettingsView::from(&row))
    }

    /// Removes the account's own server: its mail goes through the installation's again.
    pub async fn delete_smtp_settings(&self, p: &Principal, account_id: Uuid, meta: &Meta) -> Result<()> {
        let mut tx = self.store.begin().await?;
        account_for(tx.as_mut(), p, account_id, Action::ChangeAccountSettings(account_id)).await?;
        if tx.delete_smtp_settings(account_id).await? {
            tx.insert_audit(&audit(
                "account.smtp_removed",
                p.who(),
                Some(account_id),
                ("account", account_id.to_string()),
                meta,
            ))
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// "Send test email": talks to the account's server (the installation's when it has none)
    /// now, outside the outbox, and reports the server's real answer. With `to`, a short test
    /// message is sent to that address; without, the server is only asked to accept a session.
    pub async fn test_smtp(&self, p: &Principal, account_id: Uuid, to: Option<&str>) -> Result<SmtpTestView> {
        let to = to
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(Email::parse)
            .transpose()
            .map_err(|e| ServiceError::invalid("to", e.to_string()))?;
        let (account, row) = {
            let mut tx = self.store.read().await?;
            let account = account_for(tx.as_mut(), p, account_id, Action::ChangeAccountSettings(account_id)).await?;
            (account, tx.smtp_settings(account_id).await?)
        };
        let (target, from_addr) = match &row {
            Some(r) => (self.smtp_target(r)?, r.from_addr.clone()),
            None => match &self.mail.config.smtp {
                Some(t) => (t.clone(), self.mail.config.sender_parts().1.to_owned()),
                None => {
                    return Ok(SmtpTestView {
                        ok: false,
                        message: "No outgoing server is set for this account or the installation; mail stays queued."
                            .to_owned(),
                    });
                }
            },
        };
        let mailer = Mailer::new(&target, TEST_TIMEOUT).map_err(|e| ServiceError::invalid("host", e))?;
        let answer = match to {
            None => mailer.check().await,
            Some(to) => {
                let from = roster_mail::mailbox(Some(&account.name), &from_addr)
                    .map_err(|e| ServiceError::invalid("from_address", e))?;
                let id = format!("<{}@{}>", Uuid::now_v7().simple(), self.mail.config.message_id_host());
                let text =
                    format!("This is a test from Roster: {} can send mail through {}.", account.name, target.host);
                let html = format!("<p>{}</p>", text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;"));
                mailer
                    .send(&Outgoing {
                        from: &from,
                        to: to.as_str(),
                        reply_to: None,
                        bcc: None,
                        subject: "Roster test email",
                        text: &text,
                        html: &html,
                        message_id: &id,
                    })
                    .await
            }
        };
        Ok(match answer {
            Ok(message) => SmtpTestView { ok: true, message },
            Err(e) => SmtpTestView { ok: false, message: e.to_string() },
        })
    }
}
