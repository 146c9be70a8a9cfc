//! Closed sets of stored and wire values (membership status, role kind, invite policy, invitation
//! status, audit action): one enum each, one line per value, like the permission catalogue.
//! Each has `ALL` (catalogue order), `as_str` (the stable string, the same on the wire, in HTML
//! and in the database) and `parse`, which refuses an unknown string with [`UnknownValue`]: a
//! value that is not in the catalogue is an error, never a silent default.
/// A string that names no value of a catalogue (e.g. a row written by a newer version, or a
/// filter typed by hand).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {catalogue} {value:?}")]
pub struct UnknownValue {
    /// The catalogue's name, e.g. `membership status`.
    pub catalogue: &'static str,
    pub value: String,
}

/// Declares a catalogue enum: `Variant = "string"` per line. Serde and the OpenAPI schema use
/// the same strings (a string enum), so the wire format is the stored one.
macro_rules! string_catalogue {
    (
        $(#[$meta:meta])*
        $name:ident ($what:literal) {
            $($(#[$vmeta:meta])* $variant:ident = $id:tt,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $id)] $variant,)*
        }

        impl $name {
            /// Every value, in catalogue order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable string (wire, HTML and database alike).
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $id),* }
            }

            /// The value a string names; anything else is refused.
            pub fn parse(s: &str) -> Result<Self, $crate::catalogue::UnknownValue> {
                match s {
                    $($id => Ok($name::$variant),)*
                    _ => Err($crate::catalogue::UnknownValue { catalogue: $what, value: s.to_owned() }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::catalogue::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}

string_catalogue! {
    /// Where a membership stands (PRODUCT.md §4): only `active` members may act.
    MembershipStatus ("membership status") {
        Active = "active",
        Disabled = "disabled",
        Archived = "archived",
    }
}

string_catalogue! {
    /// What a membership's or invitation's `role` names: one of the eight built-in roles, or
    /// `custom` (a custom role or an explicit permission list).
    RoleKind ("role") {
        Owner = "owner",
        Admin = "admin",
        Standard = "standard",
        Salesperson = "salesperson",
        Employee = "employee",
        Vendor = "vendor",
        Customer = "customer",
        Collaborator = "collaborator",
        Custom = "custom",
    }
}

impl RoleKind {
    /// The built-in role, or `None` for `custom`.
    pub fn builtin(self) -> Option<crate::BuiltinRole> {
        crate::BuiltinRole::parse(self.as_str())
    }
}

impl From<crate::BuiltinRole> for RoleKind {
    fn from(r: crate::BuiltinRole) -> Self {
        match RoleKind::parse(r.key()) {
            Ok(kind) => kind,
            // Unreachable: every built-in key is a role kind (tested below).
            Err(_) => RoleKind::Custom,
        }
    }
}

string_catalogue! {
    /// Who may send, resend and revoke invitations in an account (R-PERM-2).
    InvitePolicy ("invite policy") {
        /// Only the owner.
        OwnerOnly = "owner_only",
        /// Whoever holds `users.invite`.
        Permission = "permission",
    }
}

string_catalogue! {
    /// Where an invitation stands (R-INV-1). `expired` is never stored: it is how a `pending`
    /// invitation past its expiry is shown.
    InvitationStatus ("invitation status") {
        Pending = "pending",
        Accepted = "accepted",
        Revoked = "revoked",
        Expired = "expired",
    }
}

impl InvitationStatus {
    /// The states a row may hold (`expired` is computed, never written).
    pub const STORED: &'static [InvitationStatus] =
        &[InvitationStatus::Pending, InvitationStatus::Accepted, InvitationStatus::Revoked];

    /// Parses a stored value: `expired` (never written) is refused like any unknown string.
    pub fn parse_stored(s: &str) -> Result<Self, UnknownValue> {
        match Self::parse(s)? {
            InvitationStatus::Expired => {
                Err(UnknownValue { catalogue: "stored invitation status", value: s.to_owned() })
            }
            ok => Ok(ok),
        }
    }
}

string_catalogue! {
    /// What a contact is to the account (R-CON-1). `collaborator` is also what R-JOIN-1 makes
    /// for each member.
    ContactKind ("contact type") {
        Client = "client",
        Lead = "lead",
        Vendor = "vendor",
        Collaborator = "collaborator",
    }
}

string_catalogue! {
    /// Where a contact is in the sales pipeline (R-CON-1, seed 002's pipeline view), in pipeline
    /// order. A fixed list (decision 0077): the pipeline view shows one column each.
    ContactStage ("pipeline stage") {
        New = "new",
        Contacted = "contacted",
        Qualified = "qualified",
        Proposal = "proposal",
        Won = "won",
        Lost = "lost",
    }
}

string_catalogue! {
    /// Where a project stands (R-PRJ-1).
    ProjectStatus ("project status") {
        Active = "active",
        OnHold = "on_hold",
        Completed = "completed",
        Cancelled = "cancelled",
    }
}

string_catalogue! {
    /// The tab a contact page opens on: the member's "default contact tab" (R-CON-1, seed 002).
    ContactTab ("contact tab") {
        Overview = "overview",
        Projects = "projects",
        Todos = "todos",
        Events = "events",
        Emails = "emails",
        Notes = "notes",
    }
}

string_catalogue! {
    /// What a due job does (the job runner, decision 0096): one handler per kind in
    /// `roster_service::jobs`. A stored kind outside this list is an error, never skipped.
    JobKind ("job kind") {
        /// One pass of the daily reminders (R-MAIL-5), enqueued once per minute.
        RemindersSweep = "reminders.sweep",
        /// One step of a workflow run (R-WF-1): its effect and the next step's job commit with
        /// the done mark.
        WorkflowStep = "workflow.step",
    }
}

string_catalogue! {
    /// Where a support ticket stands (R-TKT-1): a member's reply makes it `answered`, a message
    /// from the contact's side `open` again.
    TicketStatus ("ticket status") {
        Open = "open",
        Answered = "answered",
        Closed = "closed",
    }
}

string_catalogue! {
    /// Where a job stands: `due` (waiting for its time), `running` (claimed, with a lease),
    /// `done` (its effect committed with this mark), `failed` (out of attempts; an operator may
    /// retry it).
    JobState ("job state") {
        Due = "due",
        Running = "running",
        Done = "done",
        Failed = "failed",
    }
}

string_catalogue! {
    /// How urgent a support ticket is (R-TKT-1), least first.
    TicketPriority ("ticket priority") {
        Low = "low",
        Normal = "normal",
        High = "high",
        Urgent = "urgent",
    }
}

string_catalogue! {
    /// Who a ticket's opening or message is from (R-TKT-1): a member, or the contact (entered by a
    /// member on their behalf until the portal lets contacts write).
    TicketAuthor ("ticket author") {
        Member = "member",
        Contact = "contact",
    }
}

string_catalogue! {
    /// How a time entry was made (R-TIME-1): by a timer's start and stop, or typed in.
    TimeSource ("time entry source") {
        Timer = "timer",
        Manual = "manual",
    }
}

string_catalogue! {
    /// Everything the audit log records (R-AUD-1), one line each. A new audited use case adds
    /// its action here (and to API.md's list) in the same change.
    AuditAction ("audit action") {
        AccountCreated = "account.created",
        AccountDemoCreated = "account.demo_created",
        AccountDemoMembersAdded = "account.demo_members_added",
        AccountOwnershipTransferred = "account.ownership_transferred",
        AccountSettingsChanged = "account.settings_changed",
        AccountSmtpRemoved = "account.smtp_removed",
        AccountSmtpSet = "account.smtp_set",
        ApiTokenCreated = "api_token.created",
        ApiTokenRevoked = "api_token.revoked",
        AuthCurrentPasswordFailed = "auth.current_password_failed",
        AuthPasswordReset = "auth.password_reset",
        AuthPasswordResetRequested = "auth.password_reset_requested",
        AuthRegistrationAttempted = "auth.registration_attempted",
        AuthSignInFailed = "auth.sign_in_failed",
        CalendarCreated = "calendar.created",
        CalendarDeleted = "calendar.deleted",
        CalendarRenamed = "calendar.renamed",
        ContactCreated = "contact.created",
        ContactDeleted = "contact.deleted",
        ContactUpdated = "contact.updated",
        ContactsImported = "contact.imported",
        EmailRetried = "email.retried",
        EmailTemplateReset = "email_template.reset",
        EmailTemplateTestSent = "email_template.test_sent",
        EmailTemplateUpdated = "email_template.updated",
        EventCreated = "event.created",
        EventDeleted = "event.deleted",
        EventUpdated = "event.updated",
        FilterDeleted = "filter.deleted",
        FilterSaved = "filter.saved",
        InvitationAccepted = "invitation.accepted",
        InvitationRequested = "invitation.requested",
        InvitationResent = "invitation.resent",
        InvitationRevoked = "invitation.revoked",
        InvitationSent = "invitation.sent",
        JobRetried = "job.retried",
        MemberAdded = "member.added",
        MemberArchived = "member.archived",
        MemberDeleted = "member.deleted",
        MemberDisabled = "member.disabled",
        MemberEnabled = "member.enabled",
        MemberImpersonationEnded = "member.impersonation_ended",
        MemberImpersonationStarted = "member.impersonation_started",
        MemberImported = "member.imported",
        MemberPasswordResetSent = "member.password_reset_sent",
        MemberPasswordSet = "member.password_set",
        MemberPreferencesChanged = "member.preferences_changed",
        MemberRestored = "member.restored",
        MemberRightsChanged = "member.rights_changed",
        MemberProfileChanged = "member.profile_changed",
        MemberSignedUp = "member.signed_up",
        OperatorCreated = "operator.created",
        ProjectCreated = "project.created",
        ProjectDeleted = "project.deleted",
        ProjectMembersChanged = "project.members_changed",
        ProjectUpdated = "project.updated",
        RecordsTransferred = "records.transferred",
        RoleCreated = "role.created",
        RoleDeleted = "role.deleted",
        RoleUpdated = "role.updated",
        SessionEnded = "session.ended",
        SessionEndedOthers = "session.ended_others",
        SessionSignedIn = "session.signed_in",
        SessionSignedOut = "session.signed_out",
        SessionSwitched = "session.switched",
        TagCreated = "tag.created",
        TagDeleted = "tag.deleted",
        TicketDeleted = "ticket.deleted",
        TicketOpened = "ticket.opened",
        TicketReplied = "ticket.replied",
        TicketUpdated = "ticket.updated",
        TimeEntryCreated = "time_entry.created",
        TimeEntryDeleted = "time_entry.deleted",
        TimeEntryUpdated = "time_entry.updated",
        TimerStarted = "timer.started",
        TimerStopped = "timer.stopped",
        TimerSwitched = "timer.switched",
        TodoCreated = "todo.created",
        TodoDeleted = "todo.deleted",
        TodoListCreated = "todo_list.created",
        TodoListDeleted = "todo_list.deleted",
        TodoListUpdated = "todo_list.updated",
        TodoUpdated = "todo.updated",
        UserAddressProved = "user.address_proved",
        UserPasswordChanged = "user.password_changed",
        UserProfileUpdated = "user.profile_updated",
        UserRegistered = "user.registered",
        WorkflowRunCancelled = "workflow_run.cancelled",
        WorkflowRunPaused = "workflow_run.paused",
        WorkflowRunResumed = "workflow_run.resumed",
        WorkflowRunStarted = "workflow_run.started",
        WorkflowStepApproved = "workflow_step.approved",
        WorkflowStepSkipped = "workflow_step.skipped",
        WorkflowTemplateCreated = "workflow_template.created",
        WorkflowTemplateDeleted = "workflow_template.deleted",
        WorkflowTemplateUpdated = "workflow_template.updated",
    }
}

string_catalogue! {
    /// What one step of a workflow template does (R-WF-1): a task on the assignee's default
    /// list, an email to the run's contact, or an event on the assignee's default calendar.
    StepKind ("step kind") {
        Todo = "todo",
        Email = "email",
        Event = "event",
    }
}

string_catalogue! {
    /// Whether an email step goes out by itself or waits for someone to approve it (seed 004).
    StepApproval ("step approval") {
        Auto = "auto",
        Manual = "manual",
    }
}

string_catalogue! {
    /// What a step's delay counts from: the run's start, or the previous step's due time.
    StepAfter ("step after") {
        Start = "start",
        Previous = "previous",
    }
}

string_catalogue! {
    /// A step's assignee named by the run rather than by person: the run's project owner or
    /// its contact's assigned member, resolved when the run starts.
    RunRole ("run role") {
        ProjectOwner = "project_owner",
        ContactAssignee = "contact_assignee",
    }
}

string_catalogue! {
    /// Where a workflow run stands (R-WF-1): `active` (its steps run when due), `paused` (none
    /// runs until resumed), `cancelled` (its open steps were cancelled), `done` (every step ended).
    RunState ("run state") {
        Active = "active",
        Paused = "paused",
        Cancelled = "cancelled",
        Done = "done",
    }
}

string_catalogue! {
    /// Where one step of a run stands (R-WF-1): `scheduled` (due at its time), `waiting` (an email
    /// waiting for approval), then one of the ends: `done`, `skipped` (an email someone chose not
    /// to send), `failed` (with the reason), `cancelled` (its run was).
    RunStepState ("run step state") {
        Scheduled = "scheduled",
        Waiting = "waiting",
        Done = "done",
        Skipped = "skipped",
        Failed = "failed",
        Cancelled = "cancelled",
    }
}

impl RunStepState {
    /// Whether the step is over (nothing more happens to it).
    pub fn ended(self) -> bool {
        !matches!(self, RunStepState::Scheduled | RunStepState::Waiting)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::fmt;

    fn round_trips<T: Copy + PartialEq + fmt::Debug>(
        all: &[T],
        as_str: fn(T) -> &'static str,
        parse: fn(&str) -> Result<T, UnknownValue>,
    ) {
        let mut seen = HashSet::new();
        for v in all {
            assert!(seen.insert(as_str(*v)), "duplicate string {}", as_str(*v));
            assert_eq!(parse(as_str(*v)), Ok(*v));
        }
        assert!(parse("nope").is_err(), "an unknown string is refused");
        assert!(parse("").is_err(), "an empty string is refused");
    }

    #[test]
    fn every_catalogue_round_trips_and_refuses_unknown_values() {
        round_trips(MembershipStatus::ALL, MembershipStatus::as_str, MembershipStatus::parse);
        round_trips(RoleKind::ALL, RoleKind::as_str, RoleKind::parse);
        round_trips(InvitePolicy::ALL, InvitePolicy::as_str, InvitePolicy::parse);
        round_trips(InvitationStatus::ALL, InvitationStatus::as_str, InvitationStatus::parse);
        round_trips(AuditAction::ALL, AuditAction::as_str, AuditAction::parse);
        round_trips(ContactKind::ALL, ContactKind::as_str, ContactKind::parse);
        round_trips(ContactStage::ALL, ContactStage::as_str, ContactStage::parse);
        round_trips(ProjectStatus::ALL, ProjectStatus::as_str, ProjectStatus::parse);
        round_trips(ContactTab::ALL, ContactTab::as_str, ContactTab::parse);
        round_trips(TicketStatus::ALL, TicketStatus::as_str, TicketStatus::parse);
        round_trips(TicketPriority::ALL, TicketPriority::as_str, TicketPriority::parse);
        round_trips(TicketAuthor::ALL, TicketAuthor::as_str, TicketAuthor::parse);
        round_trips(TimeSource::ALL, TimeSource::as_str, TimeSource::parse);
        round_trips(StepKind::ALL, StepKind::as_str, StepKind::parse);
        round_trips(StepApproval::ALL, StepApproval::as_str, StepApproval::parse);
        round_trips(StepAfter::ALL, StepAfter::as_str, StepAfter::parse);
        round_trips(RunRole::ALL, RunRole::as_str, RunRole::parse);
        round_trips(RunState::ALL, RunState::as_str, RunState::parse);
        round_trips(RunStepState::ALL, RunStepState::as_str, RunStepState::parse);
        assert_eq!(
            MembershipStatus::parse("Active"),
            Err(UnknownValue { catalogue: "membership status", value: "Active".into() }),
            "case matters: the stored strings are lower-case"
        );
    }

    #[test]
    fn every_builtin_role_is_a_role_kind_and_custom_is_not_builtin() {
        for r in crate::BuiltinRole::ALL {
            assert_eq!(RoleKind::from(*r).builtin(), Some(*r));
        }
        assert_eq!(RoleKind::Custom.builtin(), None);
        assert_eq!(RoleKind::ALL.len(), crate::BuiltinRole::ALL.len() + 1);
    }

    #[test]
    fn r_inv_1_expired_is_shown_never_stored() {
        assert_eq!(InvitationStatus::parse_stored("pending"), Ok(InvitationStatus::Pending));
        assert!(InvitationStatus::parse_stored("expired").is_err());
        assert!(!InvitationStatus::STORED.contains(&InvitationStatus::Expired));
    }
}
