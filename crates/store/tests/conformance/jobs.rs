//! The job runner's table (R-WF-1 "never runs a step twice", decision 0096): claims with a
//! lease, exactly-once completion in the unit of work of the effect, crashed runners, stolen
//! leases, backoff and the failed state, dedupe keys. The "effect" of a test job is a new job
//! due in 2100 with a fresh key (never claimed here, never deduplicated): counting them counts
//! how many times a job's effect committed.
use roster_core::{JobKind, JobState};
use roster_store::JobRow;

use super::*;

fn job(key: &str, due: OffsetDateTime) -> JobRow {
    JobRow::new(None, JobKind::RemindersSweep, "{}".to_owned(), key.to_owned(), due, due)
}

async fn enqueue(store: &Arc<dyn Store>, j: &JobRow) -> bool {
    let mut tx = store.begin().await.unwrap();
    let added = tx.enqueue_job(j).await.unwrap();
    tx.commit().await.unwrap();
    added
}

async fn claim(store: &Arc<dyn Store>, runner: Uuid, at: OffsetDateTime, lease: Duration, n: i64) -> Vec<JobRow> {
    let mut tx = store.begin().await.unwrap();
    let rows = tx.claim_jobs(runner, at, at + lease, n).await.unwrap();
    tx.commit().await.unwrap();
    rows
}

fn far_future() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(4_102_444_800).unwrap()
}

/// Runs `j`'s effect and its done mark in one unit of work, as the runner does: the mark
/// first (it takes the row), then the effect; true when both committed.
async fn run_once(store: &Arc<dyn Store>, runner: Uuid, j: &JobRow, at: OffsetDateTime) -> bool {
    let mut tx = store.begin().await.unwrap();
    if !tx.complete_job(j.id, runner, j.lease_until.unwrap(), at).await.unwrap() {
        return false;
    }
    assert!(tx.enqueue_job(&job(&format!("effect-{}", unique()), far_future())).await.unwrap());
    tx.commit().await.unwrap();
    true
}

/// The effect rows: jobs due in 2100.
async fn effects(store: &Arc<dyn Store>) -> i64 {
    counts(store).await.get(&JobState::Due).copied().unwrap_or(0)
}

async fn counts(store: &Arc<dyn Store>) -> std::collections::HashMap<JobState, i64> {
    store.read().await.unwrap().job_counts().await.unwrap().into_iter().collect()
}

#[tokio::test]
async fn r_wf_1_every_due_job_runs_exactly_once_with_two_runners() {
    for_each_backend(|db| async move {
        let due = now();
        let mut tx = db.store.begin().await.unwrap();
        for i in 0..1000 {
            assert!(tx.enqueue_job(&job(&format!("job-{i}"), due)).await.unwrap());
        }
        tx.commit().await.unwrap();
        // Two runners, each with its own store (pool, connections), racing over the same rows.
        let replicas = [db.store.clone(), db.open_again().await];
        let mut runners = Vec::new();
        for store in replicas {
            runners.push(tokio::spawn(async move {
                let me = Uuid::now_v7();
                let mut done = Vec::new();
                loop {
                    let t = now();
                    let batch = claim(&store, me, t, Duration::minutes(5), 25).await;
                    if batch.is_empty() {
                        break;
                    }
                    for j in &batch {
                        assert_eq!(j.claimed_by, Some(me));
                        assert_eq!(j.state, JobState::Running);
                        assert!(run_once(&store, me, j, now()).await, "a fresh lease completes");
                        done.push(j.id);
                    }
                }
                done
            }));
        }
        let mut all = Vec::new();
        for r in runners {
            all.extend(r.await.unwrap());
        }
        let distinct: HashSet<Uuid> = all.iter().copied().collect();
        assert_eq!(all.len(), 1000, "every job run once, none twice");
        assert_eq!(distinct.len(), 1000);
        let c = counts(&db.store).await;
        assert_eq!(c.get(&JobState::Done), Some(&1000));
        assert_eq!(effects(&db.store).await, 1000, "each effect committed exactly once");
        assert_eq!(c.get(&JobState::Running), None);
    })
    .await;
}

#[tokio::test]
async fn r_wf_1_a_job_whose_runner_crashed_runs_again_after_the_lease_once() {
    for_each_backend(|db| async move {
        let t = now();
        enqueue(&db.store, &job("crash", t)).await;
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        // Runner A claims, then dies: it never completes nor fails.
        let first = claim(&db.store, a, t, Duration::seconds(30), 10).await;
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].attempts, 1);
        assert!(claim(&db.store, b, t + Duration::seconds(10), Duration::seconds(30), 10).await.is_empty(), "leased");
        let again = claim(&db.store, b, t + Duration::seconds(31), Duration::seconds(30), 10).await;
        assert_eq!(again.len(), 1, "the lease passed: claimable again");
        assert_eq!(again[0].attempts, 2);
        assert_eq!(again[0].claimed_by, Some(b));
        assert!(run_once(&db.store, b, &again[0], t + Duration::seconds(32)).await);
        assert!(claim(&db.store, b, t + Duration::hours(2), Duration::seconds(30), 10).await.is_empty(), "done");
        assert!(!run_once(&db.store, a, &first[0], t + Duration::hours(2)).await, "the dead runner's late commit");
        assert_eq!(effects(&db.store).await, 1);
        let row = db.store.read().await.unwrap().job_by_id(first[0].id).await.unwrap().unwrap();
        assert_eq!(row.state, JobState::Done);
        assert_eq!(row.done_at, Some(t + Duration::seconds(32)));
    })
    .await;
}

