//! Signing in: sessions, setup tokens, the throttle (R-AUTH-7), reset links (R-AUTH-5) and pending registrations (R-AUTH-8).
use super::*;

// ---------------------------------------------------------------------------------------------
// sessions

#[tokio::test]
async fn sessions_insert_and_find_by_hash_with_their_user() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Sessions").await;
        let t = now();
        let s = session_row(owner.id, Some(account.id), t);
        let api = SessionRow {
            kind: "api".into(),
            account_id: None,
            user_agent: None,
            ip: None,
            ..session_row(owner.id, None, t)
        };
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_session(&s).await.unwrap();
        tx.insert_session(&api).await.unwrap();
        tx.commit().await.unwrap();

        let mut r = db.store.read().await.unwrap();
        assert_eq!(r.session_by_hash(&s.token_hash, t).await.unwrap(), Some((s.clone(), owner.clone())));
        assert_eq!(r.session_by_hash(&api.token_hash, t).await.unwrap(), Some((api.clone(), owner.clone())));
        assert_eq!(r.session_by_hash(b"no such token hash", t).await.unwrap(), None);
    })
    .await;
}

/// Decision 0107: the statement that finds a session may read the caller's membership(s) too;
/// what it reads is what the separate reads give, and nothing of another account.
#[tokio::test]
async fn sessions_found_with_their_memberships_read_what_the_separate_reads_give() {
    for_each_backend(|db: TestDb| async move {
        let (a, owner) = new_account(&db.store, "Prefetch A").await;
        let (b, _) = new_account(&db.store, "Prefetch B").await;
        let (c, _) = new_account(&db.store, "Prefetch C").await;
        // The owner of A is also a disabled member of B; nothing in C.
        let mut m = MembershipRow::new(b.id, owner.id, roster_core::RoleKind::Standard, now());
        m.status = roster_core::MembershipStatus::Disabled;
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_membership(&m).await.unwrap();
        tx.commit().await.unwrap();
        let lonely = new_user(&db.store, "Lonely", "User").await;
        let t = now();
        let s = session_row(owner.id, Some(a.id), t);
        let lone = session_row(lonely.id, None, t);
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_session(&s).await.unwrap();
        tx.insert_session(&lone).await.unwrap();
        tx.commit().await.unwrap();

        let mut r = db.store.read().await.unwrap();
        for account in [a.id, b.id, c.id, Uuid::now_v7()] {
            let separate = r.membership(account, owner.id).await.unwrap();
            let found = r.session_with_membership(&s.token_hash, t, account).await.unwrap();
            assert_eq!(found, Some((s.clone(), owner.clone(), separate)), "account {account}");
        }
        assert_eq!(
            r.session_with_membership(&s.token_hash, t, a.id).await.unwrap().unwrap().2.map(|m| m.is_owner),
            Some(true)
        );
        assert_eq!(
            r.session_with_membership(&lone.token_hash, t, a.id).await.unwrap(),
            Some((lone.clone(), lonely.clone(), None))
        );

        let all = r.memberships_of_user(owner.id).await.unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(r.session_with_memberships(&s.token_hash, t).await.unwrap(), Some((s.clone(), owner.clone(), all)));
        assert_eq!(
            r.session_with_memberships(&lone.token_hash, t).await.unwrap(),
            Some((lone.clone(), lonely.clone(), vec![]))
        );

        // Unknown or expired: nothing, memberships or not.
        assert_eq!(r.session_with_membership(b"no such token hash", t, a.id).await.unwrap(), None);
        assert_eq!(r.session_with_memberships(b"no such token hash", t).await.unwrap(), None);
        let late = s.expires_at + Duration::seconds(1);
        assert_eq!(r.session_with_membership(&s.token_hash, late, a.id).await.unwrap(), None);
        assert_eq!(r.session_with_memberships(&s.token_hash, late).await.unwrap(), None);
    })
    .await;
}

