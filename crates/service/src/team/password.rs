//! An admin and a member's password (R-AUTH-5, R-AUTH-6): send them a reset link, or set it
//! directly. Passwords are never emailed or shown.
use roster_core::{Action, authorize, new_password};
use roster_store::{AccountRow, MembershipRow, Tx, UserRow};
use uuid::Uuid;

use crate::impersonation::{is_self, refuse_while_impersonating};
use crate::rights::check_holds_no_more;
use crate::signin::reset::RESET_LINK_LIFETIME;
use crate::signin::{Principal, audit};
use crate::{Meta, Result, Service, ServiceError, actor, now};

/// The target member after the checks every admin action on a member's password makes.
async fn target(
    tx: &mut dyn Tx,
    p: &Principal,
    account_id: Uuid,
    user_id: Uuid,
) -> Result<(AccountRow, MembershipRow, UserRow)> {
    let (actor, mine) = actor::for_principal(tx, p, Some(account_id)).await?;
    authorize(&actor, Action::ManageMembers(account_id))?;
    // R-IMP-1: nobody changes passwords in another's name; one's own goes through "My profile",
    // which asks for the current one (a stolen session must not become a stolen login).
    refuse_while_impersonating(p, "change or reset passwords")?;
    if is_self(p, user_id) {
        return Err(ServiceError::Conflict {
            code: roster_core::ProblemCode::OwnPassword,
            message: "Change your own password from your profile: it asks for the current one.".to_owned(),
        });
    }
    let account = tx.account_by_id(account_id).await?.ok_or(ServiceError::NotFound)?;
    let membership = tx.membership(account_id, user_id).await?.ok_or(ServiceError::NotFound)?;
    let user = tx.user_by_id(user_id).await?.ok_or(ServiceError::NotFound)?;
    if membership.is_owner && p.user.id != user_id {
        return Err(ServiceError::Rule {
            rule: "R-OWN-2",
            code: roster_core::ProblemCode::OwnerRule,
            message: "Nobody but the owner changes the owner's password.".to_owned(),
        });
    }
    // R-PERM-1: nobody takes over (by a password or a reset link) someone holding a permission
    // they lack, as for disable, archive, delete and log in as.
    check_holds_no_more(mine.as_ref(), &membership)?;
    Ok((account, membership, user))
}

/// What the signed-in admin may do about a member's login, so the console offers only that
/// (the use cases check again).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoginAdmin {
    /// Email them a reset link (R-AUTH-5).
    pub send_reset: bool,
    /// Set their password, and change their name, phone, company and username (R-AUTH-6):
    /// never for a login that also belongs to another account or is an operator.
    pub set_password: bool,
}

impl Service {
    /// What `p` may do about the login of `user_id` in this account.
    pub async fn login_admin(&self, p: &Principal, account_id: Uuid, user_id: Uuid) -> Result<LoginAdmin> {
        let mut tx = self.store.read().await?;
        let user = match target(tx.as_mut(), p, account_id, user_id).await {
            Ok((_, _, user)) => user,
            Err(
                ServiceError::Forbidden(_)
                | ServiceError::Escalation(_)
                | ServiceError::Conflict { .. }
                | ServiceError::Rule { .. }
                | ServiceError::Closed { .. }
                | ServiceError::NotFound,
            ) => return Ok(LoginAdmin::default()),
            Err(e) => return Err(e),
        };
        let elsewhere = tx.memberships_of_user(user_id).await?.iter().any(|(a, _)| a.id != account_id);
        Ok(LoginAdmin { send_reset: true, set_password: !elsewhere && !user.is_operator })
    }

    /// Emails the member a single-use reset link (valid one hour), sent by the account.
    pub async fn send_member_reset(&self, p: &Principal, account_id: Uuid, user_id: Uuid, meta: &Meta) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let (account, _, user) = target(tx.as_mut(), p, account_id, user_id).await?;
        self.enqueue_reset_link(tx.as_mut(), Some(&account), &user, Some(p.user.id), RESET_LINK_LIFETIME, now())
            .await?;
        tx.insert_audit(&audit(
            roster_core::AuditAction::MemberPasswordResetSent,
            p.who(),
            Some(account_id),
            ("user", user_id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        self.mail_enqueued();
        Ok(())
    }

    /// Sets the member's password directly (R-AUTH-6); every session of theirs ends. Refused
    /// when the person also belongs to another account: one account's admin must not take over
    /// a login others depend on, so they get a reset link instead.
    pub async fn set_member_password(
        &self,
        p: &Principal,
        account_id: Uuid,
        user_id: Uuid,
        password: &str,
        meta: &Meta,
    ) -> Result<()> {
        let user = {
            let mut tx = self.store.read().await?;
            target(tx.as_mut(), p, account_id, user_id).await?.2
        };
        let password = new_password(password, Some(&user.email), &[&user.first_name, &user.last_name])
            .map_err(|e| ServiceError::invalid("password", e.0))?;
        let hash = self.hasher.hash(&password).await?;
        let mut tx = self.store.begin().await?;
        target(tx.as_mut(), p, account_id, user_id).await?;
        let elsewhere = tx.memberships_of_user(user_id).await?.iter().any(|(a, _)| a.id != account_id);
        if elsewhere || user.is_operator {
            return Err(ServiceError::Rule {
                rule: "R-AUTH-6",
                code: roster_core::ProblemCode::SharedLogin,
                message: "This person also signs in to other accounts; send them a reset link instead.".to_owned(),
            });
        }
        let t = now();
        tx.set_user_password(user_id, &hash, t).await?;
        tx.delete_sessions_of_user(user_id).await?;
        tx.expire_password_resets_of_user(user_id, t).await?;
        tx.insert_audit(&audit(
            roster_core::AuditAction::MemberPasswordSet,
            p.who(),
            Some(account_id),
            ("user", user_id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
