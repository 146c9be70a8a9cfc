//! A member's life in one account (R-DIS-1, R-ARC-1, R-ARC-2) and the account's ownership
//! (R-OWN-3). The owner is never disabled or archived (R-OWN-4): the database refuses it.
use roster_core::{AuditAction, MembershipStatus};
use std::time::Duration;

use roster_core::{Action, authorize};
use roster_mail::TemplateName;
use roster_store::{MemberPerson, MemberRow, MembershipRow, UserRow};
use serde_json::json;
use uuid::Uuid;

use crate::impersonation::is_self;
use crate::mail::{Mail, Sender};
use crate::rights::check_holds_no_more;
use crate::signin::reset::written_out;
use crate::signin::token::{hash_token, new_secret};
use crate::signin::{Principal, audit};
use crate::{AccountView, MemberView, Meta, Result, Service, ServiceError, actor, now};

/// How long the set-password link sent on restore lives: longer than a reset asked for by the
/// person, as they are not waiting for it.
const RESTORE_LINK_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);

/// A change of a membership's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    Disable,
    Enable,
    Archive,
    Restore,
}

impl Lifecycle {
    /// The statuses it applies to, the status it gives, and its audit action.
    fn plan(self) -> (&'static [MembershipStatus], MembershipStatus, AuditAction) {
        use MembershipStatus::{Active, Archived, Disabled};
        match self {
            Lifecycle::Disable => (&[Active], Disabled, AuditAction::MemberDisabled),
            Lifecycle::Enable => (&[Disabled], Active, AuditAction::MemberEnabled),
            Lifecycle::Archive => (&[Active, Disabled], Archived, AuditAction::MemberArchived),
            Lifecycle::Restore => (&[Archived], Active, AuditAction::MemberRestored),
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Lifecycle::Disable => "disabled",
            Lifecycle::Enable => "enabled",
            Lifecycle::Archive => "archived",
            Lifecycle::Restore => "restored",
        }
    }
}

