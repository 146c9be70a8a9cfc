//! Decision 0107: a request reads its caller's membership in the statement that finds its
//! session (`Prefetch`). That copy serves only reads of the same account; another account's
//! route reads its own membership, and a unit that writes reads it again in its transaction.
use roster_service::{MemberListParams, MemberPatch, Meta, NewMember, Prefetch, Principal, ServiceError, SessionKind};
use roster_testkit::service::{ServiceUser, TestService};
use uuid::Uuid;

/// `user` signed in again: a bearer token.
async fn token(t: &TestService, user: &ServiceUser) -> String {
    t.service
        .sign_in(&user.email, &user.password, Some(user.account), SessionKind::Api, &Meta::default())
        .await
        .unwrap()
        .token
}

/// `user` signed in again and authenticated with `want`.
async fn prefetched(t: &TestService, user: &ServiceUser, want: Prefetch) -> Principal {
    t.service.authenticate_for(&token(t, user).await, want).await.unwrap()
}

#[tokio::test]
async fn r_perm_a_membership_read_with_the_session_serves_only_its_own_account() {
    TestService::each_backend(|t| async move {
        let owner = t.owner("Prefetch home").await;
        let admin = t.member_with(&owner, "admin").await;
        // A second account, made by the owner; the admin is nobody there.
        let elsewhere = t.other_account(&owner, "Prefetch elsewhere", "customer").await;
        let list = MemberListParams::default();

        // Fetched for the other account (where the admin is nobody), asked about their own:
        // their own membership is read, and they see their team.
        let p = prefetched(&t, &admin, Prefetch::Membership(elsewhere.account)).await;
        assert!(t.service.search_members(&p, owner.account, &list).await.is_ok());
        // Fetched for their own account, asked about the other: a stranger there (404).
        let p = prefetched(&t, &admin, Prefetch::Membership(owner.account)).await;
        assert!(t.service.search_members(&p, owner.account, &list).await.is_ok());
        let there = t.service.search_members(&p, elsewhere.account, &list).await;
        assert!(matches!(there, Err(ServiceError::NotFound)), "{there:?}");
        // An account that does not exist: 404 too, prefetched for it or not.
        let nowhere = Uuid::now_v7();
        let p = prefetched(&t, &admin, Prefetch::Membership(nowhere)).await;
        assert!(matches!(t.service.search_members(&p, nowhere, &list).await, Err(ServiceError::NotFound)));

        // `/me` from the session's statement equals `/me` read apart.
        let secret = token(&t, &owner).await;
        let all = t.service.authenticate_for(&secret, Prefetch::Memberships).await.unwrap();
        let none = t.service.authenticate_for(&secret, Prefetch::Nothing).await.unwrap();
        assert_eq!(
            serde_json::to_value(t.service.me(&all).await.unwrap()).unwrap(),
            serde_json::to_value(t.service.me(&none).await.unwrap()).unwrap()
        );
    })
    .await;
}

#[tokio::test]
async fn r_perm_a_write_checks_the_membership_inside_its_own_transaction() {
    TestService::each_backend(|t| async move {
        let owner = t.owner("Prefetch writes").await;
        let admin = t.member_with(&owner, "admin").await;
        // Read while they were an admin...
        let stale = prefetched(&t, &admin, Prefetch::Membership(owner.account)).await;
        // ...then made a standard user, who may not add people.
        let patch = MemberPatch { role: Some("standard".into()), ..MemberPatch::default() };
        t.service.update_member(&owner.principal, owner.account, admin.id, &patch, &Meta::default()).await.unwrap();
        let input = NewMember {
            email: "late-admin@example.test".into(),
            first_name: "Late".into(),
            last_name: "Admin".into(),
            ..NewMember::default()
        };
        let added = t.service.add_member(&stale, owner.account, &input, &Meta::default()).await;
        assert!(matches!(added, Err(ServiceError::Forbidden(_))), "{added:?}");
    })
    .await;
}

/// A personal API token reads its member's membership with the token (decision 0111): reads in
/// the token's account use that copy, a write reads the membership again in its transaction,
/// and another account stays out of reach.
#[tokio::test]
async fn r_perm_a_personal_token_s_membership_copy_serves_only_reads_of_its_account() {
    TestService::each_backend(|t| async move {
        let owner = t.owner("Token prefetch").await;
        let admin = t.member_with(&owner, "admin").await;
        let elsewhere = t.other_account(&owner, "Token elsewhere", "customer").await;
        let signed_in = prefetched(&t, &admin, Prefetch::Nothing).await;
        let made = t.service.create_api_token(&signed_in, "script", None, &Meta::default()).await.unwrap();
        let stale = t.service.authenticate_for(&made.token, Prefetch::Membership(owner.account)).await.unwrap();
        let list = MemberListParams::default();
        assert!(t.service.search_members(&stale, owner.account, &list).await.is_ok());
        let there = t.service.search_members(&stale, elsewhere.account, &list).await;
        assert!(matches!(there, Err(ServiceError::NotFound)), "{there:?}");

        // Demoted after the token was read: reads may still use the copy of this request, but a
        // write checks the membership of now.
        let patch = MemberPatch { role: Some("standard".into()), ..MemberPatch::default() };
        t.service.update_member(&owner.principal, owner.account, admin.id, &patch, &Meta::default()).await.unwrap();
        let input = NewMember {
            email: "token-late@example.test".into(),
            first_name: "Token".into(),
            last_name: "Late".into(),
            ..NewMember::default()
        };
        let added = t.service.add_member(&stale, owner.account, &input, &Meta::default()).await;
        assert!(matches!(added, Err(ServiceError::Forbidden(_))), "{added:?}");
        // The next request reads the new role.
        let fresh = t.service.authenticate(&made.token).await.unwrap();
        let added = t.service.add_member(&fresh, owner.account, &input, &Meta::default()).await;
        assert!(matches!(added, Err(ServiceError::Forbidden(_))), "{added:?}");
    })
    .await;
}
