//! Loads what the policy needs about the caller in one account.
use roster_core::{Actor, MembershipFacts};
use roster_store::{MembershipRow, Tx, UserRow};
use uuid::Uuid;

use crate::views::effective_permissions;
use crate::{Result, signin::Principal};

pub(crate) fn facts(m: &MembershipRow) -> MembershipFacts {
    MembershipFacts {
        account_id: m.account_id,
        is_owner: m.is_owner,
        status: m.status,
        permissions: effective_permissions(m),
    }
}

/// The actor for `principal` acting on `account_id`, with their membership row if any.
pub(crate) async fn load(
    tx: &mut dyn Tx,
    user: &UserRow,
    account_id: Option<Uuid>,
) -> Result<(Actor, Option<MembershipRow>)> {
    let membership = match account_id {
        Some(a) => tx.membership(a, user.id).await?,
        None => None,
    };
    let actor = Actor { user_id: user.id, is_operator: user.is_operator, membership: membership.as_ref().map(facts) };
    Ok((actor, membership))
}

pub(crate) async fn for_principal(
    tx: &mut dyn Tx,
    p: &Principal,
    account_id: Option<Uuid>,
) -> Result<(Actor, Option<MembershipRow>)> {
    // R-IMP-1: "log in as" is confined to the session's account, and never with the installation's
    // powers: elsewhere the person acted as counts as a stranger. PRODUCT.md §10: so is a personal
    // API token, to the account it was made in (another account's routes answer 404, as for a
    // stranger). Every use case resolves its actor here, so no route can forget.
    if p.is_confined() {
        let here = account_id.filter(|a| Some(*a) == p.account_id);
        let (mut actor, membership) = load(tx, &p.user, here).await?;
        actor.is_operator = false;
        return Ok((actor, membership));
    }
    load(tx, &p.user, account_id).await
}
