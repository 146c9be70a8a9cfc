//! The console's shell: what the signed-in member may do in the current account ([`Can`]), and
//! the header's grouped navigation and breadcrumbs built from it. Every link and button a page
//! offers for an action is decided by one [`Can`] method, which asks `roster_core::authorize`
//! the same question the service will ask; the service still checks every request (R-PERM-3).
use roster_core::{Action, Actor, MembershipFacts, MembershipStatus, PermissionSet, authorize};
use roster_service::{AccountView, MemberView, Principal};
use uuid::Uuid;

/// What the signed-in person may do in one account. Empty (nothing allowed) without an account.
#[derive(Debug, Clone, Default)]
pub struct Can {
    /// The policy's view of the viewer in `account_id`; `None`: no account in view.
    actor: Option<Actor>,
    account_id: Uuid,
    /// The viewer's effective permissions there (empty for a non-member).
    held: PermissionSet,
    /// The account allows "log in as" (R-IMP-1).
    allow_impersonation: bool,
    /// The session is a "log in as" session: no impersonating, no ownership transfer.
    acting_as: bool,
}

/// A member's status as the rules read it (`None`: a status this console does not know).
fn status_of(m: &MemberView) -> Option<MembershipStatus> {
    Some(m.status)
}

/// A member's effective permissions.
fn held_by(m: &MemberView) -> PermissionSet {
    m.permissions.set()
}

impl Can {
    /// The viewer's rights in `account`: `mine` is their own member view there (it carries their
    /// effective permissions), `None` when they are not a member (an operator reading).
    pub fn new(p: &Principal, account: &AccountView, mine: Option<&MemberView>) -> Self {
        let membership = mine.and_then(|m| {
            Some(MembershipFacts {
                account_id: account.id,
                is_owner: m.is_owner,
                status: status_of(m)?,
                permissions: held_by(m),
            })
        });
        let held = membership.as_ref().map_or(PermissionSet::EMPTY, MembershipFacts::effective);
        // As `actor::for_principal`: a confined session never has the installation's powers.
        let confined = p.impersonator().is_some() || p.api_token_id().is_some();
        Can {
            actor: Some(Actor { user_id: p.user().id, is_operator: p.user().is_operator && !confined, membership }),
            account_id: account.id,
            held,
            allow_impersonation: account.allow_impersonation,
            acting_as: p.impersonator().is_some(),
        }
    }

    /// The one question every link and button asks.
    fn may(&self, action: Action) -> bool {
        self.actor.as_ref().is_some_and(|a| authorize(a, action).is_ok())
    }

    /// The account these rights are about (`None` without one).
    pub fn account_id(&self) -> Option<Uuid> {
        self.actor.as_ref().map(|_| self.account_id)
    }

    fn me(&self) -> Option<Uuid> {
        self.actor.as_ref().map(|a| a.user_id)
    }

    fn is_owner(&self) -> bool {
        self.actor.as_ref().and_then(|a| a.membership.as_ref()).is_some_and(|m| m.is_owner)
    }

    /// Clients › Contacts: every active member reaches at least the contacts assigned to them
    /// (R-CON-1, `roster_core::scope::CONTACTS`).
    pub fn view_contacts(&self) -> bool {
        self.actor
            .as_ref()
            .is_some_and(|a| roster_core::scope(a, self.account_id, roster_core::scope::CONTACTS).is_ok())
    }

    /// Clients › Tickets in the header: `tickets.view_open` (R-TKT-1); a member without it still
    /// opens the tickets assigned to them from the page's address.
    pub fn view_tickets(&self) -> bool {
        self.may(Action::OpenTickets(self.account_id))
    }

    /// Delete a ticket: an admin's act (`account.settings`, decision 0098).
    pub fn delete_tickets(&self) -> bool {
        self.may(Action::DeleteTickets(self.account_id))
    }

