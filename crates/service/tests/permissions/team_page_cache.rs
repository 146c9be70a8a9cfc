//! Decision 0110: a team page kept by the service is served again only while the database
//! still holds what it shows. Each kind of write to the list's contents is followed by a page
//! from the caching service and the same page from a service that keeps none, over one database.
use roster_service::{
    Hasher, Lifecycle, MemberListParams, MemberPage, MemberPatch, Meta, Service, SessionKind, SessionPolicy,
};
use roster_testkit::service::{ServiceUser, TestService};

fn json(page: &MemberPage) -> serde_json::Value {
    serde_json::to_value(page).unwrap()
}

/// The owner's first page from the caching service (asked twice, the second from the cache on
/// SQLite) equals the page a service without a cache reads, and what it shows satisfies `seen`.
async fn same_as_fresh(t: &TestService, fresh: &Service, owner: &ServiceUser, what: &str) -> serde_json::Value {
    let list = MemberListParams::default();
    let first = t.service.search_members(&owner.principal, owner.account, &list).await.unwrap();
    let again = t.service.search_members(&owner.principal, owner.account, &list).await.unwrap();
    let truth = fresh.search_members(&owner.principal, owner.account, &list).await.unwrap();
    assert_eq!(json(&first), json(&truth), "after {what}: the first page");
    assert_eq!(json(&again), json(&truth), "after {what}: the kept page");
    json(&truth)
}

fn row<'a>(page: &'a serde_json::Value, user: &ServiceUser) -> Option<&'a serde_json::Value> {
    page["items"].as_array().unwrap().iter().find(|m| m["user_id"] == user.id.to_string())
}

#[tokio::test]
async fn r_list_1_a_kept_team_page_is_never_older_than_the_database() {
    TestService::each_backend(|t| async move {
        let owner = t.owner("Kept pages").await;
        // Restoring an archived member emails them (R-ARC-2): the account sends once its
        // owner's address is proved (R-AUTH-8).
        t.prove_address(owner.id).await;
        let fresh = t.service.clone().with_page_cache(0);
        let meta = Meta::default();
        let sam = t.member_with(&owner, "employee").await;
        let page = same_as_fresh(&t, &fresh, &owner, "the first read").await;
        assert!(row(&page, &sam).is_some());

        // The member's person: name, phone, company (users' columns).
        let patch = MemberPatch {
            first_name: Some("Samuel".into()),
            phone: Some("+1 555 0100".into()),
            company: Some("Kept & Co".into()),
            ..MemberPatch::default()
        };
        t.service.update_member(&owner.principal, owner.account, sam.id, &patch, &meta).await.unwrap();
        let page = same_as_fresh(&t, &fresh, &owner, "a profile edit").await;
        assert_eq!(row(&page, &sam).unwrap()["company"], "Kept & Co");
        // Columns only the users' row holds (no sort copy on the membership).
        let patch =
            MemberPatch { phone: Some("+1 555 0199".into()), username: Some("sam_k".into()), ..MemberPatch::default() };
        t.service.update_member(&owner.principal, owner.account, sam.id, &patch, &meta).await.unwrap();
        let page = same_as_fresh(&t, &fresh, &owner, "a phone and username edit").await;
        assert_eq!(row(&page, &sam).unwrap()["phone"], "+1 555 0199");

        // The membership: role, then status.
        let patch = MemberPatch { role: Some("admin".into()), ..MemberPatch::default() };
        t.service.update_member(&owner.principal, owner.account, sam.id, &patch, &meta).await.unwrap();
        let page = same_as_fresh(&t, &fresh, &owner, "a role change").await;
        assert_eq!(row(&page, &sam).unwrap()["role"], "admin");
        t.service
            .change_member_status(&owner.principal, owner.account, sam.id, Lifecycle::Disable, &meta)
            .await
            .unwrap();
        let page = same_as_fresh(&t, &fresh, &owner, "disabling").await;
        assert_eq!(row(&page, &sam).unwrap()["status"], "disabled");
        t.service
            .change_member_status(&owner.principal, owner.account, sam.id, Lifecycle::Enable, &meta)
            .await
            .unwrap();
        same_as_fresh(&t, &fresh, &owner, "enabling").await;
        t.service
            .change_member_status(&owner.principal, owner.account, sam.id, Lifecycle::Archive, &meta)
            .await
            .unwrap();
        let page = same_as_fresh(&t, &fresh, &owner, "archiving").await;
        assert!(row(&page, &sam).is_none(), "archived members are not on the default tab");
        t.service
            .change_member_status(&owner.principal, owner.account, sam.id, Lifecycle::Restore, &meta)
            .await
            .unwrap();
        same_as_fresh(&t, &fresh, &owner, "restoring").await;

        // A new member; a sign-in (last_sign_in_at); the person's own profile.
        let ann = t.member_with(&owner, "standard").await;
        assert!(row(&same_as_fresh(&t, &fresh, &owner, "adding a member").await, &ann).is_some());
        t.service.sign_in(&ann.email, &ann.password, Some(owner.account), SessionKind::Api, &meta).await.unwrap();
        let page = same_as_fresh(&t, &fresh, &owner, "a sign-in").await;
        assert!(!row(&page, &ann).unwrap()["last_sign_in_at"].is_null());
        t.service.update_my_profile(&ann.principal, "Annabel", "Kept", "UTC", &meta).await.unwrap();
        let page = same_as_fresh(&t, &fresh, &owner, "the member's own profile edit").await;
        assert_eq!(row(&page, &ann).unwrap()["first_name"], "Annabel");

        // The owner hands the account over (is_owner moves), then a member is deleted.
        t.service.transfer_ownership(&owner.principal, owner.account, sam.id, &owner.password, &meta).await.unwrap();
        let page = same_as_fresh(&t, &fresh, &owner, "a transfer of ownership").await;
        assert_eq!(row(&page, &sam).unwrap()["is_owner"], true);
        // Another process on the same database (as the CLI is): its own store and service,
        // which this service's memory knows nothing of.
        let other_store = roster_store::open(&t.db.url).await.unwrap();
        let other = Service::new(other_store, Hasher::for_tests().unwrap(), SessionPolicy::default());
        let patch = MemberPatch { company: Some("Elsewhere Ltd".into()), ..MemberPatch::default() };
        other.update_member(&owner.principal, owner.account, ann.id, &patch, &meta).await.unwrap();
        let page = same_as_fresh(&t, &fresh, &owner, "a write by another process").await;
        assert_eq!(row(&page, &ann).unwrap()["company"], "Elsewhere Ltd");

        // The former owner, now an admin, deletes a member.
        t.service.delete_member(&owner.principal, owner.account, ann.id, None, &meta).await.unwrap();
        let page = same_as_fresh(&t, &fresh, &owner, "deleting a member").await;
        assert!(row(&page, &ann).is_none());
    })
    .await;
}

