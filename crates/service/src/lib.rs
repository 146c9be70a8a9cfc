//! Roster's use cases. Each public method is one use case: it opens one unit of work, calls
//! [`roster_core::authorize`] once, writes its change and its audit row, and commits.
#![deny(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use roster_store::Store;

mod accounts;
mod actor;
mod audit;
mod error;
mod impersonation;
mod invitations;
pub mod jobs;
pub mod mail;
mod me;
mod operator;
mod permission_ids;
mod records;
mod rights;
mod shared_reads;
mod signin;
mod team;
mod views;

pub use accounts::demo::{DemoOutcome, DemoSignIn};
pub use accounts::demo_fill::DEMO_BATCH;
pub use accounts::demo_work::DemoRecords;
pub use accounts::page_limit;
pub use accounts::settings::AccountPatch;
pub use actor::{Identity, Internal};
pub use audit::{AuditEventView, AuditPage, AuditQuery};
pub use error::ServiceError;
pub use impersonation::{
    IMPERSONATION_LIFETIME, Impersonation, ImpersonationRights, REASON_MAX_CHARS, refuse_while_impersonating,
};
pub use invitations::{
    Acceptance, Accepted, BULK_MAX_ROWS, BulkInvitee, BulkOutcome, BulkRowResult, INVITATION_SECRET_PREFIX,
    InvitationLink, InvitationPage, InvitationView, NewInvitation, parse_invitation_list,
};
pub use jobs::{JobOverview, JobPass, JobView, RunnerOptions};
pub use mail::delivery;
pub use mail::delivery::{DeliveryOptions, DeliveryWorker};
pub use mail::{Mail, MailConfig, MailPolicy, Sender};
pub use me::profile::SessionView;
pub use me::tokens::{ApiTokenView, NewApiToken};
pub use operator::LoginPage;
pub use permission_ids::PermissionIds;
pub use records::calendars::{
    CalendarList, CalendarPatch, CalendarView, CompareColumn, CompareWeek, EventInput, EventList, EventListParams,
    EventView, NewCalendar,
};
pub use records::contacts;
pub use records::projects::edit::{NewProject, ProjectPatch};
pub use records::projects::list::{PROJECT_COUNT_CAP, ProjectListParams};
pub use records::projects::tags::NewTag;
pub use records::projects::view::{ProjectPage, ProjectView, TagView};
pub use records::reminders::{REMINDER_HOUR, ReminderRun};
pub use records::tickets::edit::{NewTicket, TicketPatch};
pub use records::tickets::list::{TICKET_COUNT_CAP, TicketListParams};
pub use records::tickets::messages::{NO_CONTACT, NO_CONTACT_EMAIL, NewTicketMessage};
pub use records::tickets::view::{TicketMessagePage, TicketMessageView, TicketPage, TicketReplyView, TicketView};
pub use records::time::entries::{NewTimeEntry, TimeEntryParams, TimeEntryPatch};
pub use records::time::report::{GROUPS as TIME_GROUPS, REPORT_MAX_DAYS, TimeReportParams, hours, report_csv};
pub use records::time::timer::StartTimer;
pub use records::time::view::{
    CurrentTimer, TimeEntryPage, TimeEntryView, TimeReport, TimeReportRow, TimeWeekTotal, TimerStarted,
};
pub use records::time::{NOTE_MAX as TIME_NOTE_MAX, week_of};
pub use records::todos::lists::{NewTodoList, TodoListParams, TodoListPatch};
pub use records::todos::tasks::{NewTodo, TodoParams, TodoPatch};
pub use records::todos::view::{TodoListPage, TodoListView, TodoPage, TodoView};
pub use records::workflows::approvals::{APPROVAL_COUNT_CAP, ApprovalParams, ApproveStep, Decision};
pub use records::workflows::runs::{NewWorkflowRun, RunChange, WorkflowRunParams};
pub use records::workflows::steps::{MAX_STEPS, StepInput};
pub use records::workflows::templates::{NewWorkflowTemplate, WorkflowTemplateParams, WorkflowTemplatePatch};
pub use records::workflows::view::{
    ApprovalPage, RunStepView, StepSpec, WorkflowRunPage, WorkflowRunView, WorkflowTemplatePage, WorkflowTemplateView,
};
pub use shared_reads::SharedReadCounts;
pub use signin::known_device::LIFETIME_SECS as KNOWN_DEVICE_LIFETIME_SECS;
pub use signin::password::Hasher;
pub use signin::register::{
    CONFIRM_ADDRESS_HAS_LOGIN, CONFIRM_LINK_GONE, CONFIRM_LINK_LIFETIME, CONFIRM_WRONG_PASSWORD,
    REGISTRATION_MAILS_PER_HOUR, Registered,
};
pub use signin::secret;
pub use signin::signup::{SignedUp, SignupTarget};
pub use signin::throttle::{ThrottleLimit, ThrottlePolicy, retry_after_secs, too_many_attempts};
pub use signin::token::{hash_token, new_secret};
pub use signin::{NewPerson, Prefetch, Principal, SessionKind, SignedIn};
pub use team::add::{AddOutcome, AddedMember, InvitationSent, NO_SIGN_IN_WARNING, NewMember, WELCOME_LINK_LIFETIME};
pub use team::delete::DeletedMember;
pub use team::edit::{LANDING_PAGES, MemberPatch, PreferencesPatch};
pub use team::import::{ImportOptions, ImportReport, ImportRowError};
pub use team::lifecycle::Lifecycle;
pub use team::list::{
    CSV_COLUMNS, EXPORT_CHUNK, MEMBER_COUNT_CAP, MemberExport, MemberListParams, MemberTotal, csv_header, csv_rows,
    neutralise,
};
pub use team::page_cache::KeptPage;
pub use team::password::LoginAdmin;
pub use team::roles::{NewRole, RoleList, RolePatch, RoleView};
pub use views::*;

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// Where a request came from, for sessions and the audit log.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The browser's "known device" cookie, as sent (R-AUTH-7, `known_device.rs`).
    pub known_device: Option<String>,
}

