//! Roster's use cases. Each public method is one use case: it opens one unit of work, calls
//! [`roster_core::authorize`] once, writes its change and its audit row, and commits.
#![deny(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use roster_store::Store;

mod accounts;
mod actor;
mod auth;
mod demo;
mod error;
mod password;
mod token;
mod views;

pub use accounts::page_limit;
pub use auth::{NewPerson, Principal, SessionKind, SignedIn};
pub use demo::{DemoOutcome, DemoSignIn};
pub use error::ServiceError;
pub use password::Hasher;
pub use token::{hash_token, new_secret};
pub use views::*;

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// Where a request came from, for sessions and the audit log.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
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
#[derive(Clone)]
pub struct Service {
    store: Arc<dyn Store>,
    hasher: Hasher,
    sessions: SessionPolicy,
}

impl Service {
    pub fn new(store: Arc<dyn Store>, hasher: Hasher, sessions: SessionPolicy) -> Self {
        Self { store, hasher, sessions }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn session_policy(&self) -> SessionPolicy {
        self.sessions
    }
}

/// The current time at the store's precision (microseconds), so what a use case returns is
/// what a later read returns.
fn now() -> time::OffsetDateTime {
    let t = time::OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1000 * 1000).unwrap_or(t)
}
