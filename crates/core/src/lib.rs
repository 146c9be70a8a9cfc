//! Roster's pure domain: parsed value types, the permission catalogue, the built-in roles and
//! the policy function. No I/O lives here; every rule is cited by its `R-…` id.
#![deny(clippy::unwrap_used)]

pub mod fields;
pub mod password_policy;
pub mod permission;
pub mod policy;
pub mod role;
pub mod types;
pub mod user_agent;
pub mod zone;

pub use fields::{FieldError, FieldErrors};
pub use password_policy::new_password;
pub use permission::{Permission, PermissionSet};
pub use policy::{Action, Actor, Denied, MembershipFacts, MembershipStatus, authorize};
pub use role::BuiltinRole;
pub use types::{AccountName, Email, Login, NOT_PLAIN_TEXT, Password, PersonName, Slug, is_plain_text};
pub use zone::TimeZoneName;