    /// Make and change projects (`projects.manage`, R-PRJ-1).
    pub fn manage_projects(&self) -> bool {
        self.may(Action::ManageProjects(self.account_id))
    }

    /// Create, edit and delete workflow templates (`workflows.edit`, R-WF-1).
    pub fn edit_workflows(&self) -> bool {
        self.may(Action::EditWorkflowTemplates(self.account_id))
    }

    /// Open the account's work pages (projects, to-dos, calendar): any active member (R-TODO-1, R-CAL-1).
    pub fn use_own_work(&self) -> bool {
        self.may(Action::UseOwnWork(self.account_id))
    }

    /// Start and stop one's own timer, add one's own time (`time.track`, R-TIME-1).
    pub fn track_time(&self) -> bool {
        self.may(Action::TrackTime(self.account_id))
    }

    /// Team › Members (`users.view`; the operator reads).
    pub fn view_team(&self) -> bool {
        self.may(Action::ViewTeam(self.account_id))
    }

    /// Add a user, and any change to a member (`users.manage`).
    pub fn manage_members(&self) -> bool {
        self.may(Action::ManageMembers(self.account_id))
    }

    /// Export CSV (`users.export`).
    pub fn export(&self) -> bool {
        self.may(Action::ExportMembers(self.account_id))
    }

    /// Team › Invitations: the pending list (`users.invite`; the operator reads).
    pub fn view_invitations(&self) -> bool {
        self.may(Action::ViewInvitations(self.account_id))
    }

    /// Team › Roles: the roles page reads with `users.view` or `roles.manage`.
    pub fn view_roles(&self) -> bool {
        self.manage_roles() || self.view_team()
    }

    /// Create and edit custom roles (`roles.manage`).
    pub fn manage_roles(&self) -> bool {
        self.may(Action::ManageRoles(self.account_id))
    }

    /// Settings › Account, Email settings, Email templates (`account.settings`).
    pub fn change_settings(&self) -> bool {
        self.may(Action::ChangeAccountSettings(self.account_id))
    }

    /// Settings › Outbox (`account.settings`; the operator reads).
    pub fn view_outbox(&self) -> bool {
        self.may(Action::ViewOutbox(self.account_id))
    }

    /// Settings › Audit log (`audit.view`; the operator reads).
    pub fn view_audit(&self) -> bool {
        self.may(Action::ViewAudit(self.account_id))
    }

    /// Transfer ownership: the owner's own act (R-OWN-3), never while acting as someone.
    pub fn transfer_ownership(&self) -> bool {
        self.is_owner() && !self.acting_as && self.may(Action::ViewAccount(self.account_id))
    }

    /// Changes to `m`'s standing or rights: `users.manage`, never oneself, never the owner
    /// (R-OWN-2, R-OWN-4), never someone holding a permission the viewer lacks (R-PERM-1).
    fn may_change(&self, m: &MemberView) -> bool {
        self.manage_members() && Some(m.user_id) != self.me() && !m.is_owner && self.held.is_superset_of(held_by(m))
    }

    /// Disable (R-DIS-1): an active member.
    pub fn disable(&self, m: &MemberView) -> bool {
        self.may_change(m) && status_of(m) == Some(MembershipStatus::Active)
    }

    /// Enable (R-DIS-1): a disabled member.
    pub fn enable(&self, m: &MemberView) -> bool {
        self.may_change(m) && status_of(m) == Some(MembershipStatus::Disabled)
    }

    /// Archive (R-ARC-1): an active or disabled member.
    pub fn archive(&self, m: &MemberView) -> bool {
        self.may_change(m) && matches!(status_of(m), Some(MembershipStatus::Active | MembershipStatus::Disabled))
    }

    /// Restore (R-ARC-2): an archived member.
    pub fn restore(&self, m: &MemberView) -> bool {
        self.may_change(m) && status_of(m) == Some(MembershipStatus::Archived)
    }

