//! People and accounts: users round trip, unique emails, usernames and slugs, memberships, and the owner rules the database enforces (R-OWN-1, R-OWN-3, R-OWN-4).
use super::*;

// ---------------------------------------------------------------------------------------------
// users

#[tokio::test]
async fn users_round_trip_every_field() {
    for_each_backend(|db: TestDb| async move {
        let full = full_user("Ada", "Lovelace");
        let bare = bare_user("Bo", "Bare");
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_user(&full).await.unwrap();
        tx.insert_user(&bare).await.unwrap();
        tx.commit().await.unwrap();

        let mut r = db.store.read().await.unwrap();
        for u in [&full, &bare] {
            assert_eq!(r.user_by_id(u.id).await.unwrap().as_ref(), Some(u));
            assert_eq!(r.user_by_email(&u.email).await.unwrap().as_ref(), Some(u));
        }
        assert_eq!(r.user_by_username(full.username.as_deref().unwrap()).await.unwrap(), Some(full.clone()));
        assert_eq!(r.user_by_id(Uuid::now_v7()).await.unwrap(), None);
        assert_eq!(r.user_by_email("nobody@example.test").await.unwrap(), None);
        assert_eq!(r.user_by_username("nobody").await.unwrap(), None);
        // Microseconds survive the trip.
        let back = r.user_by_id(full.id).await.unwrap().unwrap();
        assert_eq!(back.updated_at - back.created_at, Duration::microseconds(1));
        assert_eq!(back.created_at.offset(), time::UtcOffset::UTC);
    })
    .await;
}

