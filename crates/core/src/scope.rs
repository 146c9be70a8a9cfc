//! Record-level scopes (decision 0045, `docs/decisions/0045-record-scopes.md`): which records of
//! one account a query may read or change, decided by the policy and carried to the store as a
//! required parameter of every record query.
//!
//! A [`Scope`] has no public constructor: [`scope`] below is the only way to get one, so a
//! record query (which takes `&Scope`) cannot be written without the policy having decided. The
//! store turns it into its `WHERE` clause (bound values, never a list filtered after reading).
//! Each record kind has one [`ScopeRule`] here ([`CONTACTS`], [`PROJECTS`], [`TODOS`],
//! [`CALENDARS`]); what `Reach::Own` means for a kind (assigned to me, a project I belong to, a
//! list or calendar I own) is that kind's SQL, written once in `store/src/sql/records/<kind>/`.
//! Work a use case does on records as a consequence of another change (R-JOIN-1's defaults,
//! R-DEL-1's transfer) or a job (R-MAIL-5's reminders) gets its scope from [`internal`], which
//! names why, so every such use is found by one search.
//!
//! ```compile_fail
//! // a_scope_cannot_be_built_outside_the_policy
//! let s = roster_core::Scope { account_id: uuid::Uuid::nil(), reach: roster_core::Reach::All };
//! ```
use uuid::Uuid;

use crate::catalogue::RoleKind;
use crate::permission::Permission;
use crate::policy::{Actor, Denied, MembershipStatus};

/// How far a member's reach goes among one kind of record in one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Every record of the kind in the account.
    All,
    /// The records this user owns or is assigned (the record kind names the columns).
    Own(Uuid),
    /// This user's own records and every record linked to a project (R-TIME-1: a
    /// `projects.view_all` holder sees the time entries on the projects they see, i.e. all of
    /// them). Only [`time_scope`] makes it; other kinds never see it.
    OwnAndProjects(Uuid),
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

/// The permissions that give each reach over one record kind (one constant per kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScopeRule {
    /// Reach every record of the kind.
    pub all: Permission,
    /// Reach one's own records; `None`: every active member does (the work records' rule, e.g.
    /// R-CON-1's "without `contacts.view_all`, the contacts assigned to you").
    pub own: Option<Permission>,
}

/// R-CON-1: `contacts.view_all`, or the contacts assigned to you.
pub const CONTACTS: ScopeRule = ScopeRule { all: Permission::ContactsViewAll, own: None };
/// R-PRJ-1: `projects.view_all`, or the projects you belong to.
pub const PROJECTS: ScopeRule = ScopeRule { all: Permission::ProjectsViewAll, own: None };
/// R-TODO-1: `todos.view_all`, or your own lists.
pub const TODOS: ScopeRule = ScopeRule { all: Permission::TodosViewAll, own: None };
/// R-CAL-1: `calendars.view_all`, or your own calendars.
pub const CALENDARS: ScopeRule = ScopeRule { all: Permission::CalendarsViewAll, own: None };

/// R-TKT-1: `tickets.view_open`, or the tickets assigned to you (decision 0098).
pub const TICKETS: ScopeRule = ScopeRule { all: Permission::TicketsViewOpen, own: None };
/// What a time-entry scope is for (R-TIME-1): reading, or changing and deleting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUse {
    /// Lists, entries, the report and its CSV.
    View,
    /// Edits and deletions: the author, or an admin.
    Edit,
}

/// R-TIME-1: time entries are visible to their author, to `projects.view_all` holders for the
/// projects they see, and to admins (the owner or a member whose role is `admin`); changed by
/// their author or an admin. `role` is the actor's stored role in `account_id`. Starting and
/// stopping one's own timer also needs `time.track` (the use case's `authorize`).
pub fn time_scope(actor: &Actor, account_id: Uuid, role: RoleKind, why: TimeUse) -> Result<Scope, Denied> {
    let member =
        actor.membership.as_ref().filter(|m| m.account_id == account_id && m.status == MembershipStatus::Active);
    let Some(m) = member else {
        return Err(Denied::NotFound);
    };
    let reach = if m.is_owner || role == RoleKind::Admin {
        Reach::All
    } else if why == TimeUse::View && m.effective().contains(Permission::ProjectsViewAll) {
        Reach::OwnAndProjects(actor.user_id)
    } else {
        Reach::Own(actor.user_id)
    };
    Ok(Scope { account_id, reach })
}

/// R-WF-1: workflow templates are the account's shared playbook: every active member reads them
/// all (they start runs), so the scope of [`workflow_templates`] always reaches every template of
/// the account; changing one is `Action::EditWorkflowTemplates` on top.
pub fn workflow_templates(actor: &Actor, account_id: Uuid) -> Result<Scope, Denied> {
    let member =
        actor.membership.as_ref().filter(|m| m.account_id == account_id && m.status == MembershipStatus::Active);
    match member {
        Some(_) => Ok(Scope { account_id, reach: Reach::All }),
        None => Err(Denied::NotFound),
    }
}

