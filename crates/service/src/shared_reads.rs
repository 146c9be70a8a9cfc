//! Reads shared by requests that ask at the same time (decision 0111).
//!
//! A lane is one kind of read (the live sessions behind some tokens; one team page). While a
//! lane's read runs, the requests that ask on the lane wait in its queue; when it ends, the first
//! of them reads for itself and for the others queued (at most `max_batch` asks), in one
//! statement. So every answer comes from a read that **began after its request asked**: what a
//! request sees is exactly what it would have seen reading alone a moment later, never a copy
//! kept from before (a revoked session is refused by the very next request, as without sharing).
//! Nothing is kept once a read has answered.
//!
//! Cancellation (a client that hangs up drops its request's future) never strands a queue: a
//! leader dropped mid-read hands its followers and the queue to the next waiter
//! ([`Lead`]'s `Drop`), and a waiter dropped after it was named leader passes the turn on
//! ([`Waiting`]'s `Drop`). A shared read that fails sends every follower to read alone, so each
//! gets its own typed error.
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use tokio::sync::oneshot;

use crate::{Result, ServiceError};

/// Lanes of shared reads, keyed by `K`; each ask is an `A`, each answer a `V`.
pub(crate) struct SharedReads<K, A, V> {
    /// A lane is here while its read runs: the asks queued for the next read.
    lanes: Mutex<HashMap<K, Vec<Waiter<A, V>>>>,
    /// The most asks one read answers.
    max_batch: usize,
    /// Asks made, and reads made for them (`/metrics`).
    asks: AtomicU64,
    reads: AtomicU64,
}

/// How many asks a lane kind answered, and with how many reads (`/metrics`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SharedReadCounts {
    pub asks: u64,
    pub reads: u64,
}

struct Waiter<A, V> {
    ask: A,
    turn: oneshot::Sender<Turn<A, V>>,
}

enum Turn<A, V> {
    /// The answer of the read made for this ask.
    Answer(V),
    /// Read now, for yourself and these (they all asked before the last read ended).
    Lead(Vec<Waiter<A, V>>),
    /// The shared read failed: read alone.
    Alone,
}

impl<K, A, V> SharedReads<K, A, V>
where
    K: Hash + Eq + Clone,
    A: Clone,
{
    pub(crate) fn new(max_batch: usize) -> Self {
        Self {
            lanes: Mutex::new(HashMap::new()),
            max_batch: max_batch.max(1),
            asks: AtomicU64::new(0),
            reads: AtomicU64::new(0),
        }
    }

    pub(crate) fn counts(&self) -> SharedReadCounts {
        SharedReadCounts { asks: self.asks.load(Ordering::Relaxed), reads: self.reads.load(Ordering::Relaxed) }
    }

    fn lanes(&self) -> MutexGuard<'_, HashMap<K, Vec<Waiter<A, V>>>> {
        // A panic while the lock was held left the map consistent (no code in the lock panics).
        self.lanes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The answer to `ask` on lane `key`, from `read`, which answers a batch of asks with one
    /// answer each, in their order. `read` begins after `ask` was made, and may answer others too.
    pub(crate) async fn read<F, Fut>(&self, key: &K, ask: A, read: F) -> Result<V>
    where
        F: Fn(Vec<A>) -> Fut,
        Fut: Future<Output = Result<Vec<V>>>,
    {
        self.asks.fetch_add(1, Ordering::Relaxed);
        let queued = {
            let mut lanes = self.lanes();
            match lanes.get_mut(key) {
                None => {
                    lanes.insert(key.clone(), Vec::new());
                    None
                }
                Some(queue) => {
                    let (turn, rx) = oneshot::channel();
                    queue.push(Waiter { ask: ask.clone(), turn });
                    Some(rx)
                }
            }
        };
        let followers = match queued {
            None => Vec::new(),
            Some(rx) => {
                let mut waiting = Waiting { reads: self, key, rx: Some(rx) };
                match waiting.turn().await {
                    Some(Turn::Answer(v)) => return Ok(v),
                    Some(Turn::Lead(group)) => group,
                    Some(Turn::Alone) | None => {
                        self.reads.fetch_add(1, Ordering::Relaxed);
                        return one(read(vec![ask]).await);
                    }
                }
            }
        };
        let mut lead = Lead { reads: self, key, followers };
        let mut asks = Vec::with_capacity(1 + lead.followers.len());
        asks.push(ask);
        asks.extend(lead.followers.iter().map(|w| w.ask.clone()));
        let n = asks.len();
        self.reads.fetch_add(1, Ordering::Relaxed);
        let answers = read(asks).await;
        let followers = std::mem::take(&mut lead.followers);
        match answers {
            Ok(answers) if answers.len() == n => {
                let mut answers = answers.into_iter();
                let mine = answers.next();
                for (w, v) in followers.into_iter().zip(answers) {
                    let _ = w.turn.send(Turn::Answer(v));
                }
                mine.ok_or_else(|| ServiceError::Internal("a shared read gave no answer".into()))
            }
            other => {
                for w in followers {
                    let _ = w.turn.send(Turn::Alone);
                }
                match other {
                    Err(e) => Err(e),
                    Ok(_) => Err(ServiceError::Internal("a shared read gave a wrong number of answers".into())),
                }
            }
        }
    }

    /// The lane's read has ended: names the next leader among `first` and the queue, or closes the
    /// lane when nobody waits.
    fn hand_off(&self, key: &K, mut first: Vec<Waiter<A, V>>) {
        let mut lanes = self.lanes();
        let mut queue = lanes.remove(key).unwrap_or_default();
        if !first.is_empty() {
            first.append(&mut queue);
            queue = first;
        }
        let mut queue = queue.into_iter();
        while let Some(next) = queue.next() {
            let group: Vec<_> = queue.by_ref().take(self.max_batch - 1).collect();
            match next.turn.send(Turn::Lead(group)) {
                Ok(()) => {
                    lanes.insert(key.clone(), queue.collect());
                    return;
                }
                // That request is gone: the next in line leads the same group.
                Err(Turn::Lead(group)) => queue = group.into_iter().chain(queue).collect::<Vec<_>>().into_iter(),
                Err(_) => {}
            }
        }
    }
}