/// Session lifetimes (PRODUCT.md §10).
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// Console sessions slide: each use pushes the idle deadline this far.
    pub console_idle: Duration,
    pub console_absolute: Duration,
    /// Bearer tokens from `POST /auth/token` live this long, no sliding.
    pub api_lifetime: Duration,
    /// The one-time operator setup link lives this long.
    pub setup_link: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            console_idle: Duration::from_secs(12 * 3600),
            console_absolute: Duration::from_secs(30 * 24 * 3600),
            api_lifetime: Duration::from_secs(24 * 3600),
            setup_link: Duration::from_secs(24 * 3600),
        }
    }
}

/// The use cases, over one store. Cheap to clone.
/// How much memory team pages may keep by default (`ROSTER_PAGE_CACHE_MIB`, decision 0110).
pub const DEFAULT_PAGE_CACHE_BYTES: usize = 8 << 20;

#[derive(Clone)]
pub struct Service {
    store: Arc<dyn Store>,
    hasher: Hasher,
    sessions: SessionPolicy,
    mail: mail::SharedMail,
    /// Failed sign-in throttling (R-AUTH-7); see [`Service::with_throttle`].
    throttle: ThrottlePolicy,
    /// `ROSTER_OPEN_REGISTRATION`: anyone may register and get an account (R-AUTH-3).
    open_registration: bool,
    /// Team pages kept with the version they were read at (decision 0110).
    pages: Arc<team::page_cache::PageCache>,
    /// Reads shared by requests asking at the same time (PostgreSQL; decision 0111).
    shared: Option<Arc<SharedLanes>>,
}

/// The lanes of reads that requests asking at the same time share ([`Service::with_shared_reads`]).
struct SharedLanes {
    sessions: signin::shared_lookup::SharedLookups,
    api_tokens: me::tokens::SharedTokenLookups,
    pages: team::list::SharedPages,
}

