//! "Log in as" (R-IMP-1): a member with `users.impersonate` acts as another member of the same
//! account for at most 60 minutes, giving a reason. Never the owner (R-OWN-4), never oneself,
//! never someone holding a permission the actor lacks, never a member who is not active, never
//! from inside another impersonation, and never where the account forbids it.
//!
//! The impersonation is an ordinary session of the person acted as (so everything they may do,
//! the actor may do as them, and nothing more), in one account, that also names the
//! impersonator and the reason (`sessions.impersonator_id`, migration 0007). [`Principal`] carries
//! the impersonator, `Principal::who` puts them on every audit row, `actor::for_principal`
//! confines the session to its account, and [`refuse_while_impersonating`] guards what nobody
//! may do in someone else's name (password, tokens, ownership, other accounts).
use std::time::Duration;

use roster_core::{Action, Permission, PermissionSet, authorize};
use roster_mail::TemplateName;
use roster_store::{MembershipRow, SessionRow, Tx, UserRow};
use serde_json::json;
use uuid::Uuid;

use crate::mail::{Mail, Sender};
use crate::rights::check_holds_no_more;
use crate::signin::reset::written_out;
use crate::signin::token::{hash_token, new_secret};
use crate::signin::{Principal, SessionKind, audit};
use crate::views::{MemberView, effective_permissions};
use crate::{Meta, Result, Service, ServiceError, actor, now};

/// A "log in as" session ends by itself this long after it began; it never slides.
pub const IMPERSONATION_LIFETIME: Duration = Duration::from_secs(3600);
/// The longest reason accepted, in characters.
pub const REASON_MAX_CHARS: usize = 500;

/// A started impersonation: the secret of the new session is in `token`, shown this once.
#[derive(Debug, Clone)]
pub struct Impersonation {
    pub token: String,
    pub csrf_token: String,
    /// Seconds until it ends by itself (3,600).
    pub expires_in: u64,
    pub account_id: Uuid,
    /// The person now acted as.
    pub user: UserRow,
}

/// Whom the caller may act as in one account, for the console's "Log in as" buttons. The use
/// case checks again; this only decides what to offer.
#[derive(Debug, Clone)]
pub struct ImpersonationRights {
    actor_id: Uuid,
    permissions: PermissionSet,
}

impl ImpersonationRights {
    /// True when the caller may act as this member (the same rules the use case applies).
    pub fn may(&self, m: &MemberView) -> bool {
        let held = m.permissions.set();
        m.user_id != self.actor_id
            && !m.is_owner
            && m.status == roster_core::MembershipStatus::Active
            && self.permissions.is_superset_of(held)
    }
}

/// Refuses what nobody may do in someone else's name (R-IMP-1): change their password, mint
/// tokens, hand over ownership, end their other sessions, or leave the account the impersonation
/// was started in. 403 `impersonating`.
pub fn refuse_while_impersonating(p: &Principal, what: &str) -> Result<()> {
    if p.impersonator.is_some() {
        return Err(ServiceError::Closed {
            code: roster_core::ProblemCode::Impersonating,
            message: format!("While acting as someone else you cannot {what}. Return to your own account first."),
        });
    }
    Ok(())
}

fn parse_reason(reason: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ServiceError::invalid("reason", "Say why you are logging in as this person."));
    }
    if reason.chars().count() > REASON_MAX_CHARS {
        return Err(ServiceError::invalid("reason", format!("Use at most {REASON_MAX_CHARS} characters.")));
    }
    if reason.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(ServiceError::invalid("reason", "Use plain text."));
    }
    Ok(reason.to_owned())
}