/// Decision 0111: one statement finds many sessions (a shared read); for each token it reads
/// what the single lookup reads, and nothing for unknown, expired or repeated ones.
#[tokio::test]
async fn sessions_found_many_at_once_read_what_each_lookup_gives() {
    for_each_backend(|db: TestDb| async move {
        let (a, owner) = new_account(&db.store, "Batch A").await;
        let (b, other) = new_account(&db.store, "Batch B").await;
        let (c, _) = new_account(&db.store, "Batch C").await;
        let mut m = MembershipRow::new(b.id, owner.id, roster_core::RoleKind::Standard, now());
        m.status = roster_core::MembershipStatus::Disabled;
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_membership(&m).await.unwrap();
        tx.commit().await.unwrap();
        let lonely = new_user(&db.store, "Lonely", "Batch").await;
        let t = now();
        let s1 = session_row(owner.id, Some(a.id), t);
        let s2 = session_row(owner.id, Some(b.id), t);
        let s3 = session_row(other.id, Some(b.id), t);
        let s4 = session_row(lonely.id, None, t);
        let gone =
            SessionRow { expires_at: t - Duration::seconds(1), ..session_row(other.id, None, t - Duration::hours(1)) };
        let mut tx = db.store.begin().await.unwrap();
        for s in [&s1, &s2, &s3, &s4, &gone] {
            tx.insert_session(s).await.unwrap();
        }
        tx.commit().await.unwrap();
        let hashes: Vec<Vec<u8>> = [&s1, &s2, &s3, &s4, &gone]
            .iter()
            .map(|s| s.token_hash.clone())
            .chain([b"no such token hash".to_vec()])
            .collect();

        let mut r = db.store.read().await.unwrap();
        let by_id = |mut found: Vec<FoundSession>| {
            found.sort_by_key(|f| f.0.id);
            found
        };
        let mut expected: Vec<FoundSession> = Vec::new();
        for s in [&s1, &s2, &s3, &s4] {
            let (session, user) = r.session_by_hash(&s.token_hash, t).await.unwrap().unwrap();
            expected.push((session, user, Vec::new()));
        }
        let expected = by_id(expected);

        let none = by_id(r.sessions_by_hashes(&hashes, t, SessionMemberships::None).await.unwrap());
        assert_eq!(none, expected, "sessions and users, none expired or unknown");

        let mut all_expected = expected.clone();
        for f in &mut all_expected {
            f.2 = r.memberships_of_user(f.1.id).await.unwrap();
        }
        let all = by_id(r.sessions_by_hashes(&hashes, t, SessionMemberships::All).await.unwrap());
        assert_eq!(all, all_expected, "every membership, by account name");
        assert_eq!(all.iter().find(|f| f.0.id == s1.id).unwrap().2.len(), 2);

        // Only the accounts asked about; C and an unknown account add nothing.
        let asked = [a.id, c.id, Uuid::now_v7()];
        let some = by_id(r.sessions_by_hashes(&hashes, t, SessionMemberships::In(&asked)).await.unwrap());
        let mut some_expected = expected.clone();
        for f in &mut some_expected {
            if let Some(m) = r.membership(a.id, f.1.id).await.unwrap() {
                let account = r.account_by_id(a.id).await.unwrap().unwrap();
                f.2 = vec![(account, m)];
            }
        }
        assert_eq!(some, some_expected);
        assert!(some.iter().find(|f| f.0.id == s1.id).unwrap().2[0].1.is_owner);
        assert_eq!(
            some.iter().find(|f| f.0.id == s3.id).unwrap().2,
            vec![],
            "another account's member has no membership in A"
        );

        // Each hash once, whatever is asked twice; nothing for none.
        let twice = [s1.token_hash.clone(), s1.token_hash.clone()];
        assert_eq!(r.sessions_by_hashes(&twice, t, SessionMemberships::All).await.unwrap().len(), 1);
        assert_eq!(r.sessions_by_hashes(&[], t, SessionMemberships::All).await.unwrap(), vec![]);
        let late = s1.expires_at + Duration::seconds(1);
        assert_eq!(r.sessions_by_hashes(&hashes, late, SessionMemberships::None).await.unwrap(), vec![]);
    })
    .await;
}