fn member_view(user: &UserRow, membership: MembershipRow) -> MemberView {
    MemberView::from(MemberRow {
        user: MemberPerson {
            id: user.id,
            email: user.email.clone(),
            username: user.username.clone(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            phone: user.phone.clone(),
            company: user.company.clone(),
        },
        membership,
    })
}

impl Service {
    /// Disables, enables, archives or restores a member (needs `users.manage`). Disabling and
    /// archiving end the membership's sessions in this account and revoke its personal tokens;
    /// archiving also removes the password when the person has no other active membership
    /// (R-ARC-1); restoring such a person emails them a link to set a new one (R-ARC-2).
    pub async fn change_member_status(
        &self,
        p: &Principal,
        account_id: Uuid,
        user_id: Uuid,
        change: Lifecycle,
        meta: &Meta,
    ) -> Result<MemberView> {
        let (from, to, action) = change.plan();
        let mut tx = self.store.begin().await?;
        let (actor, mine) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::ManageMembers(account_id))?;
        let account = tx.account_by_id(account_id).await?.ok_or(ServiceError::NotFound)?;
        let membership = tx.membership(account_id, user_id).await?.ok_or(ServiceError::NotFound)?;
        let user = tx.user_by_id(user_id).await?.ok_or(ServiceError::NotFound)?;
        if is_self(p, user_id) && !membership.is_owner && matches!(change, Lifecycle::Disable | Lifecycle::Archive) {
            return Err(ServiceError::Conflict {
                code: roster_core::ProblemCode::SelfAction,
                message: format!(
                    "You cannot {} yourself; ask another admin.",
                    &change.verb()[..change.verb().len() - 1]
                ),
            });
        }
        // Nobody changes the standing of someone holding more than they do (R-PERM-1); the
        // owner's own refusal (R-OWN-4) comes from the database below.
        if !membership.is_owner {
            check_holds_no_more(mine.as_ref(), &membership)?;
        }
        if !from.contains(&membership.status) {
            return Err(ServiceError::Conflict {
                code: roster_core::ProblemCode::Status,
                message: format!("This member is {} and cannot be {}.", membership.status, change.verb()),
            });
        }
        // The owner: the database answers R-OWN-4.
        tx.set_membership_status(account_id, user_id, to).await?;
        let t = now();
        let mut password_cleared = false;
        let mut link_sent = false;
        match change {
            Lifecycle::Disable | Lifecycle::Archive => {
                tx.delete_sessions_of_user_in_account(user_id, account_id).await?;
                tx.revoke_api_tokens_of(account_id, user_id, t).await?;
                if change == Lifecycle::Archive && !user.is_operator {
                    let active_elsewhere = tx
                        .memberships_of_user(user_id)
                        .await?
                        .iter()
                        .any(|(a, m)| a.id != account_id && m.status == roster_core::MembershipStatus::Active);
                    if !active_elsewhere && user.password_hash.is_some() {
                        tx.clear_user_password(user_id, t).await?;
                        tx.expire_password_resets_of_user(user_id, t).await?;
                        tx.delete_sessions_of_user(user_id).await?;
                        password_cleared = true;
                    }
                }
            }
            Lifecycle::Restore if user.password_hash.is_none() => {
                self.enqueue_access_restored(tx.as_mut(), p, &account, &user, t).await?;
                link_sent = true;
            }
            Lifecycle::Enable | Lifecycle::Restore => {}
        }
        let mut row = audit(action, p.who(), Some(account_id), ("user", user_id.to_string()), meta);
        if password_cleared || link_sent {
            row.details =
                Some(json!({ "password_cleared": password_cleared, "set_password_link_sent": link_sent }).to_string());
        }
        tx.insert_audit(&row).await?;
        let membership = tx.membership(account_id, user_id).await?.ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
        if link_sent {
            self.mail_enqueued();
        }
        Ok(member_view(&user, membership))
    }

    /// The `access_restored` email (R-ARC-2): the person's password was removed when they were
    /// archived, so it says a new one must be set, with a single-use set-password link (the
    /// reset page), sent as the account.
    async fn enqueue_access_restored(
        &self,
        tx: &mut dyn roster_store::Tx,
        p: &Principal,
        account: &roster_store::AccountRow,
        user: &UserRow,
        at: time::OffsetDateTime,
    ) -> Result<()> {
        let secret = new_secret("reset_")?;
        let expires_at = at + RESTORE_LINK_LIFETIME;
        tx.insert_password_reset(&hash_token(&secret), user.id, Some(p.user.id), at, expires_at).await?;
        let context = json!({
            "user": { "first_name": user.first_name, "last_name": user.last_name, "email": user.email },
            "account": { "name": account.name },
            "restored_by": { "name": format!("{} {}", p.user.first_name, p.user.last_name).trim() },
            "link": format!("{}/password-reset?token={secret}", self.mail_config().public_url),
            "expires_at": written_out(expires_at),
        });
        let mail = Mail {
            account: Some(account),
            template: TemplateName::AccessRestored,
            to: &user.email,
            context,
            sender: Sender::Account,
            bcc: None,
        };
        self.enqueue_email(tx, mail).await?;
        Ok(())
    }

    /// Hands the account to another active member (R-OWN-3). Only the owner, who confirms with
    /// their password; they become an admin. Of two transfers racing, one wins.
    pub async fn transfer_ownership(
        &self,
        p: &Principal,
        account_id: Uuid,
        user_id: Uuid,
        password: &str,
        meta: &Meta,
    ) -> Result<AccountView> {
        crate::impersonation::refuse_while_impersonating(p, "transfer ownership")?;
        {
            let mut tx = self.store.read().await?;
            let (actor, membership) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
            authorize(&actor, Action::ViewAccount(account_id))?;
            if !membership.is_some_and(|m| m.is_owner && m.status == roster_core::MembershipStatus::Active) {
                return Err(not_owner());
            }
        }
        // R-AUTH-7: current-password checks are throttled like sign-in.
        if !self.check_current_password(p, password, meta).await? {
            return Err(ServiceError::invalid("password", "This is not your password."));
        }
        let mut tx = self.store.begin().await?;
        let (actor, membership) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::ViewAccount(account_id))?;
        if !membership.is_some_and(|m| m.is_owner && m.status == roster_core::MembershipStatus::Active) {
            return Err(not_owner());
        }
        if user_id == p.user.id {
            return Err(ServiceError::Conflict {
                code: roster_core::ProblemCode::AlreadyOwner,
                message: "You already own this account.".to_owned(),
            });
        }
        tx.membership(account_id, user_id).await?.ok_or(ServiceError::NotFound)?;
        // Conditional on the caller still owning it: the loser of a race changes nothing.
        if !tx.move_owner(account_id, p.user.id, user_id).await? {
            return Err(ServiceError::Rule {
                rule: "R-OWN-3",
                code: roster_core::ProblemCode::OwnershipMoved,
                message: "You no longer own this account; ownership has already moved.".to_owned(),
            });
        }
        tx.set_membership_role(account_id, p.user.id, "admin").await?;
        tx.set_membership_role(account_id, user_id, "owner").await?;
        let mut row = audit(
            roster_core::AuditAction::AccountOwnershipTransferred,
            p.who(),
            Some(account_id),
            ("user", user_id.to_string()),
            meta,
        );
        row.details = Some(json!({ "from": p.user.id, "to": user_id }).to_string());
        tx.insert_audit(&row).await?;
        let account = tx.account_by_id(account_id).await?.ok_or(ServiceError::NotFound)?;
        let mine = tx.membership(account_id, p.user.id).await?;
        tx.commit().await?;
        Ok(AccountView::new(&account, mine.as_ref()))
    }
}

fn not_owner() -> ServiceError {
    ServiceError::Closed {
        code: roster_core::ProblemCode::NotOwner,
        message: "Only the account's owner can transfer ownership.".to_owned(),
    }
}
