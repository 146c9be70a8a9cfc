//! Invitations (R-INV-1): one pending per address, single-use accept, one winner among concurrent accepts.
use super::*;

// ---------------------------------------------------------------------------------------------
// invitations (R-INV-1)

fn invitation_row(
    account_id: Uuid,
    email: &str,
    by: Option<Uuid>,
    expires_at: OffsetDateTime,
) -> roster_store::InvitationRow {
    roster_store::InvitationRow {
        account_id,
        id: Uuid::now_v7(),
        email: email.to_owned(),
        role: roster_core::RoleKind::Custom,
        custom_role_id: Some(Uuid::now_v7()),
        permissions: Some("users.view,users.invite".to_owned()),
        token_hash: Uuid::now_v7().as_bytes().to_vec(),
        invited_by: by,
        status: roster_core::InvitationStatus::Pending,
        expires_at,
        created_at: now(),
        accepted_at: None,
        accepted_by: None,
        revoked_at: None,
    }
}

async fn insert_invitation(store: &Arc<dyn Store>, i: &roster_store::InvitationRow) {
    let mut tx = store.begin().await.unwrap();
    tx.insert_invitation(i).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn r_inv_1_invitations_round_trip_one_pending_per_address_and_page() {
    for_each_backend(|db| async move {
        let (account, owner) = new_account(&db.store, "Inviting").await;
        let t = now();
        let ann = invitation_row(account.id, "ann@example.test", Some(owner.id), t + Duration::days(7));
        insert_invitation(&db.store, &ann).await;
        let mut r = db.store.read().await.unwrap();
        assert_eq!(r.invitation_by_id(account.id, ann.id).await.unwrap().as_ref(), Some(&ann), "every field");
        assert_eq!(r.invitation_by_hash(&ann.token_hash).await.unwrap().as_ref(), Some(&ann));
        assert_eq!(r.pending_invitation_for(account.id, "ANN@example.test").await.unwrap().map(|i| i.id), Some(ann.id));
        let (other, _) = new_account(&db.store, "Elsewhere").await;
        assert_eq!(r.invitation_by_id(other.id, ann.id).await.unwrap(), None, "scoped to the account");
        drop(r);

        // One pending invitation per address (case-insensitive); another account may invite too.
        let mut tx = db.store.begin().await.unwrap();
        let twin = invitation_row(account.id, "Ann@Example.test", Some(owner.id), t + Duration::days(7));
        let err = tx.insert_invitation(&twin).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict("invitation")), "got {err:?}");
        drop(tx);
        insert_invitation(&db.store, &invitation_row(other.id, "ann@example.test", None, t + Duration::days(7))).await;

        // Revoked: no longer pending, and a new one may be made.
        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.revoke_invitation(account.id, ann.id, now()).await.unwrap());
        assert!(!tx.revoke_invitation(account.id, ann.id, now()).await.unwrap(), "once");
        assert!(!tx.revoke_invitation(other.id, ann.id, now()).await.unwrap(), "not another account's");
        tx.insert_invitation(&twin).await.unwrap();
        tx.commit().await.unwrap();
        let revoked = db.store.read().await.unwrap().invitation_by_id(account.id, ann.id).await.unwrap().unwrap();
        assert_eq!(revoked.status.as_str(), "revoked");
        assert!(revoked.revoked_at.is_some());

        // The pending list: newest first, with the sender's name, keyset-paged; no revoked rows.
        let mut ids = vec![twin.id];
        for n in 0..3 {
            let i = invitation_row(account.id, &format!("p{n}@example.test"), None, t + Duration::days(1));
            insert_invitation(&db.store, &i).await;
            ids.push(i.id);
        }
        ids.reverse();
        let mut r = db.store.read().await.unwrap();
        let page = r.pending_invitations(account.id, None, 3).await.unwrap();
        assert_eq!(page.iter().map(|p| p.invitation.id).collect::<Vec<_>>(), ids[..3]);
        assert_eq!(page[0].invited_by_name, None);
        let rest = r.pending_invitations(account.id, Some(ids[2]), 3).await.unwrap();
        assert_eq!(rest.iter().map(|p| p.invitation.id).collect::<Vec<_>>(), ids[3..]);
        assert_eq!(rest[0].invited_by_name.as_deref(), Some("Olivia Owner"));
    })
    .await;
}

