//! An account's own outgoing server (R-MAIL-2, seed 000): set, read back without the password,
//! remove, test.
use roster_core::{Action, Email, FieldErrors};
use roster_mail::{Mailer, Outgoing, Security, SendError, SmtpTarget};
use roster_store::SmtpSettingsRow;
use uuid::Uuid;

use super::templates::{account_for, account_for_secret_routes};
use super::{SmtpSettingsInput, SmtpSettingsView, SmtpTestView};
use crate::signin::{Principal, audit};
use crate::{Meta, Result, Service, ServiceError, now};

/// Refuses a host that is not a public address, or a port that is not an SMTP port (R-MAIL-7),
/// unless the operator allows private servers: 422 `smtp_host_refused` naming the field.
async fn check_egress(host: &str, port: u16, allow_private: bool) -> Result<()> {
    let mut errs = FieldErrors::new();
    if let Err(e) = roster_mail::check_port(port, allow_private) {
        errs.add("port", format!("This port cannot be used: {e}."));
    }
    if !allow_private && let Err(e) = roster_mail::resolve_public(host, port, false).await {
        errs.add("host", format!("This server cannot be used: {e}."));
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Refused { code: roster_core::ProblemCode::SmtpHostRefused, errors: errs })
    }
}

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
        {
            // Who may change the settings is checked before the host is resolved.
            let mut tx = self.store.read().await?;
            account_for_secret_routes(tx.as_mut(), p, account_id).await?;
        }
        check_egress(&host, port, self.mail.config.policy.allow_private_smtp).await?;
        let mut tx = self.store.begin().await?;
        account_for_secret_routes(tx.as_mut(), p, account_id).await?;
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
            roster_core::AuditAction::AccountSmtpSet,
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
                roster_core::AuditAction::AccountSmtpRemoved,
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
    /// now, outside the outbox, and reports what happened as a category (R-MAIL-7): the
    /// server's SMTP reply, or "connection refused", "timed out", "not an SMTP server"; never
    /// other bytes of the peer. With `to`, a short test message is sent, and only to the caller's
    /// own address once they proved it (422 on `to` otherwise); without, the server is only asked
    /// to accept a session. The whole test takes at most the policy's timeout (10 s).
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
        if let Some(to) = &to {
            if !to.as_str().eq_ignore_ascii_case(&p.user.email) {
                return Err(ServiceError::invalid(
                    "to",
                    format!("Test emails go only to your own address, {}.", p.user.email),
                ));
            }
            if p.user.email_verified_at.is_none() {
                return Err(ServiceError::invalid(
                    "to",
                    "Confirm your own email address first: test emails go only to an address you proved.",
                ));
            }
            // A test email is mail of the account like any other: its owner must have proved their
            // address and it counts against the hourly quota.
            let mut tx = self.store.begin().await?;
            self.count_account_mail(tx.as_mut(), &account).await?;
            tx.commit().await?;
        }
        let policy = self.mail.config.policy;
        let (target, from_addr, pinned) = match &row {
            Some(r) => {
                let target = self.smtp_target(r)?;
                let refused = |e: roster_mail::EgressError| SmtpTestView {
                    ok: false,
                    message: format!("{}:{}: refused: {e}", target.host, target.port),
                };
                if let Err(e) = roster_mail::check_port(target.port, policy.allow_private_smtp) {
                    return Ok(refused(e));
                }
                let pinned = if policy.allow_private_smtp {
                    None
                } else {
                    match roster_mail::resolve_public(&target.host, target.port, false).await {
                        Ok(ip) => Some(ip),
                        Err(e) => return Ok(refused(e)),
                    }
                };
                (target, r.from_addr.clone(), pinned)
            }
            None => match &self.mail.config.smtp {
                Some(t) => (t.clone(), self.mail.config.sender_parts().1.to_owned(), None),
                None => {
                    return Ok(SmtpTestView {
                        ok: false,
                        message: "No outgoing server is set for this account or the installation; mail stays queued."
                            .to_owned(),
                    });
                }
            },
        };
        let mailer = match pinned {
            Some(ip) => Mailer::pinned(&target, ip, policy.smtp_timeout),
            None => Mailer::new(&target, policy.smtp_timeout),
        }
        .map_err(|e| ServiceError::invalid("host", e))?;
        let talk = async {
            match to {
                None => mailer.check().await,
                Some(to) => {
                    let from = roster_mail::mailbox(Some(&account.name), &from_addr)
                        .map_err(|e| SendError::Permanent(format!("the from address cannot be used: {e}")))?;
                    let id = format!("<{}@{}>", Uuid::now_v7().simple(), self.mail.config.message_id_host());
                    let text =
                        format!("This is a test from Roster: {} can send mail through {}.", account.name, target.host);
                    let html =
                        format!("<p>{}</p>", text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;"));
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
            }
        };
        let answer = match tokio::time::timeout(policy.smtp_timeout, talk).await {
            Ok(answer) => answer,
            Err(_) => Err(SendError::Transient(format!("{}:{}: timed out", target.host, target.port))),
        };
        Ok(match answer {
            Ok(message) => SmtpTestView { ok: true, message },
            Err(e) => SmtpTestView { ok: false, message: e.to_string() },
        })
    }
}