/// Everything that must hold for `p` to act as `user_id` in `account_id`; answers the target's
/// membership and login. One `authorize` call.
async fn checked_target(
    tx: &mut dyn Tx,
    p: &Principal,
    account_id: Uuid,
    user_id: Uuid,
    reason: Option<&str>,
) -> Result<(roster_store::AccountRow, MembershipRow, UserRow, PermissionSet, Option<String>)> {
    if p.impersonator.is_some() {
        return Err(ServiceError::Conflict {
            code: roster_core::ProblemCode::AlreadyImpersonating,
            message: "You are already acting as someone; return to your own account first.".to_owned(),
        });
    }
    let (actor, mine) = actor::for_principal(tx, p, Some(account_id)).await?;
    authorize(&actor, Action::Impersonate(account_id))?;
    if p.api_token_id.is_some() {
        return Err(ServiceError::Closed {
            code: roster_core::ProblemCode::TokenCannotImpersonate,
            message: "A personal API token cannot log in as someone; sign in with your password.".to_owned(),
        });
    }
    let reason = reason.map(parse_reason).transpose()?;
    let account = tx.account_by_id(account_id).await?.ok_or(ServiceError::NotFound)?;
    if !account.allow_impersonation {
        return Err(ServiceError::Closed {
            code: roster_core::ProblemCode::ImpersonationForbidden,
            message: "This account does not allow logging in as its members.".to_owned(),
        });
    }
    let target = tx.membership(account_id, user_id).await?.ok_or(ServiceError::NotFound)?;
    if user_id == p.user.id {
        return Err(ServiceError::Conflict {
            code: roster_core::ProblemCode::SelfAction,
            message: "You cannot log in as yourself.".to_owned(),
        });
    }
    if target.is_owner {
        return Err(ServiceError::Rule {
            rule: "R-OWN-4",
            code: roster_core::ProblemCode::OwnerRule,
            message: "The account owner cannot be impersonated.".to_owned(),
        });
    }
    if target.status != roster_core::MembershipStatus::Active {
        return Err(ServiceError::Conflict {
            code: roster_core::ProblemCode::Status,
            message: format!("This member is {}; only active members can be logged in as.", target.status),
        });
    }
    let user = tx.user_by_id(user_id).await?.ok_or(ServiceError::NotFound)?;
    check_holds_no_more(mine.as_ref(), &target)?;
    let own = mine.as_ref().map(effective_permissions).unwrap_or_default();
    if user.is_operator && !p.user.is_operator {
        return Err(ServiceError::Closed {
            code: roster_core::ProblemCode::TargetIsOperator,
            message: "This person runs the installation; only another operator may log in as them.".to_owned(),
        });
    }
    Ok((account, target, user, own, reason))
}

impl Service {
    /// Starts acting as `user_id` in `account_id` (R-IMP-1): a new session of theirs, bound to
    /// this account, ending by itself after 60 minutes. Audited (`member.impersonation_started`,
    /// with the reason) and the person is emailed, in the same transaction.
    pub async fn impersonate(
        &self,
        p: &Principal,
        account_id: Uuid,
        user_id: Uuid,
        reason: &str,
        kind: SessionKind,
        meta: &Meta,
    ) -> Result<Impersonation> {
        let mut tx = self.store.begin().await?;
        let (account, _, user, _, reason) = checked_target(tx.as_mut(), p, account_id, user_id, Some(reason)).await?;
        let reason = reason.unwrap_or_default();
        let t = now();
        let token = new_secret(match kind {
            SessionKind::Console => "rst_",
            SessionKind::Api => "roster_at_",
        })?;
        let csrf = new_secret("")?;
        let expires_at = t + IMPERSONATION_LIFETIME;
        let session = SessionRow {
            id: Uuid::now_v7(),
            token_hash: hash_token(&token),
            user_id,
            account_id: Some(account_id),
            kind: match kind {
                SessionKind::Console => "console",
                SessionKind::Api => "api",
            }
            .to_owned(),
            csrf_token: csrf.clone(),
            user_agent: meta.user_agent.as_ref().map(|s| s.chars().take(300).collect()),
            ip: meta.ip.clone(),
            created_at: t,
            last_seen_at: t,
            // Hard expiry: the idle deadline is the absolute one, so sliding cannot extend it.
            idle_expires_at: expires_at,
            expires_at,
            impersonator_id: Some(p.user.id),
            impersonation_reason: Some(reason.clone()),
        };
        tx.insert_session(&session).await?;
        let mut row = audit(
            roster_core::AuditAction::MemberImpersonationStarted,
            p.who(),
            Some(account_id),
            ("user", user_id.to_string()),
            meta,
        );
        row.details = Some(
            json!({
                "reason": reason,
                "session_id": session.id,
                "expires_at": expires_at.unix_timestamp(),
            })
            .to_string(),
        );
        tx.insert_audit(&row).await?;
        let impersonator = format!("{} {}", p.user.first_name, p.user.last_name);
        let context = json!({
            "user": { "first_name": user.first_name, "last_name": user.last_name, "email": user.email },
            "account": { "name": account.name },
            "impersonator": { "name": impersonator },
            "started_at": written_out(t),
        });
        let mail = Mail {
            account: Some(&account),
            template: TemplateName::ImpersonationNotice,
            to: &user.email,
            context,
            sender: Sender::Account,
            bcc: None,
        };
        self.enqueue_email(tx.as_mut(), mail).await?;
        tx.commit().await?;
        self.mail_enqueued();
        Ok(Impersonation { token, csrf_token: csrf, expires_in: IMPERSONATION_LIFETIME.as_secs(), account_id, user })
    }

