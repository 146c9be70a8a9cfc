//! The account chooser (R-AUTH-2): which accounts a signed-in person may act in, and moving the
//! session to one of them.
use roster_core::{Action, authorize};
use uuid::Uuid;

use crate::signin::{Principal, audit};
use crate::views::MembershipSummary;
use crate::{Meta, Result, Service, ServiceError, actor, now};

impl Service {
    /// The caller's active memberships, the last used first (then by account name). Disabled
    /// and archived memberships are not offered.
    pub async fn choosable_accounts(&self, p: &Principal) -> Result<Vec<MembershipSummary>> {
        let mut tx = self.store.read().await?;
        let mut list: Vec<MembershipSummary> = tx
            .memberships_of_user(p.user.id)
            .await?
            .iter()
            .filter(|(_, m)| m.status == roster_core::MembershipStatus::Active)
            .map(|(a, m)| MembershipSummary::new(a, m))
            .collect();
        list.sort_by(|a, b| {
            b.last_sign_in_at.cmp(&a.last_sign_in_at).then_with(|| a.account_name.cmp(&b.account_name))
        });
        Ok(list)
    }

    /// Moves the caller's session (or token) to `account_id`, where they must be an active
    /// member; remembered as the last used account. Another account's id is simply not found.
    /// A personal API token belongs to one account: switching with one is refused (409).
    pub async fn switch_account(&self, p: &Principal, account_id: Uuid, meta: &Meta) -> Result<MembershipSummary> {
        crate::impersonation::refuse_while_impersonating(p, "switch to another account")?;
        if p.api_token_id.is_some() {
            return Err(crate::me::tokens::bound_to_account());
        }
        let mut tx = self.store.begin().await?;
        let (actor, membership) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::ViewAccount(account_id))?;
        let Some(membership) = membership.filter(|m| m.status == roster_core::MembershipStatus::Active) else {
            return Err(ServiceError::NotFound);
        };
        let account = tx.account_by_id(account_id).await?.ok_or(ServiceError::NotFound)?;
        tx.set_session_account(p.session_id, Some(account_id)).await?;
        let t = now();
        tx.touch_last_sign_in(account_id, p.user.id, t).await?;
        tx.insert_audit(&audit(
            roster_core::AuditAction::SessionSwitched,
            p.who(),
            Some(account_id),
            ("account", account_id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        let membership = roster_store::MembershipRow { last_sign_in_at: Some(t), ..membership };
        Ok(MembershipSummary::new(&account, &membership))
    }
}
