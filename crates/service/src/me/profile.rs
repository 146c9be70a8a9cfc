//! The signed-in person's own things: profile (name, time zone), password, sessions.
use roster_core::{FieldErrors, PersonName, new_password};
use roster_store::SessionRow;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::signin::{Principal, audit};
use crate::views::UserView;
use crate::{Meta, Result, Service, ServiceError, now};

/// One live session or sign-in token of the caller ("my sessions").
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionView {
    pub id: Uuid,
    /// `console` (a browser) or `api` (a token from `POST /auth/token`).
    pub kind: String,
    /// The browser or program, as it named itself (its `User-Agent`).
    pub device: Option<String>,
    /// The same in words: "Firefox on Windows", "Safari on iPhone", "Unknown device".
    pub device_name: String,
    pub ip: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_at: OffsetDateTime,
    /// The session this request came with.
    pub current: bool,
}

impl SessionView {
    fn new(s: &SessionRow, current: Uuid) -> Self {
        Self {
            id: s.id,
            kind: s.kind.clone(),
            device: s.user_agent.clone(),
            device_name: roster_core::user_agent::describe(s.user_agent.as_deref()),
            ip: s.ip.clone(),
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            current: s.id == current,
        }
    }
}

/// A time zone name of the IANA database (bundled, decision 0063), in its canonical spelling.
pub(crate) fn time_zone(tz: &str) -> Result<String, &'static str> {
    roster_core::TimeZoneName::parse(tz).map(|z| z.as_str().to_owned()).map_err(|e| e.0)
}

impl Service {
    /// The caller's live sessions. Refused during "log in as" (R-IMP-1): a login's sessions span
    /// every account it belongs to, and are the person's, not the account's (decision 0021).
    pub async fn my_sessions(&self, p: &Principal) -> Result<Vec<SessionView>> {
        crate::impersonation::refuse_while_impersonating(p, "see their sessions")?;
        let rows = self.store.read().await?.sessions_of_user(p.user.id, now()).await?;
        Ok(rows.iter().map(|s| SessionView::new(s, p.session_id)).collect())
    }

    /// Ends one of the caller's own sessions (another person's id is simply not found).
    pub async fn end_my_session(&self, p: &Principal, session_id: Uuid, meta: &Meta) -> Result<()> {
        crate::impersonation::refuse_while_impersonating(p, "end their sessions")?;
        let mut tx = self.store.begin().await?;
        let mine = tx.sessions_of_user(p.user.id, now()).await?.iter().any(|s| s.id == session_id);
        if !mine || !tx.delete_session(session_id).await? {
            return Err(ServiceError::NotFound);
        }
        tx.insert_audit(&audit(
            roster_core::AuditAction::SessionEnded,
            p.who(),
            p.account_id,
            ("session", session_id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends every session of the caller but this one; answers how many ended.
    pub async fn end_my_other_sessions(&self, p: &Principal, meta: &Meta) -> Result<u64> {
        crate::impersonation::refuse_while_impersonating(p, "end their sessions")?;
        let mut tx = self.store.begin().await?;
        let n = tx.delete_other_sessions_of_user(p.user.id, p.session_id).await?;
        tx.insert_audit(&audit(
            roster_core::AuditAction::SessionEndedOthers,
            p.who(),
            p.account_id,
            ("user", p.user.id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Changes the caller's name and time zone. Refused during "log in as" (R-IMP-1): the name
    /// is the login's, shown in every account it belongs to.
    pub async fn update_my_profile(
        &self,
        p: &Principal,
        first_name: &str,
        last_name: &str,
        tz: &str,
        meta: &Meta,
    ) -> Result<UserView> {
        crate::impersonation::refuse_while_impersonating(p, "change their profile")?;
        let mut errs = FieldErrors::new();
        let first = errs.check("first_name", PersonName::parse(first_name));
        let last = errs.check("last_name", PersonName::parse(last_name));
        let tz = match time_zone(tz) {
            Ok(tz) => Some(tz),
            Err(m) => {
                errs.add("time_zone", m);
                None
            }
        };
        let (Some(first), Some(last), Some(tz)) = (first, last, tz) else { return Err(ServiceError::Invalid(errs)) };
        let mut tx = self.store.begin().await?;
        tx.update_user_profile(p.user.id, first.as_str(), last.as_str(), &tz, now()).await?;
        tx.insert_audit(&audit(
            roster_core::AuditAction::UserProfileUpdated,
            p.who(),
            p.account_id,
            ("user", p.user.id.to_string()),
            meta,
        ))
        .await?;
        let user = tx.user_by_id(p.user.id).await?.ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
        Ok(UserView::from(&user))
    }

    /// Changes the caller's password after checking the current one; every other session ends
    /// and a "password changed" email goes out. Passwords are never emailed.
    pub async fn change_my_password(&self, p: &Principal, current: &str, new: &str, meta: &Meta) -> Result<()> {
        crate::impersonation::refuse_while_impersonating(p, "change their password")?;
        // R-AUTH-7: current-password checks are throttled like sign-in.
        if !self.check_current_password(p, current, meta).await? {
            return Err(ServiceError::invalid("current_password", "This is not your current password."));
        }
        let password = new_password(new, Some(&p.user.email), &[&p.user.first_name, &p.user.last_name])
            .map_err(|e| ServiceError::invalid("password", e.0))?;
        let hash = self.hasher.hash(&password).await?;
        let mut tx = self.store.begin().await?;
        let t = now();
        tx.set_user_password(p.user.id, &hash, t).await?;
        tx.delete_other_sessions_of_user(p.user.id, p.session_id).await?;
        tx.expire_password_resets_of_user(p.user.id, t).await?;
        let user = &p.user;
        self.enqueue_password_changed(tx.as_mut(), user, t).await?;
        tx.insert_audit(&audit(
            roster_core::AuditAction::UserPasswordChanged,
            p.who(),
            p.account_id,
            ("user", user.id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        self.mail_enqueued();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_are_checked_against_the_iana_list() {
        for ok in ["UTC", "Europe/Paris", "America/Argentina/Buenos_Aires", "Etc/GMT+3"] {
            assert!(time_zone(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Europe//Paris", "/etc/passwd", "Paris; DROP", "Mars/Olympus_Mons", &"A".repeat(65)] {
            assert!(time_zone(bad).is_err(), "{bad}");
        }
    }
}