#[tokio::test]
async fn r_wf_1_a_runner_whose_lease_was_taken_over_commits_nothing() {
    for_each_backend(|db| async move {
        let t = now();
        enqueue(&db.store, &job("stolen", t)).await;
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let slow = claim(&db.store, a, t, Duration::seconds(30), 1).await.remove(0);
        // A's handler is slow; its lease passes and B takes the job over.
        let fast = claim(&db.store, b, t + Duration::seconds(40), Duration::seconds(30), 1).await.remove(0);
        assert_eq!(fast.id, slow.id);
        // A finally writes its effect and tries to mark done: the mark fails, so A rolls back.
        let mut tx = db.store.begin().await.unwrap();
        tx.enqueue_job(&job("late-effect", far_future())).await.unwrap();
        assert!(!tx.complete_job(slow.id, a, slow.lease_until.unwrap(), t + Duration::seconds(45)).await.unwrap());
        drop(tx);
        let mut tx = db.store.begin().await.unwrap();
        assert!(!tx.fail_job(slow.id, a, slow.lease_until.unwrap(), "late", None).await.unwrap(), "nor fail it");
        tx.commit().await.unwrap();
        assert_eq!(effects(&db.store).await, 0, "the late runner's effect never committed");
        assert!(run_once(&db.store, b, &fast, t + Duration::seconds(50)).await);
        assert_eq!(effects(&db.store).await, 1);
        let row = db.store.read().await.unwrap().job_by_id(slow.id).await.unwrap().unwrap();
        assert_eq!((row.state, row.claimed_by), (JobState::Done, Some(b)));
    })
    .await;
}

#[tokio::test]
async fn r_wf_1_a_failing_job_backs_off_then_fails_visibly_and_can_be_retried() {
    for_each_backend(|db| async move {
        let t0 = now();
        let j = job("failing", t0);
        enqueue(&db.store, &j).await;
        let me = Uuid::now_v7();
        let mut t = t0;
        for attempt in 1..=3 {
            let got = claim(&db.store, me, t, Duration::seconds(30), 5).await;
            assert_eq!(got.len(), 1, "attempt {attempt}");
            assert_eq!(got[0].attempts, attempt);
            let retry_at = (attempt < 3).then(|| t + Duration::seconds(30 << attempt));
            let mut tx = db.store.begin().await.unwrap();
            assert!(tx.fail_job(j.id, me, got[0].lease_until.unwrap(), "smtp said no", retry_at).await.unwrap());
            tx.commit().await.unwrap();
            if let Some(at) = retry_at {
                assert!(claim(&db.store, me, at - Duration::seconds(1), Duration::seconds(30), 5).await.is_empty());
                t = at;
            }
        }
        let row = db.store.read().await.unwrap().job_by_id(j.id).await.unwrap().unwrap();
        assert_eq!(row.state, JobState::Failed);
        assert_eq!(row.attempts, 3);
        assert_eq!(row.last_error.as_deref(), Some("smtp said no"));
        assert!(claim(&db.store, me, t + Duration::days(1), Duration::seconds(30), 5).await.is_empty(), "failed stays");
        let failed = db.store.read().await.unwrap().failed_jobs(10).await.unwrap();
        assert_eq!(failed.iter().map(|f| f.id).collect::<Vec<_>>(), vec![j.id]);
        assert_eq!(counts(&db.store).await.get(&JobState::Failed), Some(&1));
        // An operator's retry: due now, attempts from zero; a second retry finds nothing failed.
        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.retry_job(j.id, t + Duration::days(1)).await.unwrap());
        assert!(!tx.retry_job(j.id, t + Duration::days(1)).await.unwrap());
        tx.commit().await.unwrap();
        let got = claim(&db.store, me, t + Duration::days(1), Duration::seconds(30), 5).await;
        assert_eq!((got.len(), got[0].attempts), (1, 1));
        assert!(run_once(&db.store, me, &got[0], t + Duration::days(1)).await);
    })
    .await;
}

#[tokio::test]
async fn r_wf_1_the_same_dedupe_key_makes_one_job_per_kind() {
    for_each_backend(|db| async move {
        let t = now();
        assert!(enqueue(&db.store, &job("minute-12:00", t)).await);
        assert!(!enqueue(&db.store, &job("minute-12:00", t)).await, "the same key again");
        // Even once done, the key stays taken (a sweep of a minute that already ran).
        let me = Uuid::now_v7();
        let got = claim(&db.store, me, t, Duration::seconds(30), 5).await;
        assert!(run_once(&db.store, me, &got[0], t).await);
        assert!(!enqueue(&db.store, &job("minute-12:00", t)).await);
        assert_eq!(counts(&db.store).await.get(&JobState::Done), Some(&1));
        // Done jobs are purged after their time; then the key is free again.
        let mut tx = db.store.begin().await.unwrap();
        assert_eq!(tx.purge_done_jobs(t + Duration::seconds(1), 100).await.unwrap(), 1);
        tx.commit().await.unwrap();
        assert!(enqueue(&db.store, &job("minute-12:00", t)).await);
    })
    .await;
}