    /// Change `m`'s role or permissions (R-PERM-1: not one's own, not the owner's).
    pub fn edit_rights(&self, m: &MemberView) -> bool {
        self.may_change(m)
    }

    /// Delete `m` permanently (R-DEL-1; never the owner, R-OWN-4).
    pub fn delete(&self, m: &MemberView) -> bool {
        self.may_change(m)
    }

    /// "Log in as" `m` (R-IMP-1): `users.impersonate`, the account allows it, not while already
    /// acting as someone, an active member who is not the owner and holds nothing the viewer lacks.
    pub fn log_in_as(&self, m: &MemberView) -> bool {
        self.allow_impersonation
            && !self.acting_as
            && self.may(Action::Impersonate(self.account_id))
            && Some(m.user_id) != self.me()
            && !m.is_owner
            && status_of(m) == Some(MembershipStatus::Active)
            && self.held.is_superset_of(held_by(m))
    }
}

/// One link of the header's navigation.
pub struct NavLink {
    pub label: &'static str,
    pub href: String,
    /// The page shown is this link's page or below it (`aria-current="page"`).
    pub current: bool,
}

/// An area of the console: Work, Team, Settings, Me (Clients joins when it has pages). The
/// header links to each area the viewer may open; the current area's pages are its tabs.
pub struct NavArea {
    pub label: &'static str,
    pub links: Vec<NavLink>,
}

impl NavArea {
    /// Where the area's header link leads: its first page.
    pub fn href(&self) -> &str {
        self.links.first().map_or("/", |l| l.href.as_str())
    }

    /// The page shown belongs to this area.
    pub fn current(&self) -> bool {
        self.links.iter().any(|l| l.current)
    }
}

/// A step of the breadcrumb trail above the page's heading.
pub struct Crumb {
    pub label: String,
    pub href: String,
}

/// Is `path` the page `href` or below it (`/team` also holds `/team/{id}`, not `/team-x`)?
fn within(path: &str, href: &str) -> bool {
    path == href || path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/'))
}

fn link(path: &str, label: &'static str, href: String, shown: bool, exact: bool) -> Option<NavLink> {
    let current = if exact { path == href } else { within(path, &href) };
    shown.then_some(NavLink { label, href, current })
}

/// The console's areas for the signed-in person on the page `path`: the account `account`'s
/// areas with each page shown only when `can` allows it (an area with none is left out), then
/// the operator's installation pages, then Me. Work holds projects and to-dos (decision 0082); Clients has no pages yet, so it is
/// not shown (decision 0057).
pub fn areas(can: &Can, account: Option<Uuid>, operator: bool, path: &str) -> Vec<NavArea> {
    let mut out = Vec::new();
    if let Some(id) = account {
        let at = |tail: &str| format!("/accounts/{id}{tail}");
        let team = [
            link(path, "Members", at("/team"), can.view_team(), false),
            link(path, "Invitations", at("/invitations"), can.view_invitations(), false),
            link(path, "Roles", at("/roles"), can.view_roles(), false),
        ];
        let settings = [
            // `/settings` holds `/settings/email`, which has its own tab.
            link(path, "Account", at("/settings"), can.change_settings(), true),
            link(path, "Email settings", at("/settings/email"), can.change_settings(), false),
            link(path, "Email templates", at("/email-templates"), can.change_settings(), false),
            link(path, "Outbox", at("/emails"), can.view_outbox(), false),
            link(path, "Audit log", at("/audit"), can.view_audit(), false),
        ];
        let work = [
            link(path, "Projects", at("/projects"), can.use_own_work(), false),
            link(path, "To-dos", at("/todos"), can.use_own_work(), false),
            link(path, "Calendar", at("/calendar"), can.use_own_work(), true),
            link(path, "Compare calendars", at("/calendar/compare"), can.use_own_work(), false),
            link(path, "Calendars", at("/calendars"), can.use_own_work(), false),
            // The time page lists one's own entries; the report what the scope shows.
            link(path, "Time", at("/time"), can.use_own_work(), true),
            link(path, "Time report", at("/time/report"), can.use_own_work(), false),
            link(path, "Workflows", at("/workflows"), can.use_own_work(), false),
            link(path, "Runs", at("/workflow-runs"), can.use_own_work(), false),
            link(path, "Approvals", at("/approvals"), can.use_own_work(), false),
        ];
        out.push(NavArea { label: "Work", links: work.into_iter().flatten().collect() });
        let clients = [
            link(path, "Contacts", at("/contacts"), can.view_contacts(), false),
            link(path, "Tickets", at("/tickets"), can.view_tickets(), false),
        ];
        out.push(NavArea { label: "Clients", links: clients.into_iter().flatten().collect() });
        out.push(NavArea { label: "Team", links: team.into_iter().flatten().collect() });
        out.push(NavArea { label: "Settings", links: settings.into_iter().flatten().collect() });
    }
    if operator {
        let installation = [
            link(path, "Every outbox", "/emails".to_owned(), true, false),
            link(path, "Users", "/users".to_owned(), true, false),
            link(path, "Jobs", "/jobs".to_owned(), true, false),
        ];
        out.push(NavArea { label: "Installation", links: installation.into_iter().flatten().collect() });
    }
    let me = [
        link(path, "Profile", "/me".to_owned(), true, true),
        link(path, "Sessions", "/me/sessions".to_owned(), true, false),
        link(path, "Tokens", "/tokens".to_owned(), true, false),
        // Exact: every account's pages are below `/accounts`.
        link(path, "Accounts", "/accounts".to_owned(), true, true),
    ];
    out.push(NavArea { label: "Me", links: me.into_iter().flatten().collect() });
    out.retain(|a| !a.links.is_empty());
    out
}