impl Service {
    /// A service with local mail settings ([`MailConfig::local`]); see [`Service::with_mail`].
    pub fn new(store: Arc<dyn Store>, hasher: Hasher, sessions: SessionPolicy) -> Self {
        let config = MailConfig {
            public_url: "http://localhost:8080".to_owned(),
            from: "Roster <roster@localhost>".to_owned(),
            smtp: None,
            key: secret::SecretKey::from_bytes(rand_key()),
            policy: mail::MailPolicy::default(),
        };
        Self {
            store,
            hasher,
            sessions,
            mail: Arc::new(mail::MailState { config, wakeup: Default::default() }),
            throttle: ThrottlePolicy::default(),
            open_registration: false,
            pages: Arc::new(team::page_cache::PageCache::new(DEFAULT_PAGE_CACHE_BYTES)),
            shared: None,
        }
        .with_shared_reads(true)
    }

    /// The same service with shared reads on or off (on by default; only on PostgreSQL, where a
    /// read is a round trip, do they take effect): the session lookups, and the reads of one team
    /// page, of requests that ask while the same read runs are made once for all of them by a
    /// statement begun after they asked (decision 0111, `shared_reads.rs`).
    pub fn with_shared_reads(mut self, on: bool) -> Self {
        self.shared = (on && self.store.backend() == roster_store::Backend::Postgres).then(|| {
            Arc::new(SharedLanes {
                sessions: signin::shared_lookup::shared_lookups(),
                api_tokens: me::tokens::shared_token_lookups(),
                pages: team::list::shared_pages(),
            })
        });
        self
    }

    /// Whether requests asking at the same time share reads ([`Service::with_shared_reads`]).
    pub fn shares_reads(&self) -> bool {
        self.shared.is_some()
    }

    /// Asks and reads so far of the shared session lookups, personal API token lookups and team
    /// page reads, in that order
    /// (`/metrics`); `None` when reads are not shared.
    pub fn shared_read_counts(&self) -> Option<[(&'static str, SharedReadCounts); 3]> {
        self.shared.as_ref().map(|s| {
            [("session", s.sessions.counts()), ("api_token", s.api_tokens.counts()), ("team_page", s.pages.counts())]
        })
    }

    /// The same service keeping at most about `bytes` of team pages (0: none); see
    /// [`DEFAULT_PAGE_CACHE_BYTES`].
    pub fn with_page_cache(mut self, bytes: usize) -> Self {
        self.pages = Arc::new(team::page_cache::PageCache::new(bytes));
        self
    }

    /// The same service with open registration on or off (off by default).
    pub fn with_open_registration(mut self, open: bool) -> Self {
        self.open_registration = open;
        self
    }

    pub fn open_registration(&self) -> bool {
        self.open_registration
    }

    /// The same service with the installation's mail settings.
    pub fn with_mail(mut self, config: MailConfig) -> Self {
        self.mail = Arc::new(mail::MailState { config, wakeup: Default::default() });
        self
    }

    /// `/readyz`: the database answers a trivial query. The store itself stays private to the
    /// service, so every read and write goes through a use case that authorizes it.
    pub async fn ready(&self) -> bool {
        self.store.ready().await
    }

    /// `/readyz` with the reason when not ready.
    pub async fn readiness(&self) -> roster_store::Readiness {
        self.store.readiness().await
    }

    /// `/metrics`: the connection pool's gauges.
    pub fn pool_stats(&self) -> roster_store::PoolStats {
        self.store.pool_stats()
    }

    pub fn session_policy(&self) -> SessionPolicy {
        self.sessions
    }
}

/// A random key, or (only if the system has no randomness) zeros, which seal nothing that
/// matters: a service made by [`Service::new`] is for tests until [`Service::with_mail`].
fn rand_key() -> [u8; 32] {
    let mut k = [0u8; 32];
    if getrandom::fill(&mut k).is_err() {
        tracing::warn!("no randomness for the default secret key");
    }
    k
}

/// The current time at the store's precision (microseconds), so what a use case returns is
/// what a later read returns.
fn now() -> time::OffsetDateTime {
    let t = time::OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1000 * 1000).unwrap_or(t)
}
