//! Roster's pure domain: parsed value types, the permission catalogue, the built-in roles and
//! the policy function. No I/O lives here; every rule is cited by its `R-…` id.
#![deny(clippy::unwrap_used)]

pub mod catalogue;
pub mod fields;
pub mod password_policy;
pub mod permission;
pub mod policy;
pub mod problem;
pub mod role;
pub mod scope;
pub mod types;
pub mod user_agent;
pub mod zone;

pub use catalogue::MembershipStatus;
pub use catalogue::{
    AuditAction, ContactKind, ContactStage, ContactTab, InvitationStatus, InvitePolicy, JobKind, JobState,
    ProjectStatus, RoleKind, RunRole, RunState, RunStepState, StepAfter, StepApproval, StepKind, TicketAuthor,
    TicketPriority, TicketStatus, TimeSource, UnknownValue,
};
pub use fields::{FieldError, FieldErrors};
pub use password_policy::new_password;
pub use permission::{Permission, PermissionSet};
pub use policy::{Action, Actor, Denied, MembershipFacts, authorize};
pub use problem::{ProblemCode, ProblemLevel};
pub use role::BuiltinRole;
pub use scope::{InternalUse, Reach, RunScope, Scope, ScopeRule, TimeUse, scope, time_scope};
pub use types::{AccountName, Email, Login, NOT_PLAIN_TEXT, Password, PersonName, Slug, is_plain_text};
pub use zone::TimeZoneName;