/// Why records are reached without a person's scope: the whole list (decision 0045).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InternalUse {
    /// R-JOIN-1: the collaborator contact, default calendar and list, chosen projects of a person
    /// joining, in the joining use case's own transaction.
    JoinDefaults,
    /// R-DEL-1 and R-ARC-1: moving a leaving member's records to the heir.
    LeaveTransfer,
    /// R-MAIL-5: the daily reminder job reading one member's day.
    DailyReminders,
    /// R-TKT-1: the contact a ticket reply is emailed to, whoever may see the contact.
    TicketMail,
    /// R-WF-1: the job runner running a workflow step: the run's contact or project, the
    /// assignee's default list and calendar, the to-do, event or email it makes.
    WorkflowStep,
    /// `roster demo`: filling the demo account.
    Demo,
}

/// The whole account, for one of the reasons [`InternalUse`] names; never for a request.
pub fn internal(account_id: Uuid, _why: InternalUse) -> Scope {
    Scope { account_id, reach: Reach::All }
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
    } else {
        match rule.own {
            None => Reach::Own(actor.user_id),
            Some(own) if held.contains(own) => Reach::Own(actor.user_id),
            Some(own) => return Err(Denied::Forbidden(own)),
        }
    };
    Ok(Scope { account_id, reach })
}

/// R-WF-1: the scope of workflow runs. A run belongs to its contact or project, so it is reached
/// through them: the caller's scope over contacts and over projects (decision 0100).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunScope {
    contacts: Scope,
    projects: Scope,
}

impl RunScope {
    pub fn account_id(&self) -> Uuid {
        self.contacts.account_id
    }
    /// Which contacts' runs it reaches.
    pub fn contacts(&self) -> &Scope {
        &self.contacts
    }
    /// Which projects' runs it reaches.
    pub fn projects(&self) -> &Scope {
        &self.projects
    }
}

/// The runs `actor` reaches in `account_id`: those of the contacts and projects they see.
pub fn workflow_runs(actor: &Actor, account_id: Uuid) -> Result<RunScope, Denied> {
    Ok(RunScope { contacts: scope(actor, account_id, CONTACTS)?, projects: scope(actor, account_id, PROJECTS)? })
}

/// Every run of the account, for one of the reasons [`InternalUse`] names.
pub fn internal_runs(account_id: Uuid, why: InternalUse) -> RunScope {
    RunScope { contacts: internal(account_id, why), projects: internal(account_id, why) }
}

/// R-WF-1: whose waiting emails `actor` may read, edit, approve and skip (the approval queue):
/// every one of the account's with `workflows.edit`, otherwise those assigned to them.
pub fn approvals(actor: &Actor, account_id: Uuid) -> Result<Scope, Denied> {
    scope(actor, account_id, ScopeRule { all: Permission::WorkflowsEdit, own: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PermissionSet;
    use crate::policy::MembershipFacts;

    // A rule with an "own" permission (the portal's kinds will have one).
    const RULE: ScopeRule = ScopeRule { all: Permission::UsersManage, own: Some(Permission::UsersView) };

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

    #[test]
    fn r_time_1_entries_reach_the_author_project_viewers_and_admins() {
        let a = Uuid::from_u128(1);
        let me = Uuid::from_u128(7);
        let plain = member(a, &[Permission::TimeTrack], MembershipStatus::Active);
        let view = |actor: &Actor, role, why| time_scope(actor, a, role, why).map(|s| s.reach());
        assert_eq!(view(&plain, RoleKind::Employee, TimeUse::View), Ok(Reach::Own(me)));
        let projects = member(a, &[Permission::ProjectsViewAll], MembershipStatus::Active);
        assert_eq!(view(&projects, RoleKind::Standard, TimeUse::View), Ok(Reach::OwnAndProjects(me)));
        assert_eq!(view(&projects, RoleKind::Standard, TimeUse::Edit), Ok(Reach::Own(me)));
        assert_eq!(view(&plain, RoleKind::Admin, TimeUse::Edit), Ok(Reach::All));
        let disabled = member(a, &[], MembershipStatus::Disabled);
        assert_eq!(view(&disabled, RoleKind::Admin, TimeUse::View), Err(Denied::NotFound));
        assert_eq!(time_scope(&plain, Uuid::from_u128(2), RoleKind::Admin, TimeUse::View), Err(Denied::NotFound));
    }

    #[test]
    fn r_con_1_without_view_all_a_member_reaches_their_own_records() {
        let a = Uuid::from_u128(1);
        let plain = member(a, &[], MembershipStatus::Active);
        for rule in [CONTACTS, PROJECTS, TODOS, CALENDARS, TICKETS] {
            assert_eq!(scope(&plain, a, rule).map(|s| s.reach()), Ok(Reach::Own(Uuid::from_u128(7))));
            let all = member(a, &[rule.all], MembershipStatus::Active);
            assert_eq!(scope(&all, a, rule).map(|s| s.reach()), Ok(Reach::All));
        }
        let archived = member(a, &[Permission::ContactsViewAll], MembershipStatus::Archived);
        assert_eq!(scope(&archived, a, CONTACTS), Err(Denied::NotFound));
    }
}
