//! Decision 0111: on PostgreSQL, requests asking at the same time share session and personal API
//! token lookups and team
//! page reads, each read begun after every request it answers asked. So sharing never lets a
//! request see less than reading alone would: a session ended, or a member disabled, before a
//! request is refused by it; a page never shows a change older than one committed before it was
//! asked for. On SQLite nothing is shared; the same tests hold there.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use roster_service::{Lifecycle, MemberListParams, MemberPatch, Meta, Prefetch, ServiceError, SessionKind};
use roster_store::Backend;
use roster_testkit::service::TestService;

/// Tasks authenticating with one token at once, the same way a burst of API calls would.
const CALLERS: usize = 8;

/// Runs `CALLERS` tasks that authenticate with `token` (reading `want`) until `stop`; each checks
/// that a request made after `ended` was set is refused. Returns how many requests were made.
fn hammer(
    t: &TestService,
    token: &str,
    want: Prefetch,
    ended: &Arc<AtomicBool>,
    stop: &Arc<AtomicBool>,
) -> Vec<tokio::task::JoinHandle<usize>> {
    (0..CALLERS)
        .map(|_| {
            let (service, token, ended, stop) = (t.service.clone(), token.to_owned(), ended.clone(), stop.clone());
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    let after_end = ended.load(Ordering::SeqCst);
                    let got = service.authenticate_for(&token, want).await;
                    if after_end {
                        assert!(
                            matches!(got, Err(ServiceError::Unauthenticated)),
                            "a request made after the session ended was let in: {:?}",
                            got.map(|p| p.session_id())
                        );
                    }
                    n += 1;
                    // SQLite's reads never wait: let the timers and the other tasks run.
                    tokio::task::yield_now().await;
                }
                n
            })
        })
        .collect()
}

async fn run_until_refused(
    t: &TestService,
    token: &str,
    want: Prefetch,
    end: impl std::future::Future<Output = ()>,
) -> usize {
    let (ended, stop) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
    let tasks = hammer(t, token, want, &ended, &stop);
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    end.await;
    ended.store(true, Ordering::SeqCst);
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    stop.store(true, Ordering::SeqCst);
    let mut n = 0;
    for task in tasks {
        n += task.await.unwrap();
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r_dis_1_a_session_ended_is_refused_by_every_later_request_while_lookups_are_shared() {
    TestService::each_backend(|t| async move {
        let owner = t.owner("Shared lookups").await;
        let sam = t.member_with(&owner, "employee").await;
        let meta = Meta::default();
        let before = t.service.shared_read_counts();

        // Signing out (the session's own request ends it).
        let signed =
            t.service.sign_in(&sam.email, &sam.password, Some(owner.account), SessionKind::Api, &meta).await.unwrap();
        let me = t.service.authenticate(&signed.token).await.unwrap();
        let n = run_until_refused(&t, &signed.token, Prefetch::Memberships, async {
            t.service.sign_out(&me, &meta).await.unwrap();
        })
        .await;
        assert!(n > CALLERS);

        // Disabling the member ends their sessions in the account (R-DIS-1), read with the
        // membership as an account's routes do.
        let signed =
            t.service.sign_in(&sam.email, &sam.password, Some(owner.account), SessionKind::Api, &meta).await.unwrap();
        run_until_refused(&t, &signed.token, Prefetch::Membership(owner.account), async {
            t.service
                .change_member_status(&owner.principal, owner.account, sam.id, Lifecycle::Disable, &meta)
                .await
                .unwrap();
        })
        .await;

        // A personal API token: revoked, then (a new one) with its member disabled.
        t.service
            .change_member_status(&owner.principal, owner.account, sam.id, Lifecycle::Enable, &meta)
            .await
            .unwrap();
        let p = t
            .service
            .authenticate(
                &t.service
                    .sign_in(&sam.email, &sam.password, Some(owner.account), SessionKind::Console, &meta)
                    .await
                    .unwrap()
                    .token,
            )
            .await
            .unwrap();
        let script = t.service.create_api_token(&p, "script", None, &meta).await.unwrap();
        run_until_refused(&t, &script.token, Prefetch::Nothing, async {
            t.service.revoke_api_token(&p, script.id, &meta).await.unwrap();
        })
        .await;
        let script = t.service.create_api_token(&p, "script 2", None, &meta).await.unwrap();
        run_until_refused(&t, &script.token, Prefetch::Membership(owner.account), async {
            t.service
                .change_member_status(&owner.principal, owner.account, sam.id, Lifecycle::Disable, &meta)
                .await
                .unwrap();
        })
        .await;

        // On PostgreSQL the lookups were shared: fewer statements than requests.
        let after = t.service.shared_read_counts();
        match t.db.backend {
            Backend::Postgres => {
                for lane in [0, 1] {
                    let (b, a) = (before.unwrap()[lane].1, after.unwrap()[lane].1);
                    let (asks, reads) = (a.asks - b.asks, a.reads - b.reads);
                    assert!(reads < asks, "lane {lane}: {asks} lookups asked, {reads} statements");
                }
            }
            Backend::Sqlite => assert!(after.is_none(), "nothing is shared on SQLite"),
        }
    })
    .await;
}

/// Lists asked by several tasks at once while a member is renamed again and again: no page shows
/// a rename older than the last one committed before the list was asked for.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r_list_1_a_shared_page_read_never_shows_a_change_older_than_the_request() {
    TestService::each_backend(|t| async move {
        let owner = t.owner("Shared pages").await;
        let sam = t.member_with(&owner, "employee").await;
        let committed = Arc::new(AtomicUsize::new(0));
        let renames = 40;
        let writer = {
            let (service, owner, committed) = (t.service.clone(), owner.clone(), committed.clone());
            tokio::spawn(async move {
                for i in 1..=renames {
                    let patch = MemberPatch { company: Some(format!("v{i:04}")), ..MemberPatch::default() };
                    service
                        .update_member(&owner.principal, owner.account, sam.id, &patch, &Meta::default())
                        .await
                        .unwrap();
                    committed.store(i, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                }
            })
        };
        let readers: Vec<_> = (0..CALLERS)
            .map(|_| {
                let (service, owner, committed) = (t.service.clone(), owner.clone(), committed.clone());
                tokio::spawn(async move {
                    let list = MemberListParams::default();
                    let mut n = 0;
                    while committed.load(Ordering::SeqCst) < renames {
                        let before = committed.load(Ordering::SeqCst);
                        let page = service.search_members(&owner.principal, owner.account, &list).await.unwrap();
                        let item = page.items.iter().find(|m| m.user_id == sam.id).unwrap();
                        let seen: usize =
                            item.company.as_deref().and_then(|c| c.strip_prefix('v')).map_or(0, |n| n.parse().unwrap());
                        assert!(seen >= before, "a page showed rename {seen} after rename {before} was committed");
                        n += 1;
                        tokio::task::yield_now().await;
                    }
                    n
                })
            })
            .collect();
        writer.await.unwrap();
        let mut lists = 0;
        for r in readers {
            lists += r.await.unwrap();
        }
        assert!(lists > CALLERS);
        if let Some([_, _, (_, pages)]) = t.service.shared_read_counts() {
            assert!(pages.reads < pages.asks, "{} pages asked, {} read", pages.asks, pages.reads);
        }
    })
    .await;
}
