//! Sign-in benchmark helper: the time of one argon2id hash with the production parameters
//! (`Hasher::new()`, 19 MiB, 2 passes), so `bench/signin.sh` can compute the sign-in ceiling of
//! this machine (cores / hash time). Hashes sequentially after one warm-up hash and prints the
//! figures; asserts nothing.
//!
//! The server runs on mimalloc, which keeps the 19 MiB of a hash mapped from one hash to the next.
//! The system allocator this binary would use hands them back to the kernel and page-faults them
//! in again on every hash, which on a VM can cost as much as the hash itself. So the figure used
//! (`HASH_MS`) is taken with the memory kept between hashes (`KeepLarge` below), as in the
//! server; the cold figure is printed for reference.
//!
//! `hash-bench [ROUNDS]` (default 20). Prints `HASH_MS <median> <min> <max> <cold median>` last.
#![allow(clippy::unwrap_used)]
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use roster_core::Password;
use roster_service::Hasher;

/// Keeps one freed block of at least `LARGE` bytes and hands it out again for the same layout.
struct KeepLarge;

const LARGE: usize = 1 << 20;
static KEEP: AtomicBool = AtomicBool::new(false);
static KEPT: Mutex<Option<(usize, Layout)>> = Mutex::new(None);

impl KeepLarge {
    fn take(layout: Layout) -> Option<*mut u8> {
        if layout.size() < LARGE || !KEEP.load(Ordering::Relaxed) {
            return None;
        }
        let mut kept = KEPT.lock().ok()?;
        match *kept {
            Some((ptr, l)) if l == layout => {
                *kept = None;
                Some(ptr as *mut u8)
            }
            _ => None,
        }
    }
}

unsafe impl GlobalAlloc for KeepLarge {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match Self::take(layout) {
            Some(ptr) => ptr,
            None => unsafe { System.alloc(layout) },
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match Self::take(layout) {
            Some(ptr) => {
                unsafe { ptr.write_bytes(0, layout.size()) };
                ptr
            }
            None => unsafe { System.alloc_zeroed(layout) },
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.size() >= LARGE
            && KEEP.load(Ordering::Relaxed)
            && let Ok(mut kept) = KEPT.lock()
            && kept.is_none()
        {
            *kept = Some((ptr as usize, layout));
            return;
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: KeepLarge = KeepLarge;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median, min and max of `rounds` sequential hashes, after one warm-up hash.
async fn measure(hasher: &Hasher, password: &Password, rounds: usize) -> (f64, f64, f64) {
    hasher.hash(password).await.unwrap();
    let mut times: Vec<Duration> = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        hasher.hash(password).await.unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    let median =
        if rounds % 2 == 1 { ms(times[rounds / 2]) } else { (ms(times[rounds / 2 - 1]) + ms(times[rounds / 2])) / 2.0 };
    (median, ms(times[0]), ms(times[rounds - 1]))
}

#[tokio::main]
async fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(20).max(1);
    let hasher = Hasher::new().unwrap();
    let password = Password::parse("correct horse battery").unwrap();

    let (cold, cold_min, cold_max) = measure(&hasher, &password, rounds).await;
    println!(
        "argon2id (production parameters), {rounds} sequential hashes, memory faulted in each time: median {cold:.2} ms, min {cold_min:.2}, max {cold_max:.2}"
    );
    KEEP.store(true, Ordering::Relaxed);
    let (median, min, max) = measure(&hasher, &password, rounds).await;
    println!(
        "argon2id (production parameters), {rounds} sequential hashes, memory kept as in the server: median {median:.2} ms, min {min:.2}, max {max:.2}"
    );
    println!("HASH_MS {median:.3} {min:.3} {max:.3} {cold:.3}");
}
