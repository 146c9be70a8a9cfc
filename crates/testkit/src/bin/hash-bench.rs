//! Sign-in benchmark helper: the time of one argon2id hash with the production parameters
//! (`Hasher::new()`), so `bench/signin.sh` can compute the sign-in ceiling of this machine
//! (cores / hash time). Hashes sequentially after one warm-up hash and prints the figures;
//! asserts nothing.
//!
//! `hash-bench [ROUNDS]` (default 20). Prints `HASH_MS <median> <min> <max>` as its last line.
#![allow(clippy::unwrap_used)]
use std::time::{Duration, Instant};

use roster_core::Password;
use roster_service::Hasher;

#[tokio::main]
async fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(20).max(1);
    let hasher = Hasher::new().unwrap();
    let password = Password::parse("correct horse battery").unwrap();

    // Warm up: the first hash pays for the spawn_blocking thread and the first 19 MiB allocation.
    hasher.hash(&password).await.unwrap();
    let mut times: Vec<Duration> = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        hasher.hash(&password).await.unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median =
        if rounds % 2 == 1 { ms(times[rounds / 2]) } else { (ms(times[rounds / 2 - 1]) + ms(times[rounds / 2])) / 2.0 };
    println!(
        "argon2id (production parameters), {rounds} sequential hashes: median {median:.2} ms, min {:.2} ms, max {:.2} ms",
        ms(times[0]),
        ms(times[rounds - 1])
    );
    println!("HASH_MS {median:.3} {:.3} {:.3}", ms(times[0]), ms(times[rounds - 1]));
}
