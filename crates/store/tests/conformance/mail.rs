//! Email: the outbox (R-MAIL-1), account servers (R-MAIL-2, R-MAIL-6), quotas (R-MAIL-7), template overrides (R-MAIL-4).
use super::*;

// ---- The email outbox (R-MAIL-1) ----

fn email_row(account_id: Option<Uuid>, due: OffsetDateTime) -> EmailRow {
    let id = Uuid::now_v7();
    EmailRow {
        id,
        account_id,
        template: "welcome".to_owned(),
        to_addr: format!("to.{}@example.test", unique()),
        from_addr: "Roster <roster@example.test>".to_owned(),
        reply_to: Some("ada@example.test".to_owned()),
        bcc: None,
        subject: "Welcome".to_owned(),
        text_body: "Hello".to_owned(),
        html_body: "<p>Hello</p>".to_owned(),
        message_id: format!("<{id}@roster.test>"),
        status: "queued".to_owned(),
        attempts: 0,
        next_attempt_at: due,
        lease_until: None,
        last_error: None,
        created_at: now(),
        sent_at: None,
        installation_only: false,
        secret_sealed: None,
    }
}

async fn enqueue(store: &Arc<dyn Store>, e: &EmailRow) {
    let mut tx = store.begin().await.unwrap();
    tx.enqueue_email(e).await.unwrap();
    tx.commit().await.unwrap();
}

async fn claim(store: &Arc<dyn Store>, at: OffsetDateTime, lease: Duration, limit: i64) -> Vec<EmailRow> {
    let mut tx = store.begin().await.unwrap();
    let rows = tx.claim_due_emails(at, at + lease, limit, true).await.unwrap();
    tx.commit().await.unwrap();
    rows
}

