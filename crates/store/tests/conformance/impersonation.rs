//! "Log in as" sessions keep the impersonator and the reason (R-IMP-1).
use super::*;

#[tokio::test]
async fn r_imp_1_impersonation_sessions_keep_the_impersonator_and_reason() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Acting As").await;
        let member = new_member(&db.store, account.id, "employee", "active").await;
        let t = now();
        let s = SessionRow {
            impersonator_id: Some(owner.id),
            impersonation_reason: Some("Ticket #42: cannot see the calendar".to_owned()),
            idle_expires_at: t + Duration::minutes(60),
            expires_at: t + Duration::minutes(60),
            ..session_row(member.id, Some(account.id), t)
        };
        let plain = session_row(member.id, Some(account.id), t);
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_session(&s).await.unwrap();
        tx.insert_session(&plain).await.unwrap();
        tx.commit().await.unwrap();

        let mut r = db.store.read().await.unwrap();
        let (back, user) = r.session_by_hash(&s.token_hash, t).await.unwrap().unwrap();
        assert_eq!(back, s);
        assert_eq!(user.id, member.id);
        let (back, _) = r.session_by_hash(&plain.token_hash, t).await.unwrap().unwrap();
        assert_eq!((back.impersonator_id, back.impersonation_reason), (None, None));
        let listed = r.sessions_of_user(member.id, t).await.unwrap();
        assert!(listed.iter().any(|x| x == &s), "{listed:?}");

        // The account setting: on by default, and it round-trips.
        let mut a = r.account_by_id(account.id).await.unwrap().unwrap();
        assert!(a.allow_impersonation);
        drop(r);
        a.allow_impersonation = false;
        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.update_account_settings(&a).await.unwrap());
        tx.commit().await.unwrap();
        let back = db.store.read().await.unwrap().account_by_id(account.id).await.unwrap().unwrap();
        assert!(!back.allow_impersonation);
    })
    .await;
}