/// The way back from `path`: the account's home, then the area's list page when the page is
/// below it (a member's page, a role, an email). The page itself is the heading, not a crumb.
pub fn crumbs(can: &Can, id: Uuid, name: &str, path: &str) -> Vec<Crumb> {
    let base = format!("/accounts/{id}");
    let Some(rest) = path.strip_prefix(&base).filter(|r| !r.is_empty()) else { return Vec::new() };
    let mut out = vec![Crumb { label: name.to_owned(), href: base.clone() }];
    let segments: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    let parent = match segments.as_slice() {
        ["team", _, ..] | ["log-in-as", ..] | ["transfer"] if can.view_team() => Some(("Members", "/team")),
        ["roles", _, ..] if can.view_roles() => Some(("Roles", "/roles")),
        ["contacts", _, ..] if can.view_contacts() => Some(("Contacts", "/contacts")),
        ["tickets", _, ..] => Some(("Tickets", "/tickets")),
        ["events", _, ..] if can.use_own_work() => Some(("Calendar", "/calendar")),
        ["emails", _, ..] if can.view_outbox() => Some(("Outbox", "/emails")),
        ["email-templates", _, ..] if can.change_settings() => Some(("Email templates", "/email-templates")),
        _ => None,
    };
    if let Some((label, tail)) = parent {
        out.push(Crumb { label: label.to_owned(), href: format!("{base}{tail}") });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_is_current_on_its_page_and_below_it_only() {
        assert!(within("/accounts/a/team", "/accounts/a/team"));
        assert!(within("/accounts/a/team/b", "/accounts/a/team"));
        assert!(!within("/accounts/a/teams", "/accounts/a/team"));
        assert!(!within("/accounts/a", "/accounts/a/team"));
    }

    #[test]
    fn r_perm_3_without_an_account_nothing_is_offered() {
        let can = Can::default();
        assert!(!can.view_team() && !can.manage_members() && !can.change_settings() && !can.view_audit());
        let areas = areas(&can, Some(Uuid::nil()), false, "/me");
        let labels: Vec<_> = areas.iter().map(|a| a.label).collect();
        assert_eq!(labels, ["Me"], "only the person's own pages");
    }
}