#[tokio::test]
async fn operator_exists_only_after_an_operator_is_inserted() {
    for_each_backend(|db: TestDb| async move {
        assert!(!db.store.read().await.unwrap().operator_exists().await.unwrap());
        new_user(&db.store, "Not", "Operator").await;
        assert!(!db.store.read().await.unwrap().operator_exists().await.unwrap());
        insert_user(&db.store, &UserRow { is_operator: true, ..bare_user("Op", "Erator") }).await;
        assert!(db.store.read().await.unwrap().operator_exists().await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn duplicate_email_is_a_conflict_on_email() {
    for_each_backend(|db: TestDb| async move {
        let first = full_user("Ann", "One");
        insert_user(&db.store, &first).await;
        let twin = UserRow { email: first.email.clone(), ..full_user("Ann", "Two") };
        let mut tx = db.store.begin().await.unwrap();
        let err = tx.insert_user(&twin).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict("email")), "got {err:?}");
        drop(tx);
        assert_eq!(db.store.read().await.unwrap().user_by_id(twin.id).await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn duplicate_username_is_a_conflict_on_username() {
    for_each_backend(|db: TestDb| async move {
        let first = full_user("Ben", "One");
        insert_user(&db.store, &first).await;
        let twin = UserRow { username: first.username.clone(), ..full_user("Ben", "Two") };
        let mut tx = db.store.begin().await.unwrap();
        let err = tx.insert_user(&twin).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict("username")), "got {err:?}");
        drop(tx);
        // Any number of users may have no username.
        new_user(&db.store, "No", "Name").await;
        new_user(&db.store, "No", "Name").await;
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// accounts and memberships

#[tokio::test]
async fn accounts_insert_with_the_owner_membership_and_round_trip() {
    for_each_backend(|db: TestDb| async move {
        let owner = new_user(&db.store, "Olivia", "Owner").await;
        let account = AccountRow {
            invite_policy: roster_core::InvitePolicy::Permission,
            invitation_ttl_days: 30,
            public_signup: true,
            ..account_row("Round Trip", owner.id)
        };
        let mut m = MembershipRow::new(account.id, owner.id, roster_core::RoleKind::Owner, now());
        m.permissions = Some("users.view,users.manage".to_owned());
        m.landing_page = "contacts".to_owned();
        m.contact_tab = "notes".to_owned();
        m.show_calendar = false;
        m.daily_reminders = true;
        m.last_sign_in_at = Some(now() - Duration::hours(1));
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_account(&account, &m).await.unwrap();
        tx.commit().await.unwrap();

        let mut r = db.store.read().await.unwrap();
        assert_eq!(r.account_by_id(account.id).await.unwrap(), Some(account.clone()));
        assert_eq!(r.account_by_slug(&account.slug).await.unwrap(), Some(account.clone()));
        assert!(r.slug_taken(&account.slug).await.unwrap());
        assert!(!r.slug_taken("free-slug").await.unwrap());
        assert_eq!(r.account_by_id(Uuid::now_v7()).await.unwrap(), None);
        let back = r.membership(account.id, owner.id).await.unwrap().unwrap();
        assert_eq!(back, MembershipRow { is_owner: true, ..m });
        drop(r);

        let at = now();
        let mut tx = db.store.begin().await.unwrap();
        tx.touch_last_sign_in(account.id, owner.id, at).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(membership(&db.store, account.id, owner.id).await.unwrap().last_sign_in_at, Some(at));
    })
    .await;
}

#[tokio::test]
async fn duplicate_slug_is_a_conflict_on_slug() {
    for_each_backend(|db: TestDb| async move {
        let (first, _) = new_account(&db.store, "Taken").await;
        let owner = new_user(&db.store, "Second", "Owner").await;
        let twin = AccountRow { slug: first.slug.clone(), ..account_row("Taken Too", owner.id) };
        let mut tx = db.store.begin().await.unwrap();
        let err = tx
            .insert_account(&twin, &MembershipRow::new(twin.id, owner.id, roster_core::RoleKind::Owner, now()))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict("slug")), "got {err:?}");
        drop(tx);
        assert_eq!(db.store.read().await.unwrap().account_by_id(twin.id).await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn duplicate_membership_is_a_conflict_on_membership() {
    for_each_backend(|db: TestDb| async move {
        let (account, _) = new_account(&db.store, "Twice").await;
        let member = new_member(&db.store, account.id, "standard", "active").await;
        let mut tx = db.store.begin().await.unwrap();
        let err = tx
            .insert_membership(&MembershipRow::new(account.id, member.id, roster_core::RoleKind::Admin, now()))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict("membership")), "got {err:?}");
    })
    .await;
}

#[tokio::test]
async fn membership_is_owner_only_for_the_owner() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Owned").await;
        let admin = new_member(&db.store, account.id, "admin", "active").await;
        let stranger = new_user(&db.store, "Sam", "Stranger").await;
        let o = membership(&db.store, account.id, owner.id).await.unwrap();
        assert!(o.is_owner);
        assert_eq!(o.role.as_str(), "owner");
        let a = membership(&db.store, account.id, admin.id).await.unwrap();
        assert!(!a.is_owner);
        assert_eq!(a.role.as_str(), "admin");
        assert_eq!(membership(&db.store, account.id, stranger.id).await, None);
    })
    .await;
}

#[tokio::test]
async fn memberships_of_user_are_ordered_by_account_name_then_id() {
    for_each_backend(|db: TestDb| async move {
        let user = new_user(&db.store, "Multi", "Tenant").await;
        let mut expected = Vec::new();
        for name in ["charlie", "alpha", "bravo", "alpha"] {
            let (account, _) = new_account(&db.store, name).await;
            let mut tx = db.store.begin().await.unwrap();
            tx.insert_membership(&MembershipRow::new(account.id, user.id, roster_core::RoleKind::Standard, now()))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            expected.push((account.name.clone(), account.id));
        }
        // An account the user is not in stays out.
        new_account(&db.store, "aaa other").await;
        expected.sort();
        let got = db.store.read().await.unwrap().memberships_of_user(user.id).await.unwrap();
        let got_keys: Vec<_> = got.iter().map(|(a, _)| (a.name.clone(), a.id)).collect();
        assert_eq!(got_keys, expected);
        for (a, m) in &got {
            assert_eq!(m.account_id, a.id);
            assert_eq!(m.user_id, user.id);
            assert!(!m.is_owner);
        }
    })
    .await;
}

#[tokio::test]
async fn all_accounts_pages_by_name_then_id() {
    for_each_backend(|db: TestDb| async move {
        let mut expected = Vec::new();
        for i in 0..7 {
            let (a, _) = new_account(&db.store, &format!("acct {}", i % 3)).await;
            expected.push((a.name, a.id));
        }
        expected.sort();
        let mut got = Vec::new();
        let mut after: Option<AccountCursor> = None;
        loop {
            let page = db.store.read().await.unwrap().all_accounts(after.as_ref(), 3).await.unwrap();
            assert!(page.len() <= 3);
            let Some(last) = page.last() else { break };
            after = Some(AccountCursor { name: last.name.clone(), id: last.id });
            got.extend(page.into_iter().map(|a| (a.name, a.id)));
        }
        assert_eq!(got, expected);
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// R-OWN-*: the database refuses, whatever the service does

#[tokio::test]
async fn r_own_1_account_without_owner_membership_is_refused() {
    for_each_backend(|db: TestDb| async move {
        let owner = new_user(&db.store, "Olivia", "Owner").await;
        let other = new_user(&db.store, "Oscar", "Other").await;
        // The account names `owner`, but the only membership written is `other`'s.
        let account = account_row("Ownerless", owner.id);
        let mut tx = db.store.begin().await.unwrap();
        let written = tx
            .insert_account(&account, &MembershipRow::new(account.id, other.id, roster_core::RoleKind::Admin, now()))
            .await;
        let committed = match written {
            Ok(()) => tx.commit().await,
            Err(e) => Err(e),
        };
        let err = committed.expect_err("an account whose owner is not its member must not commit");
        if db.backend == Backend::Postgres {
            assert!(matches!(err, StoreError::Rule("R-OWN-1")), "got {err:?}");
        }
        assert_eq!(db.store.read().await.unwrap().account_by_id(account.id).await.unwrap(), None);
        assert_eq!(membership(&db.store, account.id, other.id).await, None);
        // The writer is usable again after the refused commit.
        let (fine, _) = new_account(&db.store, "Fine").await;
        assert_eq!(owner_of(&db.store, fine.id).await, fine.owner_id);
    })
    .await;
}

#[tokio::test]
async fn r_own_1_account_whose_owner_membership_is_elsewhere_is_refused() {
    for_each_backend(|db: TestDb| async move {
        let (elsewhere, owner) = new_account(&db.store, "Elsewhere").await;
        // `owner` is a member of another account only.
        let account = account_row("Borrowed Owner", owner.id);
        let other = new_user(&db.store, "Oscar", "Other").await;
        let mut tx = db.store.begin().await.unwrap();
        let written = tx
            .insert_account(&account, &MembershipRow::new(account.id, other.id, roster_core::RoleKind::Admin, now()))
            .await;
        let committed = match written {
            Ok(()) => tx.commit().await,
            Err(e) => Err(e),
        };
        assert!(committed.is_err(), "the owner must be a member of this very account");
        assert_eq!(db.store.read().await.unwrap().account_by_id(account.id).await.unwrap(), None);
        assert!(membership(&db.store, elsewhere.id, owner.id).await.unwrap().is_owner);
    })
    .await;
}

#[tokio::test]
async fn r_own_1_second_owner_role_is_refused() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "One Owner").await;
        let hopeful = new_user(&db.store, "Hope", "Ful").await;
        let mut tx = db.store.begin().await.unwrap();
        let err = tx
            .insert_membership(&MembershipRow::new(account.id, hopeful.id, roster_core::RoleKind::Owner, now()))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Rule("R-OWN-1")), "insert: got {err:?}");
        drop(tx);
        assert_eq!(membership(&db.store, account.id, hopeful.id).await, None);

        // Promoting an existing member to the owner role is refused too.
        let admin = new_member(&db.store, account.id, "admin", "active").await;
        let mut tx = db.store.begin().await.unwrap();
        let err = tx.set_membership_role(account.id, admin.id, "owner").await.unwrap_err();
        assert!(matches!(err, StoreError::Rule("R-OWN-1")), "update: got {err:?}");
        drop(tx);
        assert_eq!(membership(&db.store, account.id, admin.id).await.unwrap().role.as_str(), "admin");
        assert_eq!(owner_of(&db.store, account.id).await, owner.id);

        // Another account may have its own owner role, of course.
        let (second, second_owner) = new_account(&db.store, "Another").await;
        assert_eq!(membership(&db.store, second.id, second_owner.id).await.unwrap().role.as_str(), "owner");
    })
    .await;
}

#[tokio::test]
async fn r_own_4_owner_cannot_be_disabled() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Keep Active").await;
        let mut tx = db.store.begin().await.unwrap();
        let err =
            tx.set_membership_status(account.id, owner.id, roster_core::MembershipStatus::Disabled).await.unwrap_err();
        assert!(matches!(err, StoreError::Rule("R-OWN-4")), "got {err:?}");
        drop(tx);
        assert_eq!(membership(&db.store, account.id, owner.id).await.unwrap().status.as_str(), "active");

        // Anyone else can be disabled and enabled again (R-DIS-1).
        let member = new_member(&db.store, account.id, "standard", "active").await;
        let mut tx = db.store.begin().await.unwrap();
        assert!(
            tx.set_membership_status(account.id, member.id, roster_core::MembershipStatus::Disabled).await.unwrap()
        );
        tx.commit().await.unwrap();
        assert_eq!(membership(&db.store, account.id, member.id).await.unwrap().status.as_str(), "disabled");
        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.set_membership_status(account.id, member.id, roster_core::MembershipStatus::Active).await.unwrap());
        // The owner may be "set" to active: nothing changes, nothing is refused.
        assert!(tx.set_membership_status(account.id, owner.id, roster_core::MembershipStatus::Active).await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(membership(&db.store, account.id, member.id).await.unwrap().status.as_str(), "active");
    })
    .await;
}