#[tokio::test]
async fn sessions_expire_absolutely_and_when_idle() {
    for_each_backend(|db: TestDb| async move {
        let user = new_user(&db.store, "Sally", "Session").await;
        let t = now();
        let s = SessionRow {
            idle_expires_at: t + Duration::minutes(30),
            expires_at: t + Duration::hours(8),
            ..session_row(user.id, None, t)
        };
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_session(&s).await.unwrap();
        tx.commit().await.unwrap();
        let find = |at: OffsetDateTime| {
            let store = db.store.clone();
            let hash = s.token_hash.clone();
            async move { store.read().await.unwrap().session_by_hash(&hash, at).await.unwrap().map(|(s, _)| s.id) }
        };
        assert_eq!(find(t + Duration::minutes(29)).await, Some(s.id));
        assert_eq!(find(s.idle_expires_at - Duration::microseconds(1)).await, Some(s.id));
        assert_eq!(find(s.idle_expires_at).await, None, "idle expiry is exclusive");
        assert_eq!(find(t + Duration::minutes(31)).await, None, "idle-expired");

        // Activity pushes the idle expiry, never the absolute one.
        let seen = t + Duration::minutes(20);
        let mut tx = db.store.begin().await.unwrap();
        tx.touch_session(s.id, seen, seen + Duration::minutes(30)).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(find(t + Duration::minutes(31)).await, Some(s.id));
        let (back, _) = db.store.read().await.unwrap().session_by_hash(&s.token_hash, seen).await.unwrap().unwrap();
        assert_eq!(back.last_seen_at, seen);
        assert_eq!(back.idle_expires_at, seen + Duration::minutes(30));
        assert_eq!(back.expires_at, s.expires_at);
        assert_eq!(back.created_at, s.created_at);

        let late = t + Duration::hours(8) - Duration::minutes(1);
        let mut tx = db.store.begin().await.unwrap();
        tx.touch_session(s.id, late, late + Duration::minutes(30)).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(find(late).await, Some(s.id));
        assert_eq!(find(s.expires_at).await, None, "absolute expiry wins over a fresh idle expiry");
        assert_eq!(find(s.expires_at + Duration::seconds(1)).await, None);
    })
    .await;
}

#[tokio::test]
async fn sessions_delete_one_and_all_of_a_user() {
    for_each_backend(|db: TestDb| async move {
        let alice = new_user(&db.store, "Alice", "A").await;
        let bob = new_user(&db.store, "Bob", "B").await;
        let t = now();
        let a1 = session_row(alice.id, None, t);
        let a2 = session_row(alice.id, None, t);
        let a3 = session_row(alice.id, None, t);
        let b1 = session_row(bob.id, None, t);
        let mut tx = db.store.begin().await.unwrap();
        for s in [&a1, &a2, &a3, &b1] {
            tx.insert_session(s).await.unwrap();
        }
        tx.commit().await.unwrap();

        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.delete_session(a1.id).await.unwrap());
        assert!(!tx.delete_session(a1.id).await.unwrap());
        tx.commit().await.unwrap();
        let mut r = db.store.read().await.unwrap();
        assert_eq!(r.session_by_hash(&a1.token_hash, t).await.unwrap(), None);
        assert!(r.session_by_hash(&a2.token_hash, t).await.unwrap().is_some());
        drop(r);

        let mut tx = db.store.begin().await.unwrap();
        assert_eq!(tx.delete_sessions_of_user(alice.id).await.unwrap(), 2);
        assert_eq!(tx.delete_sessions_of_user(alice.id).await.unwrap(), 0);
        tx.commit().await.unwrap();
        let mut r = db.store.read().await.unwrap();
        assert_eq!(r.session_by_hash(&a2.token_hash, t).await.unwrap(), None);
        assert_eq!(r.session_by_hash(&a3.token_hash, t).await.unwrap(), None);
        assert_eq!(r.session_by_hash(&b1.token_hash, t).await.unwrap().map(|(s, _)| s.id), Some(b1.id));
    })
    .await;
}

