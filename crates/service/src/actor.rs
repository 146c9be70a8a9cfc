//! Who a use case acts for, and what the policy needs to know about them in one account.
//!
//! A use case acts either for a signed-in person (a [`Principal`], made only by this crate) or
//! for the installation itself, for one of the reasons [`Internal`] names. There is no third way
//! and no `Option` meaning "everyone": a use case that the command line or a background job may
//! run takes an [`Identity`], and its caller names the reason. The audit rows such a use case
//! writes name that reason too (`details.internal`, see `Who::internal`).
use roster_core::{Actor, MembershipFacts};
use roster_store::{MembershipRow, Tx, UserRow};
use uuid::Uuid;

use crate::Result;
use crate::signin::{Fetched, Principal};
use crate::views::effective_permissions;

/// Why the installation acts with nobody signed in. The whole list: a new background job or
/// command adds a variant here, so what runs with the installation's powers is read in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Internal {
    /// The administrator at the command line (`roster users export|import`,
    /// `roster operator create`), who has the database itself.
    Cli,
    /// `roster demo`: the demo account, its people and generated members.
    Demo,
    /// The outbox delivery worker, which sends every account's queued email.
    DeliveryJob,
    /// The daily reminder job (R-MAIL-5), which reads each opted-in member's day.
    ReminderJob,
    /// The job runner (decision 0096), which runs every account's due jobs.
    JobRunner,
}

impl Internal {
    /// The name stored in audit rows (`details.internal`) and shown in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Internal::Cli => "cli",
            Internal::Demo => "demo",
            Internal::DeliveryJob => "delivery_job",
            Internal::ReminderJob => "reminder_job",
            Internal::JobRunner => "job_runner",
        }
    }

    /// The reason stored under this name, if any.
    pub fn parse(name: &str) -> Option<Internal> {
        [Internal::Cli, Internal::Demo, Internal::DeliveryJob, Internal::ReminderJob, Internal::JobRunner]
            .into_iter()
            .find(|i| i.as_str() == name)
    }
}

/// Who a use case acts for: a signed-in person, or the installation itself for a named reason.
#[derive(Debug, Clone, Copy)]
pub enum Identity<'a> {
    /// A person with a session or a personal API token; the policy decides what they may do.
    Person(&'a Principal),
    /// The installation itself: not checked against the policy, and recorded as such.
    Internal(Internal),
}

impl<'a> From<&'a Principal> for Identity<'a> {
    fn from(p: &'a Principal) -> Self {
        Identity::Person(p)
    }
}

impl From<Internal> for Identity<'_> {
    fn from(i: Internal) -> Self {
        Identity::Internal(i)
    }
}

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
        let (mut actor, membership) = load_for(tx, p, here).await?;
        actor.is_operator = false;
        return Ok((actor, membership));
    }
    load_for(tx, p, account_id).await
}

/// [`load`], taking the membership read with the session (`Prefetch::Membership`) when the unit
/// only reads: a unit that writes reads it again inside its transaction, so what it checks is
/// what it changes (decision 0107).
async fn load_for(tx: &mut dyn Tx, p: &Principal, account_id: Option<Uuid>) -> Result<(Actor, Option<MembershipRow>)> {
    if let (false, Some(a), Fetched::Membership(read_for, membership)) = (tx.writes(), account_id, &p.fetched)
        && a == *read_for
    {
        let actor =
            Actor { user_id: p.user.id, is_operator: p.user.is_operator, membership: membership.as_ref().map(facts) };
        return Ok((actor, membership.clone()));
    }
    load(tx, &p.user, account_id).await
}

#[cfg(test)]
mod tests {
    use super::Internal;
    use crate::signin::Who;

    #[test]
    fn r_aud_1_an_internal_audit_row_names_its_reason_next_to_other_details() {
        let who = Who::internal(Internal::Cli);
        let details = who.details(Some(serde_json::json!({ "change": "created" }))).unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(&details).unwrap_or_default();
        assert_eq!(v["internal"], "cli");
        assert_eq!(v["change"], "created");
        assert_eq!(Who::internal(Internal::Demo).details(None).as_deref(), Some(r#"{"internal":"demo"}"#));
    }

    #[test]
    fn r_aud_1_a_person_or_a_visitor_writes_no_internal_identity() {
        assert_eq!(Who::anonymous().details(None), None);
        assert_eq!(Who::user(uuid::Uuid::nil()).details(None), None);
        let d = Who::user(uuid::Uuid::nil()).details(Some(serde_json::json!({ "count": 2 })));
        assert_eq!(d.as_deref(), Some(r#"{"count":2}"#));
    }

    #[test]
    fn every_internal_identity_has_a_stored_name_that_reads_back() {
        for i in [Internal::Cli, Internal::Demo, Internal::DeliveryJob] {
            assert_eq!(Internal::parse(i.as_str()), Some(i));
        }
        assert_eq!(Internal::parse("someone"), None);
    }
}