#[tokio::test]
async fn r_own_4_owner_cannot_be_archived() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Keep Listed").await;
        let mut tx = db.store.begin().await.unwrap();
        let err =
            tx.set_membership_status(account.id, owner.id, roster_core::MembershipStatus::Archived).await.unwrap_err();
        assert!(matches!(err, StoreError::Rule("R-OWN-4")), "got {err:?}");
        drop(tx);
        assert_eq!(membership(&db.store, account.id, owner.id).await.unwrap().status.as_str(), "active");

        let member = new_member(&db.store, account.id, "standard", "active").await;
        let mut tx = db.store.begin().await.unwrap();
        assert!(
            tx.set_membership_status(account.id, member.id, roster_core::MembershipStatus::Archived).await.unwrap()
        );
        tx.commit().await.unwrap();
        assert_eq!(membership(&db.store, account.id, member.id).await.unwrap().status.as_str(), "archived");
    })
    .await;
}

#[tokio::test]
async fn membership_status_outside_the_three_is_refused() {
    for_each_backend(|db: TestDb| async move {
        let (account, _) = new_account(&db.store, "Statuses").await;
        let member = new_member(&db.store, account.id, "standard", "active").await;
        // An unknown status cannot even be written: the type has no such value (and the
        // database's CHECK refuses one written by hand, see the test at the end).
        assert!(roster_core::MembershipStatus::parse("banished").is_err());
        assert_eq!(membership(&db.store, account.id, member.id).await.unwrap().status.as_str(), "active");
    })
    .await;
}

