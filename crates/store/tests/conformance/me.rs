//! Personal API tokens: round trip, lookup by hash, last use, tied to a membership (R-DIS-1).
use super::*;

// ---- Personal API tokens ----

fn api_token_row(account_id: Uuid, user_id: Uuid, name: &str, t: OffsetDateTime) -> roster_store::ApiTokenRow {
    roster_store::ApiTokenRow {
        id: Uuid::now_v7(),
        user_id,
        account_id,
        name: name.to_owned(),
        token_hash: Uuid::now_v7().as_bytes().to_vec(),
        prefix: format!("roster_pat_{}", &unique()[..4]),
        created_at: t,
        expires_at: None,
        last_used_at: None,
        revoked_at: None,
    }
}

async fn insert_api_token(store: &Arc<dyn Store>, t: &roster_store::ApiTokenRow) {
    let mut tx = store.begin().await.unwrap();
    tx.insert_api_token(t).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn api_tokens_round_trip_newest_first_per_person_and_account() {
    for_each_backend(|db| async move {
        let (account, owner) = new_account(&db.store, "Tokens").await;
        let (other_account, _) = new_account(&db.store, "Elsewhere").await;
        let member = new_member(&db.store, account.id, "admin", "active").await;
        let t = now();
        let mut first = api_token_row(account.id, member.id, "CI", t - Duration::minutes(2));
        first.expires_at = Some(t + Duration::days(30));
        first.last_used_at = Some(t - Duration::minutes(1));
        let second = api_token_row(account.id, member.id, "Laptop", t);
        let owners = api_token_row(account.id, owner.id, "Owner's", t);
        for row in [&first, &second, &owners] {
            insert_api_token(&db.store, row).await;
        }
        let mut r = db.store.read().await.unwrap();
        assert_eq!(r.api_tokens_of(account.id, member.id).await.unwrap(), vec![second.clone(), first.clone()]);
        assert_eq!(r.api_tokens_of(other_account.id, member.id).await.unwrap(), vec![]);
        let (found, user, membership) = r.api_token_by_hash(&first.token_hash, now()).await.unwrap().unwrap();
        assert_eq!(
            (found, user.id, membership.map(|m| m.status)),
            (first.clone(), member.id, Some(roster_core::MembershipStatus::Active))
        );
        drop(r);

        let mut tx = db.store.begin().await.unwrap();
        assert!(!tx.revoke_api_token(account.id, owner.id, first.id, now()).await.unwrap(), "not the owner's");
        assert!(!tx.revoke_api_token(other_account.id, member.id, first.id, now()).await.unwrap(), "other account");
        assert!(tx.revoke_api_token(account.id, member.id, first.id, now()).await.unwrap());
        assert!(!tx.revoke_api_token(account.id, member.id, first.id, now()).await.unwrap(), "already revoked");
        tx.commit().await.unwrap();
        let mut r = db.store.read().await.unwrap();
        assert_eq!(r.api_tokens_of(account.id, member.id).await.unwrap(), vec![second], "revoked ones are not listed");
        assert_eq!(r.api_token_by_hash(&first.token_hash, now()).await.unwrap(), None, "revoked");
    })
    .await;
}

#[tokio::test]
async fn api_token_by_hash_finds_only_unrevoked_unexpired_tokens() {
    for_each_backend(|db| async move {
        let (account, owner) = new_account(&db.store, "Expiry").await;
        let t = now();
        let mut expired = api_token_row(account.id, owner.id, "old", t - Duration::days(2));
        expired.expires_at = Some(t - Duration::seconds(1));
        let mut later = api_token_row(account.id, owner.id, "later", t);
        later.expires_at = Some(t + Duration::hours(1));
        let mut revoked = api_token_row(account.id, owner.id, "revoked", t);
        revoked.revoked_at = Some(t);
        for row in [&expired, &later, &revoked] {
            insert_api_token(&db.store, row).await;
        }
        let mut r = db.store.read().await.unwrap();
        assert_eq!(r.api_token_by_hash(&expired.token_hash, t).await.unwrap(), None);
        assert!(r.api_token_by_hash(&later.token_hash, t).await.unwrap().is_some());
        assert_eq!(r.api_token_by_hash(&later.token_hash, t + Duration::hours(1)).await.unwrap(), None, "at expiry");
        assert_eq!(r.api_token_by_hash(&revoked.token_hash, t).await.unwrap(), None);
        assert_eq!(r.api_token_by_hash(b"unknown", t).await.unwrap(), None);
        let listed: Vec<String> =
            r.api_tokens_of(account.id, owner.id).await.unwrap().into_iter().map(|x| x.name).collect();
        assert_eq!(listed, ["later", "old"], "expired tokens are still listed, revoked ones not");
    })
    .await;
}

/// Decision 0111: many token hashes in one statement read what each single lookup reads.
#[tokio::test]
async fn api_tokens_found_many_at_once_read_what_each_lookup_gives() {
    for_each_backend(|db| async move {
        let (account, owner) = new_account(&db.store, "Many tokens").await;
        let member = new_member(&db.store, account.id, "employee", "disabled").await;
        let t = now();
        let mine = api_token_row(account.id, owner.id, "mine", t);
        let theirs = api_token_row(account.id, member.id, "theirs", t);
        let mut expired = api_token_row(account.id, owner.id, "old", t - Duration::days(2));
        expired.expires_at = Some(t - Duration::seconds(1));
        let mut revoked = api_token_row(account.id, owner.id, "revoked", t);
        revoked.revoked_at = Some(t);
        for row in [&mine, &theirs, &expired, &revoked] {
            insert_api_token(&db.store, row).await;
        }
        let mut r = db.store.read().await.unwrap();
        let hashes: Vec<Vec<u8>> = [&mine, &theirs, &expired, &revoked, &mine]
            .iter()
            .map(|x| x.token_hash.clone())
            .chain([b"unknown".to_vec()])
            .collect();
        let mut found = r.api_tokens_by_hashes(&hashes, t).await.unwrap();
        found.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        let mut expected = Vec::new();
        for x in [&mine, &theirs] {
            expected.push(r.api_token_by_hash(&x.token_hash, t).await.unwrap().unwrap());
        }
        assert_eq!(found, expected, "live tokens only, each once, with the membership's status");
        assert_eq!(found[1].2.as_ref().map(|m| m.status), Some(roster_core::MembershipStatus::Disabled));
        assert_eq!(
            found[0].2,
            r.membership(account.id, owner.id).await.unwrap(),
            "the owner's membership, as read alone"
        );
        assert!(found[0].2.as_ref().unwrap().is_owner);
        assert_eq!(r.api_tokens_by_hashes(&[], t).await.unwrap(), vec![]);
    })
    .await;
}

#[tokio::test]
async fn r_dis_1_api_token_shows_its_membership_status_and_dies_with_the_membership() {
    for_each_backend(|db| async move {
        let (account, _) = new_account(&db.store, "Membership").await;
        let member = new_member(&db.store, account.id, "employee", "active").await;
        let token = api_token_row(account.id, member.id, "script", now());
        insert_api_token(&db.store, &token).await;
        let mut tx = db.store.begin().await.unwrap();
        tx.set_membership_status(account.id, member.id, roster_core::MembershipStatus::Disabled).await.unwrap();
        tx.commit().await.unwrap();
        let found = db.store.read().await.unwrap().api_token_by_hash(&token.token_hash, now()).await.unwrap();
        assert_eq!(
            found.map(|f| f.2.map(|m| m.status)),
            Some(Some(roster_core::MembershipStatus::Disabled)),
            "the service refuses it"
        );
        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.delete_membership(account.id, member.id).await.unwrap());
        tx.commit().await.unwrap();
        let mut r = db.store.read().await.unwrap();
        assert_eq!(r.api_token_by_hash(&token.token_hash, now()).await.unwrap(), None, "deleted with the membership");
        assert_eq!(r.api_tokens_of(account.id, member.id).await.unwrap(), vec![]);
    })
    .await;
}