/// The single answer of a read made alone.
fn one<V>(answers: Result<Vec<V>>) -> Result<V> {
    answers?.into_iter().next().ok_or_else(|| ServiceError::Internal("a read gave no answer".into()))
}

/// The leader of a lane's read: when it ends (or the request is dropped), the lane passes on.
struct Lead<'a, K, A, V>
where
    K: Hash + Eq + Clone,
    A: Clone,
{
    reads: &'a SharedReads<K, A, V>,
    key: &'a K,
    /// Asks this read answers; still here only if the read never finished.
    followers: Vec<Waiter<A, V>>,
}

impl<K, A, V> Drop for Lead<'_, K, A, V>
where
    K: Hash + Eq + Clone,
    A: Clone,
{
    fn drop(&mut self) {
        self.reads.hand_off(self.key, std::mem::take(&mut self.followers));
    }
}

/// A request queued on a lane.
struct Waiting<'a, K, A, V>
where
    K: Hash + Eq + Clone,
    A: Clone,
{
    reads: &'a SharedReads<K, A, V>,
    key: &'a K,
    rx: Option<oneshot::Receiver<Turn<A, V>>>,
}

impl<K, A, V> Waiting<'_, K, A, V>
where
    K: Hash + Eq + Clone,
    A: Clone,
{
    async fn turn(&mut self) -> Option<Turn<A, V>> {
        let rx = self.rx.as_mut()?;
        let turn = rx.await.ok();
        self.rx = None;
        turn
    }
}

