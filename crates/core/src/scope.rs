//! Record-level scopes (decision 0045, `docs/decisions/0045-record-scopes.md`): which records of
//! one account a query may read or change, decided by the policy and carried to the store as a
//! required parameter of every record query.
//!
//! A [`Scope`] has no public constructor: [`scope`] below is the only way to get one, so a
//! record query (which takes `&Scope`) cannot be written without the policy having decided. The
//! store turns it into its `WHERE` clause (bound values, never a list filtered after reading).
//! No record kind uses it yet; the first one (contacts) brings its permissions and its queries.
//!
//! ```compile_fail
//! // a_scope_cannot_be_built_outside_the_policy
//! let s = roster_core::Scope { account_id: uuid::Uuid::nil(), reach: roster_core::Reach::All };
//! ```
use uuid::Uuid;

use crate::permission::Permission;
use crate::policy::{Actor, Denied, MembershipStatus};

/// How far a member's reach goes among one kind of record in one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Every record of the kind in the account.
    All,
    /// The records this user owns or is assigned (the record kind names the columns).
    Own(Uuid),
}

/// Which records of one account a query may touch, as the policy decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    account_id: Uuid,
    reach: Reach,
}

impl Scope {
    /// The account every row of the query must belong to.
    pub fn account_id(&self) -> Uuid {
        self.account_id
    }

    pub fn reach(&self) -> Reach {
        self.reach
    }
}

/// The permissions that give each reach over one record kind (one constant per kind, e.g.
/// `contacts.view_all` and `contacts.view_own`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScopeRule {
    pub all: Permission,
    pub own: Permission,
}

/// Decides the scope of `actor` over one record kind in `account_id`: an active member with
/// `rule.all` reaches every record, with `rule.own` their own; anyone else is refused. Records
/// are the account's business data, so the operator gets no reach without a membership.
pub fn scope(actor: &Actor, account_id: Uuid, rule: ScopeRule) -> Result<Scope, Denied> {
    let member =
        actor.membership.as_ref().filter(|m| m.account_id == account_id && m.status == MembershipStatus::Active);
    let Some(m) = member else {
        return Err(Denied::NotFound);
    };
    let held = m.effective();
    let reach = if held.contains(rule.all) {
        Reach::All
    } else if held.contains(rule.own) {
        Reach::Own(actor.user_id)
    } else {
        return Err(Denied::Forbidden(rule.own));
    };
    Ok(Scope { account_id, reach })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PermissionSet;
    use crate::policy::MembershipFacts;

    // Stand-ins until the first record kind brings its own permissions.
    const RULE: ScopeRule = ScopeRule { all: Permission::UsersManage, own: Permission::UsersView };

    fn member(account_id: Uuid, permissions: &[Permission], status: MembershipStatus) -> Actor {
        let set = permissions.iter().fold(PermissionSet::EMPTY, |s, p| s.with(*p));
        Actor {
            user_id: Uuid::from_u128(7),
            is_operator: false,
            membership: Some(MembershipFacts { account_id, is_owner: false, status, permissions: set }),
        }
    }

    #[test]
    fn r_perm_3_a_scope_reaches_all_own_or_nothing_as_the_permissions_say() {
        let a = Uuid::from_u128(1);
        let all = member(a, &[Permission::UsersManage], MembershipStatus::Active);
        assert_eq!(scope(&all, a, RULE).map(|s| (s.account_id(), s.reach())), Ok((a, Reach::All)));
        let own = member(a, &[Permission::UsersView], MembershipStatus::Active);
        assert_eq!(scope(&own, a, RULE).map(|s| s.reach()), Ok(Reach::Own(Uuid::from_u128(7))));
        let none = member(a, &[], MembershipStatus::Active);
        assert_eq!(scope(&none, a, RULE), Err(Denied::Forbidden(Permission::UsersView)));
    }

    #[test]
    fn r_perm_3_another_account_a_disabled_member_or_the_operator_gets_no_scope() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let elsewhere = member(b, &[Permission::UsersManage], MembershipStatus::Active);
        assert_eq!(scope(&elsewhere, a, RULE), Err(Denied::NotFound));
        let disabled = member(a, &[Permission::UsersManage], MembershipStatus::Disabled);
        assert_eq!(scope(&disabled, a, RULE), Err(Denied::NotFound));
        let operator = Actor { user_id: Uuid::from_u128(9), is_operator: true, membership: None };
        assert_eq!(scope(&operator, a, RULE), Err(Denied::NotFound));
    }
}
