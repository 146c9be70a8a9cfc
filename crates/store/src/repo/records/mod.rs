//! The work records' repository traits, one file per kind (decision 0077). Every query that
//! reads or changes records takes a [`roster_core::Scope`] (decision 0045) and names no account
//! otherwise: the account and the reach come from the scope, turned into the `WHERE` clause by
//! `sql/records/mod.rs`'s `scope_args`.
mod calendars;
mod contacts;
mod membership;
mod projects;
mod reminders;
mod seed;
mod tags;
mod tickets;
mod time;
mod todos;
mod workflows;

pub use calendars::*;
pub use contacts::*;
pub use membership::*;
pub use projects::*;
pub use reminders::*;
pub use seed::*;
pub use tags::*;
pub use tickets::*;
pub use time::*;
pub use todos::*;
pub use workflows::*;