#[tokio::test]
async fn r_own_4_owner_membership_cannot_be_deleted() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Keep Owner").await;
        let mut tx = db.store.begin().await.unwrap();
        let err = tx.delete_membership(account.id, owner.id).await.unwrap_err();
        assert!(matches!(err, StoreError::Rule("R-OWN-4")), "got {err:?}");
        drop(tx);
        assert!(membership(&db.store, account.id, owner.id).await.unwrap().is_owner);

        // Other memberships can be deleted; a second delete finds nothing.
        let member = new_member(&db.store, account.id, "standard", "active").await;
        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.delete_membership(account.id, member.id).await.unwrap());
        assert!(!tx.delete_membership(account.id, member.id).await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(membership(&db.store, account.id, member.id).await, None);
    })
    .await;
}

#[tokio::test]
async fn r_own_3_ownership_only_to_active_member() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Handover").await;
        let disabled = new_member(&db.store, account.id, "admin", "disabled").await;
        let archived = new_member(&db.store, account.id, "admin", "archived").await;
        let outsider = new_user(&db.store, "Out", "Sider").await;
        let (other_account, _) = new_account(&db.store, "Other").await;
        let member_elsewhere = new_member(&db.store, other_account.id, "admin", "active").await;
        for (who, target) in [
            ("a disabled member", disabled.id),
            ("an archived member", archived.id),
            ("a non-member", outsider.id),
            ("a member of another account", member_elsewhere.id),
            ("no user at all", Uuid::now_v7()),
        ] {
            let mut tx = db.store.begin().await.unwrap();
            let refused = match tx.set_owner(account.id, target).await {
                Ok(_) => tx.commit().await,
                Err(e) => Err(e),
            };
            let err = refused.expect_err(who);
            assert!(matches!(err, StoreError::Rule("R-OWN-3") | StoreError::Rule("R-OWN-1")), "{who}: got {err:?}");
            assert_eq!(owner_of(&db.store, account.id).await, owner.id, "{who}");
        }
    })
    .await;
}

#[tokio::test]
async fn r_own_3_ownership_moves_to_an_active_member() {
    for_each_backend(|db: TestDb| async move {
        let (account, old) = new_account(&db.store, "Succession").await;
        let heir = new_member(&db.store, account.id, "admin", "active").await;
        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.set_owner(account.id, heir.id).await.unwrap());
        // Swap roles in the order the one-owner-role index allows.
        assert!(tx.set_membership_role(account.id, old.id, "admin").await.unwrap());
        assert!(tx.set_membership_role(account.id, heir.id, "owner").await.unwrap());
        tx.commit().await.unwrap();

        assert_eq!(owner_of(&db.store, account.id).await, heir.id);
        let h = membership(&db.store, account.id, heir.id).await.unwrap();
        assert!(h.is_owner);
        assert_eq!(h.role.as_str(), "owner");
        let o = membership(&db.store, account.id, old.id).await.unwrap();
        assert!(!o.is_owner);
        assert_eq!(o.role.as_str(), "admin");

        // R-OWN-4 now protects the heir, not the old owner.
        let mut tx = db.store.begin().await.unwrap();
        assert!(matches!(
            tx.set_membership_status(account.id, heir.id, roster_core::MembershipStatus::Disabled).await,
            Err(StoreError::Rule("R-OWN-4"))
        ));
        drop(tx);
        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.set_membership_status(account.id, old.id, roster_core::MembershipStatus::Disabled).await.unwrap());
        tx.commit().await.unwrap();

        // Unknown account: nothing to update.
        let mut tx = db.store.begin().await.unwrap();
        assert!(!tx.set_owner(Uuid::now_v7(), heir.id).await.unwrap());
    })
    .await;
}