#[tokio::test]
async fn session_token_hashes_are_unique() {
    for_each_backend(|db: TestDb| async move {
        let user = new_user(&db.store, "Tom", "Token").await;
        let s = session_row(user.id, None, now());
        let twin = SessionRow { id: Uuid::now_v7(), ..s.clone() };
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_session(&s).await.unwrap();
        assert!(tx.insert_session(&twin).await.is_err());
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// setup tokens

#[tokio::test]
async fn setup_tokens_replace_take_and_valid() {
    for_each_backend(|db: TestDb| async move {
        let t = now();
        let (old, new, stale) = (b"old-token-hash".to_vec(), b"new-token-hash".to_vec(), b"stale-hash".to_vec());
        let mut tx = db.store.begin().await.unwrap();
        assert!(!tx.setup_token_valid(&old, t).await.unwrap());
        tx.replace_setup_token(&old, t + Duration::hours(1)).await.unwrap();
        tx.commit().await.unwrap();
        assert!(db.store.read().await.unwrap().setup_token_valid(&old, t).await.unwrap());
        assert!(!db.store.read().await.unwrap().setup_token_valid(&old, t + Duration::hours(1)).await.unwrap());

        // Only the newest link works.
        let mut tx = db.store.begin().await.unwrap();
        tx.replace_setup_token(&new, t + Duration::hours(1)).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = db.store.begin().await.unwrap();
        assert!(!tx.setup_token_valid(&old, t).await.unwrap());
        assert!(!tx.take_setup_token(&old, t).await.unwrap());
        assert!(tx.setup_token_valid(&new, t).await.unwrap());
        assert!(!tx.take_setup_token(&new, t + Duration::hours(2)).await.unwrap(), "expired");
        assert!(tx.take_setup_token(&new, t).await.unwrap());
        assert!(!tx.take_setup_token(&new, t).await.unwrap(), "single use");
        tx.commit().await.unwrap();
        let mut tx = db.store.begin().await.unwrap();
        assert!(!tx.setup_token_valid(&new, t).await.unwrap());
        assert!(!tx.take_setup_token(&new, t).await.unwrap());

        // An expired token is neither valid nor takeable.
        tx.replace_setup_token(&stale, t - Duration::seconds(1)).await.unwrap();
        assert!(!tx.setup_token_valid(&stale, t).await.unwrap());
        assert!(!tx.take_setup_token(&stale, t).await.unwrap());
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn setup_token_taken_by_two_at_once_works_once() {
    for_each_backend(|db: TestDb| async move {
        let t = now();
        let hash = b"race-token".to_vec();
        let mut tx = db.store.begin().await.unwrap();
        tx.replace_setup_token(&hash, t + Duration::hours(1)).await.unwrap();
        tx.commit().await.unwrap();
        let take = || {
            let store = db.store.clone();
            let hash = hash.clone();
            async move {
                let mut tx = store.begin().await.unwrap();
                let took = tx.take_setup_token(&hash, t).await.unwrap();
                tx.commit().await.unwrap();
                took
            }
        };
        let (a, b) = tokio::join!(take(), take());
        assert!(a ^ b, "exactly one of two concurrent takes wins (got {a}, {b})");
    })
    .await;
}

// ---- Sign-in throttle (R-AUTH-7) ----

async fn record_failure(store: &Arc<dyn Store>, key: &str, at: OffsetDateTime) -> roster_store::ThrottleRow {
    let mut tx = store.begin().await.unwrap();
    let row = tx.record_throttle_failure(key, at, at - Duration::minutes(15)).await.unwrap();
    tx.commit().await.unwrap();
    row
}

#[tokio::test]
async fn r_auth_7_throttle_counts_failures_in_a_window_then_starts_over() {
    for_each_backend(|db| async move {
        let key = format!("login:{}", unique());
        let other = format!("ip:{}", unique());
        let t0 = now();
        let first = record_failure(&db.store, &key, t0).await;
        assert_eq!(
            (first.key.as_str(), first.failures, first.window_start, first.blocked_until),
            (key.as_str(), 1, t0, None)
        );
        let second = record_failure(&db.store, &key, t0 + Duration::seconds(1)).await;
        assert_eq!((second.failures, second.window_start), (2, t0), "the window keeps its start");
        assert_eq!(record_failure(&db.store, &other, t0).await.failures, 1, "keys count apart");

        let blocked = t0 + Duration::seconds(10);
        let mut tx = db.store.begin().await.unwrap();
        tx.set_throttle_block(&key, blocked).await.unwrap();
        tx.commit().await.unwrap();
        let row = db.store.read().await.unwrap().throttle_row(&key).await.unwrap().unwrap();
        assert_eq!((row.failures, row.blocked_until), (2, Some(blocked)));

        // 16 minutes on, the window has passed: the count starts over, the block is kept as it was.
        let later = t0 + Duration::minutes(16);
        let fresh = record_failure(&db.store, &key, later).await;
        assert_eq!((fresh.failures, fresh.window_start, fresh.blocked_until), (1, later, Some(blocked)));

        // A rolled-back failure does not count.
        let mut tx = db.store.begin().await.unwrap();
        assert_eq!(tx.record_throttle_failure(&key, later, later - Duration::minutes(15)).await.unwrap().failures, 2);
        drop(tx);
        assert_eq!(db.store.read().await.unwrap().throttle_row(&key).await.unwrap().unwrap().failures, 1);

        let mut tx = db.store.begin().await.unwrap();
        let cleared = tx.clear_throttle(&key).await.unwrap().unwrap();
        assert_eq!((cleared.failures, cleared.blocked_until), (1, Some(blocked)), "clear returns what was there");
        assert_eq!(tx.clear_throttle(&key).await.unwrap(), None);
        tx.commit().await.unwrap();
        let mut r = db.store.read().await.unwrap();
        assert_eq!(r.throttle_row(&key).await.unwrap(), None);
        assert_eq!(r.throttle_row(&other).await.unwrap().unwrap().failures, 1, "clearing one key leaves the others");
    })
    .await;
}

#[tokio::test]
async fn r_auth_7_throttle_failures_from_two_replicas_all_count() {
    for_each_backend(|db| async move {
        let key = format!("login:{}", unique());
        let replicas = [db.store.clone(), db.open_again().await];
        let mut tasks = Vec::new();
        for store in replicas {
            for _ in 0..2 {
                let (store, key) = (store.clone(), key.clone());
                tasks.push(tokio::spawn(async move {
                    for _ in 0..10 {
                        record_failure(&store, &key, now()).await;
                    }
                }));
            }
        }
        for t in tasks {
            t.await.unwrap();
        }
        let row = db.store.read().await.unwrap().throttle_row(&key).await.unwrap().unwrap();
        assert_eq!(row.failures, 40, "no failure is lost to a concurrent one");
    })
    .await;
}

#[tokio::test]
async fn r_auth_7_throttle_purge_deletes_only_stale_unblocked_rows() {
    for_each_backend(|db| async move {
        let t0 = now();
        let (stale, blocked, recent) =
            (format!("ip:{}", unique()), format!("ip:{}", unique()), format!("ip:{}", unique()));
        record_failure(&db.store, &stale, t0 - Duration::minutes(20)).await;
        record_failure(&db.store, &blocked, t0 - Duration::minutes(20)).await;
        record_failure(&db.store, &recent, t0 - Duration::minutes(5)).await;
        let mut tx = db.store.begin().await.unwrap();
        tx.set_throttle_block(&blocked, t0 + Duration::minutes(1)).await.unwrap();
        assert_eq!(tx.purge_throttle(t0 - Duration::minutes(15), t0).await.unwrap(), 1);
        tx.commit().await.unwrap();
        let mut r = db.store.read().await.unwrap();
        assert_eq!(r.throttle_row(&stale).await.unwrap(), None);
        assert!(r.throttle_row(&blocked).await.unwrap().is_some(), "a block still running is kept");
        assert!(r.throttle_row(&recent).await.unwrap().is_some());
    })
    .await;
}

// ---- Password reset links (R-AUTH-5) ----

#[tokio::test]
async fn r_auth_5_reset_links_are_single_use_and_expire() {
    for_each_backend(|db| async move {
        let user = new_user(&db.store, "Reset", "Me").await;
        let t = now();
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_password_reset(b"live", user.id, None, t, t + Duration::hours(1)).await.unwrap();
        tx.insert_password_reset(b"old", user.id, None, t - Duration::hours(2), t - Duration::hours(1)).await.unwrap();
        tx.insert_password_reset(b"other", user.id, None, t, t + Duration::hours(1)).await.unwrap();
        tx.commit().await.unwrap();
        let mut r = db.store.read().await.unwrap();
        assert_eq!(r.password_reset_user(b"live", now()).await.unwrap(), Some(user.id));
        assert_eq!(r.password_reset_user(b"old", now()).await.unwrap(), None, "expired");
        assert_eq!(r.password_resets_since(user.id, t - Duration::minutes(1)).await.unwrap(), 2);
        drop(r);
        let mut tx = db.store.begin().await.unwrap();
        assert!(!tx.use_password_reset(b"old", now()).await.unwrap());
        assert!(tx.use_password_reset(b"live", now()).await.unwrap());
        assert!(!tx.use_password_reset(b"live", now()).await.unwrap(), "single use");
        assert!(tx.set_user_password(user.id, "$argon2id$new", now()).await.unwrap());
        assert_eq!(tx.expire_password_resets_of_user(user.id, now()).await.unwrap(), 2, "other and old");
        assert!(!tx.use_password_reset(b"other", now()).await.unwrap(), "older links die after a reset");
        tx.commit().await.unwrap();
        let stored = db.store.read().await.unwrap().user_by_id(user.id).await.unwrap().unwrap();
        assert_eq!(stored.password_hash.as_deref(), Some("$argon2id$new"));
    })
    .await;
}

// ---- Registrations waiting for proof (R-AUTH-3, R-AUTH-8) ----

#[tokio::test]
async fn r_auth_8_pending_registrations_are_single_use_and_mails_are_counted() {
    for_each_backend(|db: TestDb| async move {
        let t = now();
        let row = |hash: &[u8], expires_at: OffsetDateTime| roster_store::PendingRegistrationRow {
            id: Uuid::now_v7(),
            email: "mary@example.test".to_owned(),
            first_name: "Mary".to_owned(),
            last_name: "Jackson".to_owned(),
            account_name: "Jackson Engineering".to_owned(),
            password_hash: "$argon2id$x".to_owned(),
            token_hash: hash.to_vec(),
            created_at: t,
            expires_at,
            used_at: None,
        };
        let live = row(b"live", t + Duration::hours(24));
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_pending_registration(&live).await.unwrap();
        tx.insert_pending_registration(&row(b"old", t - Duration::hours(1))).await.unwrap();
        tx.record_registration_mail("mary@example.test", t - Duration::hours(2)).await.unwrap();
        tx.record_registration_mail("mary@example.test", t).await.unwrap();
        tx.record_registration_mail("mary@example.test", t).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = db.store.begin().await.unwrap();
        assert_eq!(tx.take_pending_registration(b"old", now()).await.unwrap(), None, "expired");
        assert_eq!(tx.take_pending_registration(b"nope", now()).await.unwrap(), None, "unknown");
        let taken = tx.take_pending_registration(b"live", now()).await.unwrap().expect("live");
        assert_eq!(
            (taken.id, taken.email.as_str(), taken.account_name.as_str()),
            (live.id, "mary@example.test", "Jackson Engineering")
        );
        assert!(taken.used_at.is_some());
        assert_eq!(tx.take_pending_registration(b"live", now()).await.unwrap(), None, "single use");
        let since = t - Duration::hours(1);
        assert_eq!(tx.registration_mails_since("mary@example.test", since).await.unwrap(), 2);
        assert_eq!(tx.registration_mails_since("other@example.test", since).await.unwrap(), 0);
        tx.commit().await.unwrap();
    })
    .await;
}
