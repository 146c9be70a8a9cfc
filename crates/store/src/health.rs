//! What `/readyz` reports beyond "a query answers" (issue 18, decision 0103): whether the
//! database file can be written. A disk that is full, or that answers I/O errors, leaves reads
//! working; the first write it refuses marks storage as failing here, a committed write clears
//! the mark, and a replica that no longer receives writes (its `/readyz` says 503) probes with
//! one of its own once the mark is older than [`FRESH`].
use std::sync::atomic::{AtomicI64, Ordering};

/// How long a refused write alone decides readiness, before a probe write is tried.
pub const FRESH: i64 = 30;

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// One store's storage as last seen.
#[derive(Debug, Default)]
pub(crate) struct StorageHealth {
    /// Unix seconds of the last refused write; 0 when none since the last committed one.
    failed_at: AtomicI64,
}

impl StorageHealth {
    /// A write was refused for lack of storage (disk full, I/O error).
    pub(crate) fn failed(&self) {
        self.failed_at.store(now().max(1), Ordering::Release);
    }

    /// A write committed: storage works.
    pub(crate) fn ok(&self) {
        if self.failed_at.load(Ordering::Acquire) != 0 {
            self.failed_at.store(0, Ordering::Release);
        }
    }

    /// `None` when fine, `Some(true)` when a write was refused within [`FRESH`] seconds,
    /// `Some(false)` when longer ago (time to probe).
    pub(crate) fn failing(&self) -> Option<bool> {
        match self.failed_at.load(Ordering::Acquire) {
            0 => None,
            at => Some(now() - at < FRESH),
        }
    }
}

/// Why a store is not ready (`/readyz`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// The database does not answer (within the acquire timeout).
    Unreachable(String),
    /// It answers, but migrations are missing.
    NotMigrated,
    /// It answers reads but cannot write (disk full, I/O error).
    Storage(String),
}
