//! Permanent delete, for users made in error (R-DEL-1). The membership goes; what the person
//! owned in the account moves to a member the admin picks (the admin by default); a person left
//! in no account has their personal data erased. The audit log keeps the id. Never the owner
//! (R-OWN-4), never oneself, never someone holding rights the admin lacks (R-PERM-1).
use roster_core::{Action, authorize};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::impersonation::is_self;
use crate::rights::check_holds_no_more;
use crate::signin::{Principal, audit};
use crate::{Meta, Result, Service, ServiceError, actor, now};

/// What a permanent delete did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeletedMember {
    pub user_id: Uuid,
    /// Who received what the person owned in the account.
    pub transferred_to: Uuid,
    /// True when the person belonged to no other account, so their personal data was erased.
    pub erased: bool,
}

/// The address an erased person's row keeps: unique, and never deliverable (`.invalid`).
fn placeholder_email(user_id: Uuid) -> String {
    format!("erased-{}@erased.invalid", user_id.simple())
}

impl Service {
    pub async fn delete_member(
        &self,
        p: &Principal,
        account_id: Uuid,
        user_id: Uuid,
        transfer_to: Option<Uuid>,
        meta: &Meta,
    ) -> Result<DeletedMember> {
        let mut tx = self.store.begin().await?;
        let (actor, mine) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::ManageMembers(account_id))?;
        let m = tx.membership(account_id, user_id).await?.ok_or(ServiceError::NotFound)?;
        if m.is_owner {
            return Err(ServiceError::Rule {
                rule: "R-OWN-4",
                code: roster_core::ProblemCode::OwnerRule,
                message: "The owner cannot be deleted. The owner may transfer ownership first.".to_owned(),
            });
        }
        if is_self(p, user_id) {
            return Err(ServiceError::Conflict {
                code: roster_core::ProblemCode::SelfDelete,
                message: "You cannot delete yourself; ask another admin or the owner.".to_owned(),
            });
        }
        // Removing someone who holds more than you would be a way around R-PERM-1.
        check_holds_no_more(mine.as_ref(), &m)?;
        let heir = transfer_to.unwrap_or(p.user.id);
        let heir_ok = heir != user_id
            && tx
                .membership(account_id, heir)
                .await?
                .is_some_and(|h| h.status == roster_core::MembershipStatus::Active);
        if !heir_ok {
            return Err(ServiceError::invalid(
                "transfer_to",
                "Choose an active member of this account, other than the person deleted, to receive their records.",
            ));
        }
        let user = tx.user_by_id(user_id).await?.ok_or(ServiceError::NotFound)?;
        let t = now();
        // What the person owned here moves to the heir: invitations they sent, and their records.
        let invitations = tx.reassign_invitations(account_id, user_id, heir).await?;
        tx.delete_sessions_of_user_in_account(user_id, account_id).await?;
        let moved = crate::records::membership::on_leave(tx.as_mut(), account_id, user_id, heir, t).await?;
        // Personal tokens go with the membership (foreign key, cascade).
        tx.delete_membership(account_id, user_id).await?;
        let erased = if tx.memberships_of_user(user_id).await?.is_empty() && !user.is_operator {
            tx.delete_sessions_of_user(user_id).await?;
            tx.expire_password_resets_of_user(user_id, t).await?;
            tx.delete_emails_to(&user.email).await?;
            tx.erase_invitation_addresses(&user.email, &placeholder_email(user_id)).await?;
            tx.erase_user(user_id, &placeholder_email(user_id), t).await?
        } else {
            false
        };
        let mut event = audit(
            roster_core::AuditAction::MemberDeleted,
            p.who(),
            Some(account_id),
            ("user", user_id.to_string()),
            meta,
        );
        event.details =
            Some(json!({ "transferred_to": heir, "erased": erased, "invitations_moved": invitations, "records_moved": {
                "contacts": moved.contacts, "projects": moved.projects, "project_memberships": moved.project_memberships,
                "todo_lists": moved.todo_lists, "todos": moved.todos, "calendars": moved.calendars,
            } }).to_string());
        tx.insert_audit(&event).await?;
        tx.commit().await?;
        Ok(DeletedMember { user_id, transferred_to: heir, erased })
    }
}
