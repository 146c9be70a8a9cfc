//! The audit log: events round trip, newest first, per account (R-AUD-1).
use super::*;

// ---------------------------------------------------------------------------------------------
// audit

#[tokio::test]
async fn audit_events_round_trip_newest_first_per_account() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Audited").await;
        let (other, _) = new_account(&db.store, "Elsewhere").await;
        let base = now();
        let events: Vec<AuditRow> = (0..5)
            .map(|i| AuditRow {
                id: Uuid::now_v7(),
                account_id: Some(if i == 2 { other.id } else { account.id }),
                actor_id: Some(owner.id),
                impersonator_id: if i == 3 { Some(Uuid::now_v7()) } else { None },
                action: roster_core::AuditAction::ALL[usize::try_from(i).unwrap()],
                target_type: Some("user".into()),
                target_id: Some(owner.id.to_string()),
                ip: Some("198.51.100.1".into()),
                details: if i == 1 { None } else { Some(format!("{{\"n\":{i}}}")) },
                at: base + Duration::milliseconds(i),
            })
            .collect();
        let mut tx = db.store.begin().await.unwrap();
        // Written out of order: the order comes from the ids.
        for i in [4, 0, 2, 3, 1] {
            tx.insert_audit(&events[i]).await.unwrap();
        }
        tx.insert_audit(&AuditRow {
            id: Uuid::now_v7(),
            account_id: None,
            actor_id: None,
            impersonator_id: None,
            action: roster_core::AuditAction::OperatorCreated,
            target_type: None,
            target_id: None,
            ip: None,
            details: None,
            at: base,
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let mut r = db.store.read().await.unwrap();
        let mut expected: Vec<AuditRow> = events.iter().filter(|e| e.account_id == Some(account.id)).cloned().collect();
        expected.sort_by_key(|e| std::cmp::Reverse(e.id));
        assert_eq!(r.audit_of_account(account.id, 100).await.unwrap(), expected);
        assert_eq!(r.audit_of_account(account.id, 2).await.unwrap(), expected[..2].to_vec());
        assert_eq!(r.audit_of_account(other.id, 100).await.unwrap(), vec![events[2].clone()]);
        assert!(r.audit_of_account(Uuid::now_v7(), 100).await.unwrap().is_empty());
    })
    .await;
}
