//! Loads what the policy needs about the caller in one account.
use roster_core::{Actor, MembershipFacts, MembershipStatus};
use roster_store::{MembershipRow, Tx, UserRow};
use uuid::Uuid;

use crate::views::effective_permissions;
use crate::{Result, auth::Principal};

pub(crate) fn facts(m: &MembershipRow) -> MembershipFacts {
    MembershipFacts {
        account_id: m.account_id,
        is_owner: m.is_owner,
        status: MembershipStatus::parse(&m.status).unwrap_or(MembershipStatus::Disabled),
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
    load(tx, &p.user, account_id).await
}