#[tokio::test]
async fn api_token_last_use_is_written_at_most_once_a_minute() {
    for_each_backend(|db| async move {
        let (account, owner) = new_account(&db.store, "Touch").await;
        let token = api_token_row(account.id, owner.id, "cron", now());
        insert_api_token(&db.store, &token).await;
        let t = now();
        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.touch_api_token(token.id, t, t - Duration::minutes(1)).await.unwrap(), "never used: written");
        let t2 = t + Duration::seconds(30);
        assert!(!tx.touch_api_token(token.id, t2, t2 - Duration::minutes(1)).await.unwrap(), "used 30 s ago");
        let t3 = t + Duration::seconds(61);
        assert!(tx.touch_api_token(token.id, t3, t3 - Duration::minutes(1)).await.unwrap());
        tx.commit().await.unwrap();
        let listed = db.store.read().await.unwrap().api_tokens_of(account.id, owner.id).await.unwrap();
        assert_eq!(listed[0].last_used_at, Some(t3));
    })
    .await;
}

#[tokio::test]
async fn api_token_hashes_are_unique_and_need_a_membership() {
    for_each_backend(|db| async move {
        let (account, owner) = new_account(&db.store, "Unique").await;
        let token = api_token_row(account.id, owner.id, "one", now());
        insert_api_token(&db.store, &token).await;
        let mut tx = db.store.begin().await.unwrap();
        let twin = roster_store::ApiTokenRow { id: Uuid::now_v7(), ..token.clone() };
        let err = tx.insert_api_token(&twin).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "got {err:?}");
        drop(tx);
        let stranger = new_user(&db.store, "Stan", "Stranger").await;
        let mut tx = db.store.begin().await.unwrap();
        let no_membership = api_token_row(account.id, stranger.id, "nope", now());
        assert!(tx.insert_api_token(&no_membership).await.is_err(), "a token needs a membership");
    })
    .await;
}