#[tokio::test]
async fn r_inv_1_accept_is_single_use_and_refuses_expired_revoked_and_reissued_links() {
    for_each_backend(|db| async move {
        let (account, owner) = new_account(&db.store, "Accepting").await;
        let user = new_user(&db.store, "Ann", "Invitee").await;
        let t = now();
        let live = invitation_row(account.id, "live@example.test", Some(owner.id), t + Duration::days(7));
        let expired = invitation_row(account.id, "old@example.test", Some(owner.id), t - Duration::seconds(1));
        let revoked = invitation_row(account.id, "gone@example.test", Some(owner.id), t + Duration::days(7));
        let resent = invitation_row(account.id, "resent@example.test", Some(owner.id), t + Duration::days(7));
        for i in [&live, &expired, &revoked, &resent] {
            insert_invitation(&db.store, i).await;
        }
        let mut tx = db.store.begin().await.unwrap();
        tx.revoke_invitation(account.id, revoked.id, now()).await.unwrap();
        let new_hash = b"a new link's hash".to_vec();
        assert!(tx.reissue_invitation(account.id, resent.id, &new_hash, t + Duration::days(14)).await.unwrap());
        assert!(!tx.accept_invitation(&expired.token_hash, user.id, now()).await.unwrap(), "expired");
        assert!(!tx.accept_invitation(&revoked.token_hash, user.id, now()).await.unwrap(), "revoked");
        assert!(!tx.accept_invitation(&resent.token_hash, user.id, now()).await.unwrap(), "the old link is dead");
        assert!(tx.accept_invitation(&new_hash, user.id, now()).await.unwrap(), "the new one works");
        assert!(tx.accept_invitation(&live.token_hash, user.id, now()).await.unwrap());
        assert!(!tx.accept_invitation(&live.token_hash, user.id, now()).await.unwrap(), "single use");
        assert!(!tx.revoke_invitation(account.id, live.id, now()).await.unwrap(), "accepted cannot be revoked");
        assert!(
            !tx.reissue_invitation(account.id, live.id, b"x", t + Duration::days(1)).await.unwrap(),
            "accepted cannot be resent"
        );
        tx.commit().await.unwrap();
        let done = db.store.read().await.unwrap().invitation_by_id(account.id, live.id).await.unwrap().unwrap();
        assert_eq!((done.status.as_str(), done.accepted_by), ("accepted", Some(user.id)));
        assert!(done.accepted_at.is_some());

        // An expired pending invitation is superseded (revoked) before a new one for the address.
        let mut tx = db.store.begin().await.unwrap();
        assert_eq!(tx.supersede_expired_invitation(account.id, "live@example.test", now()).await.unwrap(), 0);
        assert_eq!(tx.supersede_expired_invitation(account.id, "OLD@example.test", now()).await.unwrap(), 1);
        tx.insert_invitation(&invitation_row(account.id, "old@example.test", None, t + Duration::days(7)))
            .await
            .unwrap();
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn r_inv_1_eight_concurrent_accepts_of_one_link_make_one_winner() {
    for_each_backend(|db| async move {
        let (account, owner) = new_account(&db.store, "Racing").await;
        let user = new_user(&db.store, "Rae", "Racer").await;
        let i = invitation_row(account.id, "race@example.test", Some(owner.id), now() + Duration::days(7));
        insert_invitation(&db.store, &i).await;
        let accept = || {
            let store = db.store.clone();
            let hash = i.token_hash.clone();
            async move {
                let mut tx = store.begin().await.unwrap();
                let won = tx.accept_invitation(&hash, user.id, now()).await.unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                tx.commit().await.unwrap();
                won
            }
        };
        let handles: Vec<_> = (0..8).map(|_| tokio::spawn(accept())).collect();
        let mut wins = 0;
        for h in handles {
            wins += usize::from(h.await.unwrap());
        }
        assert_eq!(wins, 1, "exactly one of eight concurrent accepts wins");
    })
    .await;
}