#[tokio::test]
async fn r_mail_1_an_email_enqueued_in_a_rolled_back_unit_never_exists() {
    for_each_backend(|db| async move {
        let e = email_row(None, now());
        {
            let mut tx = db.store.begin().await.unwrap();
            tx.enqueue_email(&e).await.unwrap();
            // dropped without commit
        }
        assert!(db.store.read().await.unwrap().email_by_id(e.id).await.unwrap().is_none());
        assert!(claim(&db.store, now(), Duration::minutes(1), 10).await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn r_mail_1_outbox_round_trip_claim_and_send_once() {
    for_each_backend(|db| async move {
        let (account, _) = new_account(&db.store, "Mailers").await;
        let e = email_row(Some(account.id), now());
        enqueue(&db.store, &e).await;
        assert_eq!(db.store.read().await.unwrap().email_by_id(e.id).await.unwrap().as_ref(), Some(&e));

        let t = now();
        let claimed = claim(&db.store, t, Duration::minutes(1), 10).await;
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].lease_until, Some(t + Duration::minutes(1)));
        assert!(claim(&db.store, t, Duration::minutes(1), 10).await.is_empty(), "a leased row is not claimed twice");

        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.mark_email_sent(e.id, t + Duration::minutes(1), t).await.unwrap());
        tx.commit().await.unwrap();
        let sent = db.store.read().await.unwrap().email_by_id(e.id).await.unwrap().unwrap();
        assert_eq!((sent.status.as_str(), sent.attempts, sent.sent_at), ("sent", 1, Some(t)));
        assert!(claim(&db.store, t + Duration::hours(1), Duration::minutes(1), 10).await.is_empty());

        let listed = db.store.read().await.unwrap().emails_of_account(account.id, None, 10).await.unwrap();
        assert_eq!(listed.iter().map(|e| e.id).collect::<Vec<_>>(), vec![e.id]);
    })
    .await;
}

#[tokio::test]
async fn r_mail_1_failed_attempts_retry_later_then_fail_and_can_be_requeued() {
    for_each_backend(|db| async move {
        let e = email_row(None, now());
        enqueue(&db.store, &e).await;
        let t = now();
        let lease = t + Duration::minutes(1);
        claim(&db.store, t, Duration::minutes(1), 10).await;
        let mut tx = db.store.begin().await.unwrap();
        assert!(
            tx.mark_email_attempt_failed(e.id, lease, "421 try later", Some(t + Duration::minutes(5))).await.unwrap()
        );
        tx.commit().await.unwrap();
        assert!(claim(&db.store, t + Duration::minutes(4), Duration::minutes(1), 10).await.is_empty(), "not due yet");
        let again = claim(&db.store, t + Duration::minutes(6), Duration::minutes(1), 10).await;
        assert_eq!(again.len(), 1);
        assert_eq!((again[0].attempts, again[0].last_error.as_deref()), (1, Some("421 try later")));

        let lease2 = t + Duration::minutes(7);
        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.mark_email_attempt_failed(e.id, lease2, "550 no such user", None).await.unwrap());
        tx.commit().await.unwrap();
        let failed = db.store.read().await.unwrap().email_by_id(e.id).await.unwrap().unwrap();
        assert_eq!((failed.status.as_str(), failed.attempts), ("failed", 2));
        assert!(claim(&db.store, t + Duration::days(1), Duration::minutes(1), 10).await.is_empty());

        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.requeue_email(None, e.id, t + Duration::minutes(8)).await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(claim(&db.store, t + Duration::minutes(8), Duration::minutes(1), 10).await.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn r_mail_1_an_expired_lease_passes_to_another_worker_and_the_first_cannot_mark() {
    for_each_backend(|db| async move {
        let e = email_row(None, now());
        enqueue(&db.store, &e).await;
        let t = now();
        let first = claim(&db.store, t, Duration::minutes(1), 10).await;
        assert_eq!(first.len(), 1);
        // The first worker died; after its lease another one takes the row over.
        let later = t + Duration::minutes(2);
        let second = claim(&db.store, later, Duration::minutes(1), 10).await;
        assert_eq!(second.len(), 1);
        let mut tx = db.store.begin().await.unwrap();
        assert!(!tx.mark_email_sent(e.id, t + Duration::minutes(1), later).await.unwrap(), "stale lease");
        assert!(tx.mark_email_sent(e.id, later + Duration::minutes(1), later).await.unwrap());
        tx.commit().await.unwrap();
        let sent = db.store.read().await.unwrap().email_by_id(e.id).await.unwrap().unwrap();
        assert_eq!((sent.status.as_str(), sent.attempts), ("sent", 1));
    })
    .await;
}

#[tokio::test]
async fn r_mail_1_two_replicas_claim_500_emails_each_exactly_once() {
    for_each_backend(|db| async move {
        let mut tx = db.store.begin().await.unwrap();
        let due = now();
        for _ in 0..500 {
            tx.enqueue_email(&email_row(None, due)).await.unwrap();
        }
        tx.commit().await.unwrap();
        let replicas = [db.store.clone(), db.open_again().await];
        let mut workers = Vec::new();
        for (w, store) in replicas.into_iter().enumerate() {
            for k in 0..2 {
                let store = store.clone();
                workers.push(tokio::spawn(async move {
                    let mut mine = Vec::new();
                    loop {
                        let t = now();
                        let rows = claim(&store, t, Duration::minutes(5), 7).await;
                        if rows.is_empty() {
                            break;
                        }
                        let mut tx = store.begin().await.unwrap();
                        for r in &rows {
                            assert!(
                                tx.mark_email_sent(r.id, r.lease_until.unwrap(), t).await.unwrap(),
                                "worker {w}/{k}"
                            );
                            mine.push(r.id);
                        }
                        tx.commit().await.unwrap();
                    }
                    mine
                }));
            }
        }
        let mut all = Vec::new();
        for w in workers {
            all.extend(w.await.unwrap());
        }
        let distinct: HashSet<Uuid> = all.iter().copied().collect();
        assert_eq!(all.len(), 500, "every email delivered once, none twice");
        assert_eq!(distinct.len(), 500);
    })
    .await;
}

// ---- Mail settings (R-MAIL-2, R-MAIL-4) ----

fn smtp_row(account_id: Uuid, host: &str) -> SmtpSettingsRow {
    SmtpSettingsRow {
        account_id,
        host: host.to_owned(),
        port: 587,
        security: "starttls".to_owned(),
        username: Some("mailer".to_owned()),
        password_enc: Some(vec![0, 1, 2, 255]),
        from_addr: "team@acme.test".to_owned(),
        updated_at: now(),
    }
}

#[tokio::test]
async fn r_mail_2_account_smtp_settings_are_put_replaced_and_deleted() {
    for_each_backend(|db| async move {
        let (account, _) = new_account(&db.store, "Own Server").await;
        let first = smtp_row(account.id, "smtp.one.test");
        let mut tx = db.store.begin().await.unwrap();
        assert_eq!(tx.smtp_settings(account.id).await.unwrap(), None);
        tx.put_smtp_settings(&first).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(db.store.read().await.unwrap().smtp_settings(account.id).await.unwrap(), Some(first));
        let second = SmtpSettingsRow { username: None, password_enc: None, ..smtp_row(account.id, "smtp.two.test") };
        let mut tx = db.store.begin().await.unwrap();
        tx.put_smtp_settings(&second).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(db.store.read().await.unwrap().smtp_settings(account.id).await.unwrap(), Some(second));
        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.delete_smtp_settings(account.id).await.unwrap());
        assert!(!tx.delete_smtp_settings(account.id).await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(db.store.read().await.unwrap().smtp_settings(account.id).await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn r_mail_2_without_an_installation_server_only_accounts_with_their_own_are_claimed() {
    for_each_backend(|db| async move {
        let (own, _) = new_account(&db.store, "Has Server").await;
        let (plain, _) = new_account(&db.store, "No Server").await;
        let mut tx = db.store.begin().await.unwrap();
        tx.put_smtp_settings(&smtp_row(own.id, "smtp.own.test")).await.unwrap();
        tx.commit().await.unwrap();
        let mine = email_row(Some(own.id), now());
        let theirs = email_row(Some(plain.id), now());
        let installation = email_row(None, now());
        for e in [&mine, &theirs, &installation] {
            enqueue(&db.store, e).await;
        }
        let at = now();
        let mut tx = db.store.begin().await.unwrap();
        let claimed = tx.claim_due_emails(at, at + Duration::minutes(1), 10, false).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(claimed.iter().map(|e| e.id).collect::<Vec<_>>(), vec![mine.id]);
        let rest = claim(&db.store, now(), Duration::minutes(1), 10).await;
        let mut ids: Vec<Uuid> = rest.iter().map(|e| e.id).collect();
        ids.sort();
        let mut want = vec![theirs.id, installation.id];
        want.sort();
        assert_eq!(ids, want);
    })
    .await;
}

#[tokio::test]
async fn r_mail_6_installation_only_mail_is_never_claimed_for_an_account_server() {
    for_each_backend(|db| async move {
        let (own, _) = new_account(&db.store, "Own Server").await;
        let mut tx = db.store.begin().await.unwrap();
        tx.put_smtp_settings(&smtp_row(own.id, "smtp.own.test")).await.unwrap();
        tx.commit().await.unwrap();
        let plain = email_row(Some(own.id), now());
        let sealed = EmailRow {
            installation_only: true,
            secret_sealed: Some(vec![1, 2, 3, 0, 255]),
            ..email_row(Some(own.id), now())
        };
        enqueue(&db.store, &plain).await;
        enqueue(&db.store, &sealed).await;
        let read = db.store.read().await.unwrap().email_by_id(sealed.id).await.unwrap();
        assert_eq!(read.as_ref(), Some(&sealed), "the new columns round-trip");
        let at = now();
        let mut tx = db.store.begin().await.unwrap();
        let claimed = tx.claim_due_emails(at, at + Duration::minutes(1), 10, false).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(claimed.iter().map(|e| e.id).collect::<Vec<_>>(), vec![plain.id]);
        let rest = claim(&db.store, now(), Duration::minutes(1), 10).await;
        assert_eq!(rest.iter().map(|e| e.id).collect::<Vec<_>>(), vec![sealed.id]);
    })
    .await;
}

#[tokio::test]
async fn r_mail_7_the_hourly_count_stops_at_the_limit_and_is_per_account_and_hour() {
    for_each_backend(|db| async move {
        let (a, _) = new_account(&db.store, "Quota A").await;
        let (b, _) = new_account(&db.store, "Quota B").await;
        let mut tx = db.store.begin().await.unwrap();
        for _ in 0..3 {
            assert!(tx.count_account_email(a.id, 100, 3).await.unwrap());
        }
        assert!(!tx.count_account_email(a.id, 100, 3).await.unwrap(), "the 4th is over the limit");
        assert!(!tx.count_account_email(a.id, 100, 3).await.unwrap());
        assert!(tx.count_account_email(b.id, 100, 3).await.unwrap(), "another account counts apart");
        assert!(tx.count_account_email(a.id, 101, 3).await.unwrap(), "a new hour starts again");
        tx.commit().await.unwrap();
        // Concurrent units of work never count past the limit.
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let store = db.store.clone();
            let id = a.id;
            tasks.push(tokio::spawn(async move {
                let mut tx = store.begin().await.unwrap();
                let ok = tx.count_account_email(id, 200, 5).await.unwrap();
                tx.commit().await.unwrap();
                ok
            }));
        }
        let mut counted = 0;
        for t in tasks {
            counted += usize::from(t.await.unwrap());
        }
        assert_eq!(counted, 5);
    })
    .await;
}

#[tokio::test]
async fn r_mail_4_template_overrides_round_trip_per_account() {
    for_each_backend(|db| async move {
        let (a, owner) = new_account(&db.store, "Templates A").await;
        let (b, _) = new_account(&db.store, "Templates B").await;
        let row = TemplateRow {
            account_id: a.id,
            name: "welcome".to_owned(),
            subject: "Hi {{ user.first_name }}".to_owned(),
            text_body: "Text".to_owned(),
            html_body: "<p>Html</p>".to_owned(),
            updated_by: Some(owner.id),
            updated_at: now(),
        };
        let mut tx = db.store.begin().await.unwrap();
        tx.put_template_override(&row).await.unwrap();
        let changed = TemplateRow { subject: "Hello again".to_owned(), ..row.clone() };
        tx.put_template_override(&changed).await.unwrap();
        tx.commit().await.unwrap();
        let mut r = db.store.read().await.unwrap();
        assert_eq!(r.template_override(a.id, "welcome").await.unwrap(), Some(changed));
        assert_eq!(r.template_override(b.id, "welcome").await.unwrap(), None);
        assert_eq!(r.template_overrides(a.id).await.unwrap(), vec!["welcome".to_owned()]);
        assert!(r.template_overrides(b.id).await.unwrap().is_empty());
        drop(r);
        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.delete_template_override(a.id, "welcome").await.unwrap());
        assert!(!tx.delete_template_override(a.id, "welcome").await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(db.store.read().await.unwrap().template_override(a.id, "welcome").await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn outbox_lists_for_the_operator_and_counts_by_status() {
    for_each_backend(|db| async move {
        let (account, _) = new_account(&db.store, "Counted").await;
        let first = email_row(Some(account.id), now());
        let second = email_row(None, now());
        enqueue(&db.store, &first).await;
        enqueue(&db.store, &second).await;
        let mut r = db.store.read().await.unwrap();
        let all = r.all_emails(None, 500).await.unwrap();
        let pos = |id| all.iter().position(|e| e.id == id).unwrap();
        assert!(pos(second.id) < pos(first.id), "newest first");
        let older = r.all_emails(Some(second.id), 500).await.unwrap();
        assert!(older.iter().all(|e| e.id < second.id));
        let counts = r.email_counts().await.unwrap();
        let queued = counts.iter().find(|(s, _)| s == "queued").map(|(_, n)| *n).unwrap();
        assert!(queued >= 2);
    })
    .await;
}