    /// The member the confirmation form names, after the same checks as [`Service::impersonate`]
    /// (without the reason), so the form is only shown when submitting it can succeed.
    pub async fn impersonation_target(&self, p: &Principal, account_id: Uuid, user_id: Uuid) -> Result<MemberView> {
        let mut tx = self.store.read().await?;
        let (_, membership, user, _, _) = checked_target(tx.as_mut(), p, account_id, user_id, None).await?;
        Ok(MemberView::from(roster_store::MemberRow { user: roster_store::MemberPerson::from(&user), membership }))
    }

    /// Whom the caller may be offered to act as in the account (`None`: nobody, as they lack the
    /// permission, the account forbids it, or they are already acting as someone).
    pub async fn impersonation_rights(&self, p: &Principal, account_id: Uuid) -> Result<Option<ImpersonationRights>> {
        if p.impersonator.is_some() || p.api_token_id.is_some() {
            return Ok(None);
        }
        let mut tx = self.store.read().await?;
        let (actor, mine) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        if authorize(&actor, Action::Impersonate(account_id)).is_err() {
            return Ok(None);
        }
        let allowed = tx.account_by_id(account_id).await?.is_some_and(|a| a.allow_impersonation);
        Ok(allowed.then(|| ImpersonationRights {
            actor_id: p.user.id,
            permissions: mine.as_ref().map(effective_permissions).unwrap_or_default(),
        }))
    }

    /// An impersonation session lives only while it would still be allowed to start: the
    /// impersonator active with `users.impersonate`, the person acted as active, not the owner,
    /// and holding nothing the impersonator lacks. Checked on every request, so a change made
    /// during the hour (a promotion of the person, a demotion of the impersonator, a transfer of
    /// ownership) ends it at once, answered as signed out.
    pub(crate) async fn check_impersonator(&self, by: Uuid, target: Uuid, account_id: Option<Uuid>) -> Result<()> {
        let Some(account_id) = account_id else { return Err(ServiceError::Unauthenticated) };
        let mut tx = self.store.read().await?;
        let impersonator = tx.membership(account_id, by).await?;
        let person = tx.membership(account_id, target).await?;
        let ok = match (impersonator, person) {
            (Some(i), Some(t)) => {
                let held = effective_permissions(&i);
                i.status == roster_core::MembershipStatus::Active
                    && held.contains(Permission::UsersImpersonate)
                    && t.status == roster_core::MembershipStatus::Active
                    && !t.is_owner
                    && check_holds_no_more(Some(&i), &t).is_ok()
            }
            _ => false,
        };
        if ok { Ok(()) } else { Err(ServiceError::Unauthenticated) }
    }
}

/// True when `user_id` is the person behind the request: the signed-in user, or, during "log in
/// as", the impersonator too (R-PERM-1: nobody edits their own rights, even in another's name).
pub(crate) fn is_self(p: &Principal, user_id: Uuid) -> bool {
    p.user.id == user_id || p.impersonator == Some(user_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_imp_1_a_reason_is_required_and_bounded() {
        assert!(parse_reason("  ").is_err());
        assert!(parse_reason(&"x".repeat(REASON_MAX_CHARS + 1)).is_err());
        assert!(parse_reason("bell\u{7}").is_err());
        assert_eq!(parse_reason("  Ticket 42\nsee notes ").ok().as_deref(), Some("Ticket 42\nsee notes"));
        assert!(parse_reason(&"é".repeat(REASON_MAX_CHARS)).is_ok());
    }

    #[test]
    fn r_imp_1_never_someone_holding_more() {
        let admin = PermissionSet::all();
        let viewer = PermissionSet::of(&[Permission::UsersView, Permission::UsersImpersonate]);
        // What `check_holds_no_more` asks of the two memberships' permissions.
        assert!(crate::rights::check_grantable(admin, viewer).is_ok());
        assert!(crate::rights::check_grantable(viewer, viewer).is_ok());
        assert!(crate::rights::check_grantable(viewer, admin).is_err());
    }
}