/// Rights are checked before a kept page is looked for: a member without `users.view` is
/// refused, and another account's admin is a stranger (404), after the owner's page was kept.
#[tokio::test]
async fn r_list_1_a_kept_team_page_reaches_no_one_the_list_would_refuse() {
    TestService::each_backend(|t| async move {
        let owner = t.owner("Kept rights").await;
        let customer = t.member_with(&owner, "customer").await;
        let elsewhere = t.other_account(&owner, "Kept elsewhere", "admin").await;
        let list = MemberListParams::default();
        t.service.search_members(&owner.principal, owner.account, &list).await.unwrap();
        t.service.search_members(&owner.principal, owner.account, &list).await.unwrap();
        let refused = t.service.search_members(&customer.principal, owner.account, &list).await;
        assert!(matches!(refused, Err(roster_service::ServiceError::Forbidden(_))), "{refused:?}");
        let stranger = t.service.search_members(&elsewhere.principal, owner.account, &list).await;
        assert!(matches!(stranger, Err(roster_service::ServiceError::NotFound)), "{stranger:?}");
    })
    .await;
}

/// While one task renames a member again and again, lists read at the same time never show a
/// name older than the last rename committed before the list was asked for (the version is read
/// before the page: decision 0110).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_list_1_a_kept_team_page_is_never_older_than_a_write_committed_before_the_request() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    TestService::each_backend(|t| async move {
        let owner = t.owner("Kept races").await;
        let sam = t.member_with(&owner, "employee").await;
        let committed = Arc::new(AtomicUsize::new(0));
        let renames = 60;
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
                }
            })
        };
        let list = MemberListParams::default();
        let mut lists = 0;
        while committed.load(Ordering::SeqCst) < renames {
            let before = committed.load(Ordering::SeqCst);
            let page = t.service.search_members(&owner.principal, owner.account, &list).await.unwrap();
            let item = page.items.iter().find(|m| m.user_id == sam.id).unwrap();
            let seen: usize =
                item.company.as_deref().and_then(|c| c.strip_prefix('v')).map_or(0, |n| n.parse().unwrap());
            assert!(seen >= before, "a page showed rename {seen} after rename {before} was committed");
            lists += 1;
        }
        writer.await.unwrap();
        assert!(lists > 0);
    })
    .await;
}