impl<K, A, V> Drop for Waiting<'_, K, A, V>
where
    K: Hash + Eq + Clone,
    A: Clone,
{
    fn drop(&mut self) {
        // Dropped while queued: nothing more can be sent; a turn to lead already sent is passed on.
        if let Some(mut rx) = self.rx.take() {
            rx.close();
            if let Ok(Turn::Lead(group)) = rx.try_recv() {
                self.reads.hand_off(self.key, group);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    use std::time::Duration;

    type Reads = SharedReads<u8, u64, (u64, u64)>;

    /// Answers each ask `(ask, when the read began)` after `pause`.
    async fn timed_read(
        clock: &AtomicU64,
        reads: &AtomicUsize,
        asks: Vec<u64>,
        pause: Duration,
    ) -> Result<Vec<(u64, u64)>> {
        reads.fetch_add(1, Ordering::SeqCst);
        let began = clock.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(pause).await;
        Ok(asks.into_iter().map(|a| (a, began)).collect())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn every_answer_comes_from_a_read_begun_after_its_ask() {
        let shared = Arc::new(Reads::new(8));
        let clock = Arc::new(AtomicU64::new(0));
        let reads = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for i in 0..400u64 {
            let (shared, clock, reads) = (shared.clone(), clock.clone(), reads.clone());
            tasks.push(tokio::spawn(async move {
                tokio::time::sleep(Duration::from_micros(i * 37 % 3000)).await;
                let asked = clock.fetch_add(1, Ordering::SeqCst);
                let lane = u8::from(i % 2 == 0);
                let (a, began) = shared
                    .read(&lane, i, |asks| timed_read(&clock, &reads, asks, Duration::from_millis(1)))
                    .await
                    .expect("read");
                assert_eq!(a, i, "each ask gets its own answer");
                assert!(began > asked, "ask {i} at {asked} was answered by a read begun at {began}");
            }));
        }
        for t in tasks {
            t.await.expect("task");
        }
        let n = reads.load(Ordering::SeqCst);
        assert!(n < 400, "asks made together shared reads ({n} reads for 400 asks)");
        assert!(shared.lanes().is_empty(), "every lane closed");
    }

    #[tokio::test]
    async fn a_batch_holds_at_most_max_batch_asks() {
        let shared = Arc::new(Reads::new(3));
        let sizes = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for i in 0..10u64 {
            let (shared, sizes) = (shared.clone(), sizes.clone());
            tasks.push(tokio::spawn(async move {
                shared
                    .read(&0, i, |asks| {
                        let sizes = sizes.clone();
                        async move {
                            sizes.lock().expect("sizes").push(asks.len());
                            tokio::time::sleep(Duration::from_millis(5)).await;
                            Ok(asks.into_iter().map(|a| (a, 0)).collect())
                        }
                    })
                    .await
            }));
        }
        for (i, t) in tasks.into_iter().enumerate() {
            assert_eq!(t.await.expect("task").expect("read").0, i as u64);
        }
        let sizes = sizes.lock().expect("sizes").clone();
        assert!(sizes.iter().all(|&n| n <= 3), "{sizes:?}");
        assert_eq!(sizes.iter().sum::<usize>(), 10, "every ask read once: {sizes:?}");
    }

    #[tokio::test]
    async fn a_failed_shared_read_sends_each_follower_to_read_alone() {
        let shared = Arc::new(Reads::new(8));
        // Fails whenever it answers more than one ask.
        let read = |asks: Vec<u64>| async move {
            tokio::time::sleep(Duration::from_millis(5)).await;
            if asks.len() > 1 {
                return Err(ServiceError::Unavailable("down".into()));
            }
            Ok(asks.into_iter().map(|a| (a, 1)).collect())
        };
        let first = tokio::spawn({
            let shared = shared.clone();
            async move { shared.read(&0, 0, read).await }
        });
        tokio::time::sleep(Duration::from_millis(1)).await;
        let mut rest = Vec::new();
        for i in 1..4u64 {
            let shared = shared.clone();
            rest.push(tokio::spawn(async move { shared.read(&0, i, read).await }));
            tokio::task::yield_now().await;
        }
        assert_eq!(first.await.expect("task").expect("alone").0, 0);
        let got: Vec<_> = futures_results(rest).await;
        // Ask 1 led the shared read of 1, 2 and 3 and gets its error; 2 and 3 then read alone.
        assert!(matches!(got[0], Err(ServiceError::Unavailable(_))), "{got:?}");
        assert_eq!(got[1].as_ref().expect("read alone").0, 2);
        assert_eq!(got[2].as_ref().expect("read alone").0, 3);
        assert!(shared.lanes().is_empty());
    }

    async fn futures_results(tasks: Vec<tokio::task::JoinHandle<Result<(u64, u64)>>>) -> Vec<Result<(u64, u64)>> {
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.expect("task"));
        }
        out
    }

    #[tokio::test]
    async fn a_leader_dropped_mid_read_strands_no_one() {
        let shared = Arc::new(Reads::new(8));
        let slow = |asks: Vec<u64>| async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(asks.into_iter().map(|a| (a, 2)).collect())
        };
        let leader = tokio::spawn({
            let shared = shared.clone();
            async move { shared.read(&0, 0, slow).await }
        });
        tokio::time::sleep(Duration::from_millis(2)).await;
        let mut waiters = Vec::new();
        for i in 1..5u64 {
            let shared = shared.clone();
            waiters.push(tokio::spawn(async move { shared.read(&0, i, slow).await }));
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
        leader.abort();
        // The first waiter is named leader; drop it too before it can read.
        waiters.remove(0).abort();
        for (i, t) in waiters.into_iter().enumerate() {
            let got = tokio::time::timeout(Duration::from_secs(5), t).await.expect("not stranded").expect("task");
            assert_eq!(got.expect("read").0, i as u64 + 2);
        }
        assert!(shared.lanes().is_empty());
    }
}
