//! Forgotten passwords (R-AUTH-5): a single-use link by email, valid one hour; setting the new
//! password ends every session of the user and sends a "password changed" notice, unless it is
//! their first password (decision 0053).
use std::time::Duration;

use roster_core::{Email, new_password};
use roster_mail::TemplateName;
use serde_json::json;
use time::OffsetDateTime;
use time::macros::format_description;

use crate::mail::{Mail, Sender};
use crate::signin::token::{hash_token, new_secret};
use crate::signin::{Who, audit};
use crate::{Meta, Result, Service, ServiceError, now};

/// How long a reset link works.
pub const RESET_LINK_LIFETIME: Duration = Duration::from_secs(3600);
/// At most this many links per user per hour; more requests are answered the same and dropped.
const RESETS_PER_HOUR: i64 = 5;

const GONE: &str = "This password reset link has expired or was already used. Ask for a new one.";

/// "14 March 2025, 09:30 UTC".
pub(crate) fn written_out(t: OffsetDateTime) -> String {
    let f = format_description!("[day padding:none] [month repr:long] [year], [hour]:[minute] UTC");
    t.to_offset(time::UtcOffset::UTC).format(f).unwrap_or_else(|_| t.to_string())
}

impl Service {
    /// Emails a reset link when `email` belongs to someone; the answer is the same either way
    /// and nothing tells the caller which it was.
    pub async fn request_password_reset(&self, email: &str, meta: &Meta) -> Result<()> {
        let Ok(email) = Email::parse(email) else {
            return Err(ServiceError::invalid("email", "Enter an email address, like ada@example.com."));
        };
        let mut tx = self.store.begin().await?;
        let Some(user) = tx.user_by_email(email.as_str()).await? else { return Ok(()) };
        let t = now();
        if tx.password_resets_since(user.id, t - Duration::from_secs(3600)).await? >= RESETS_PER_HOUR {
            tracing::warn!(user = %user.id, "password reset requested too often; not sent");
            return Ok(());
        }
        self.enqueue_reset_link(tx.as_mut(), None, &user, None, RESET_LINK_LIFETIME, t).await?;
        tx.insert_audit(&audit(
            roster_core::AuditAction::AuthPasswordResetRequested,
            Who::user(user.id),
            None,
            ("user", user.id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        self.mail_enqueued();
        Ok(())
    }

    /// True while the link can still be used (the console shows the form or a friendly page).
    pub async fn password_reset_valid(&self, secret: &str) -> Result<bool> {
        Ok(self.store.read().await?.password_reset_user(&hash_token(secret), now()).await?.is_some())
    }

    /// Sets the new password from a reset link. Exactly one of several concurrent uses wins; the
    /// others (and any later one) get `Gone`. A refused password leaves the link usable.
    pub async fn confirm_password_reset(&self, secret: &str, password: &str, meta: &Meta) -> Result<()> {
        let hash = hash_token(secret);
        let user = {
            let mut tx = self.store.read().await?;
            let user_id = tx
                .password_reset_user(&hash, now())
                .await?
                .ok_or(ServiceError::Gone(roster_core::ProblemCode::Gone, GONE))?;
            tx.user_by_id(user_id).await?.ok_or(ServiceError::Gone(roster_core::ProblemCode::Gone, GONE))?
        };
        let password = new_password(password, Some(&user.email), &[&user.first_name, &user.last_name])
            .map_err(|e| ServiceError::invalid("password", e.0))?;
        let password_hash = self.hasher.hash(&password).await?;
        let mut tx = self.store.begin().await?;
        let t = now();
        if !tx.use_password_reset(&hash, t).await? {
            return Err(ServiceError::Gone(roster_core::ProblemCode::Gone, GONE));
        }
        let had_password = tx.user_by_id(user.id).await?.is_some_and(|u| u.password_hash.is_some());
        tx.set_user_password(user.id, &password_hash, t).await?;
        tx.expire_password_resets_of_user(user.id, t).await?;
        tx.delete_sessions_of_user(user.id).await?;
        // R-AUTH-8: the link reached the address and was used (reset, welcome or set-password).
        // Whoever proves an unproved login's address takes it over: nothing of before stays.
        let proved_now = tx.mark_email_verified(user.id, t).await?;
        if proved_now {
            tx.revoke_all_api_tokens_of_user(user.id, t).await?;
        }
        // "Your password was changed" warns of a change someone else made. Setting a password
        // where there was none (a welcome link, a restore link), or the first link that proves
        // the address (a welcome link to someone given a password), is the person's own first
        // password: no alarm, which would only alarm them (decision 0053). Later changes alarm.
        if had_password && !proved_now {
            self.enqueue_password_changed(tx.as_mut(), &user, t).await?;
        }
        tx.insert_audit(&audit(
            roster_core::AuditAction::AuthPasswordReset,
            Who::user(user.id),
            None,
            ("user", user.id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        self.mail_enqueued();
        Ok(())
    }
}

impl Service {
    /// A single-use reset link for `user`, written and emailed in `tx`: from the account (its
    /// templates and server) when given, else from the installation.
    pub(crate) async fn enqueue_reset_link(
        &self,
        tx: &mut dyn roster_store::Tx,
        account: Option<&roster_store::AccountRow>,
        user: &roster_store::UserRow,
        requested_by: Option<uuid::Uuid>,
        lifetime: Duration,
        at: OffsetDateTime,
    ) -> Result<()> {
        let secret = new_secret("reset_")?;
        let expires_at = at + lifetime;
        tx.insert_password_reset(&hash_token(&secret), user.id, requested_by, at, expires_at).await?;
        let mut context = json!({
            "user": { "first_name": user.first_name, "last_name": user.last_name, "email": user.email },
            "link": format!("{}/password-reset?token={secret}", self.mail_config().public_url),
            "expires_at": written_out(expires_at),
        });
        if let Some(a) = account {
            context["account"] = json!({ "name": a.name });
        }
        let mail = Mail {
            account,
            template: TemplateName::PasswordReset,
            to: &user.email,
            context,
            sender: if account.is_some() { Sender::Account } else { Sender::Installation },
            bcc: None,
        };
        self.enqueue_email(tx, mail).await?;
        Ok(())
    }

    /// The "password changed" notice (never the password), from the installation.
    pub(crate) async fn enqueue_password_changed(
        &self,
        tx: &mut dyn roster_store::Tx,
        user: &roster_store::UserRow,
        at: OffsetDateTime,
    ) -> Result<()> {
        let context = json!({
            "user": { "first_name": user.first_name, "last_name": user.last_name, "email": user.email },
            "changed_at": written_out(at),
            "link": format!("{}/forgot-password", self.mail_config().public_url),
        });
        let mail = Mail {
            account: None,
            template: TemplateName::PasswordChanged,
            to: &user.email,
            context,
            sender: Sender::Installation,
            bcc: None,
        };
        self.enqueue_email(tx, mail).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_out_for_people() {
        let t = time::macros::datetime!(2025-03-14 09:30 UTC);
        assert_eq!(written_out(t), "14 March 2025, 09:30 UTC");
    }
}
