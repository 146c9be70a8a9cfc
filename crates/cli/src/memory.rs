//! Memory freed under load goes back to the system while the server is quiet (decision 0106).
//! mimalloc returns freed segments to the system only when an allocation or a free later passes
//! through its arenas: after a burst of sign-ins (argon2id: 19 MiB a hash, one hash per core at
//! a time) an idle server kept those megabytes for good. A forced collection every few seconds
//! hands them back; it costs microseconds when there is nothing to return.
use std::time::Duration;

/// How often freed memory is handed back.
const EVERY: Duration = Duration::from_secs(5);
/// The first time: just after start-up, whose passing allocations (the router, the OpenAPI
/// document before it is written out) are then handed back (start-up takes ~50 ms).
const FIRST: Duration = Duration::from_millis(300);

/// Runs until the task is aborted.
pub async fn give_back_freed() {
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + FIRST, EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        // SAFETY: mi_collect takes no pointers; it walks mimalloc's own structures, which
        // mimalloc synchronises, and is documented as callable from any thread at any time.
        unsafe { libmimalloc_sys::mi_collect(true) };
    }
}
