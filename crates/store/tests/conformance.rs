//! The store conformance suite: every test runs on SQLite and, when reachable (always under
//! `CI=true`), on PostgreSQL, each on a fresh database from `roster_testkit`. Tests named after
//! a rule (`r_own_…`) break that rule on purpose and expect the database itself to refuse.
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::sync::Arc;

use roster_store::{
    AccountCursor, AccountRow, AuditRow, Backend, EmailRow, MemberKey, MemberPerson, MemberQuery, MemberRow,
    MembershipRow, SessionRow, SmtpSettingsRow, Store, StoreError, TemplateRow, UserRow,
};
use roster_testkit::{TestDb, backends, for_each_backend, fresh_db, fresh_empty_db};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// helpers

/// Now, cut to whole microseconds: what both backends store.
fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1_000 * 1_000).unwrap()
}

fn unique() -> String {
    Uuid::now_v7().simple().to_string()
}

/// A user with every optional field set.
fn full_user(first: &str, last: &str) -> UserRow {
    let u = unique();
    let t = now();
    UserRow {
        id: Uuid::now_v7(),
        email: format!("{first}.{u}@example.test").to_lowercase(),
        username: Some(format!("user_{u}")),
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        phone: Some("+1 555 0100".to_owned()),
        company: Some("Acme & Sons".to_owned()),
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned()),
        time_zone: "Europe/Berlin".to_owned(),
        is_operator: false,
        email_verified_at: None,
        created_at: t,
        updated_at: t + Duration::microseconds(1),
    }
}

/// A user with every optional field unset.
fn bare_user(first: &str, last: &str) -> UserRow {
    UserRow { username: None, phone: None, company: None, password_hash: None, ..full_user(first, last) }
}

fn account_row(name: &str, owner: Uuid) -> AccountRow {
    let t = now();
    AccountRow {
        id: Uuid::now_v7(),
        name: name.to_owned(),
        slug: format!("{}-{}", name.to_lowercase().replace(' ', "-"), unique()),
        owner_id: owner,
        invite_policy: "owner_only".to_owned(),
        invitation_ttl_days: 7,
        public_signup: false,
        allow_impersonation: true,
        created_at: t,
        updated_at: t,
    }
}

async fn insert_user(store: &Arc<dyn Store>, user: &UserRow) {
    let mut tx = store.begin().await.unwrap();
    tx.insert_user(user).await.unwrap();
    tx.commit().await.unwrap();
}

async fn new_user(store: &Arc<dyn Store>, first: &str, last: &str) -> UserRow {
    let u = bare_user(first, last);
    insert_user(store, &u).await;
    u
}

/// An account owned by a new user, with the owner's membership; committed.
async fn new_account(store: &Arc<dyn Store>, name: &str) -> (AccountRow, UserRow) {
    let owner = new_user(store, "Olivia", "Owner").await;
    let account = account_row(name, owner.id);
    let mut tx = store.begin().await.unwrap();
    tx.insert_account(&account, &MembershipRow::new(account.id, owner.id, "owner", now())).await.unwrap();
    tx.commit().await.unwrap();
    (account, owner)
}

/// A new user with a membership of `status` in the account; committed.
async fn new_member(store: &Arc<dyn Store>, account_id: Uuid, role: &str, status: &str) -> UserRow {
    let user = new_user(store, "Mia", "Member").await;
    let mut m = MembershipRow::new(account_id, user.id, role, now());
    m.status = status.to_owned();
    let mut tx = store.begin().await.unwrap();
    tx.insert_membership(&m).await.unwrap();
    tx.commit().await.unwrap();
    user
}

async fn owner_of(store: &Arc<dyn Store>, account_id: Uuid) -> Uuid {
    store.read().await.unwrap().account_by_id(account_id).await.unwrap().unwrap().owner_id
}

async fn membership(store: &Arc<dyn Store>, account_id: Uuid, user_id: Uuid) -> Option<MembershipRow> {
    store.read().await.unwrap().membership(account_id, user_id).await.unwrap()
}

fn session_row(user_id: Uuid, account_id: Option<Uuid>, t: OffsetDateTime) -> SessionRow {
    SessionRow {
        id: Uuid::now_v7(),
        token_hash: Uuid::now_v7().as_bytes().to_vec(),
        user_id,
        account_id,
        kind: "console".to_owned(),
        csrf_token: unique(),
        user_agent: Some("Mozilla/5.0 (conformance)".to_owned()),
        ip: Some("203.0.113.7".to_owned()),
        created_at: t,
        last_seen_at: t,
        idle_expires_at: t + Duration::minutes(30),
        expires_at: t + Duration::days(14),
        impersonator_id: None,
        impersonation_reason: None,
    }
}

// ---------------------------------------------------------------------------------------------
// schema and migrations

#[tokio::test]
async fn schema_shape_is_the_same_on_both_backends() {
    let sqlite = fresh_db(Backend::Sqlite).await;
    let sqlite_shape = sqlite.store.read().await.unwrap().schema_shape().await.unwrap();
    let tables: HashSet<&str> = sqlite_shape.iter().map(|(t, _, _)| t.as_str()).collect();
    for t in ["users", "accounts", "roles", "memberships", "sessions", "setup_tokens", "audit_events"] {
        assert!(tables.contains(t), "table {t} missing from the SQLite schema: {tables:?}");
    }
    assert!(!tables.contains("schema_migrations"), "schema_shape must leave out schema_migrations");
    assert!(sqlite_shape.contains(&("users".into(), "email".into(), true)));
    assert!(sqlite_shape.contains(&("users".into(), "username".into(), false)));
    if !backends().await.contains(&Backend::Postgres) {
        eprintln!("-- PostgreSQL unavailable: only the SQLite shape was checked");
        return;
    }
    let pg = fresh_db(Backend::Postgres).await;
    let pg_shape = pg.store.read().await.unwrap().schema_shape().await.unwrap();
    let only_sqlite: Vec<_> = sqlite_shape.iter().filter(|c| !pg_shape.contains(c)).collect();
    let only_pg: Vec<_> = pg_shape.iter().filter(|c| !sqlite_shape.contains(c)).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "schemas differ: only in SQLite {only_sqlite:?}, only in PostgreSQL {only_pg:?}"
    );
    assert_eq!(sqlite_shape, pg_shape);
}

#[tokio::test]
async fn migrations_are_idempotent_and_ready_follows_them() {
    for backend in backends().await {
        eprintln!("-- store test on {backend:?}");
        let db = fresh_empty_db(backend).await;
        assert!(!db.store.ready().await, "{backend:?}: an unmigrated database must not be ready");
        db.store.migrate().await.unwrap();
        assert!(db.store.ready().await, "{backend:?}: ready after migrate");
        let shape = db.store.read().await.unwrap().schema_shape().await.unwrap();
        db.store.migrate().await.unwrap();
        db.store.migrate().await.unwrap();
        assert!(db.store.ready().await);
        assert_eq!(db.store.read().await.unwrap().schema_shape().await.unwrap(), shape);
        // Data survives a second migrate.
        let u = new_user(&db.store, "Stay", "Put").await;
        db.store.migrate().await.unwrap();
        assert_eq!(db.store.read().await.unwrap().user_by_id(u.id).await.unwrap(), Some(u));
    }
}

#[tokio::test]
async fn migrations_from_two_replicas_at_once_apply_once() {
    for backend in backends().await {
        eprintln!("-- store test on {backend:?}");
        let db = fresh_empty_db(backend).await;
        let other = db.open_again().await;
        let (a, b) = tokio::join!(db.store.migrate(), other.migrate());
        a.unwrap();
        b.unwrap();
        assert!(db.store.ready().await && other.ready().await);
        other.close().await;
    }
}

#[tokio::test]
async fn a_store_is_ready_and_reports_its_backend() {
    for_each_backend(|db: TestDb| async move {
        assert!(db.store.ready().await);
        assert_eq!(db.store.backend(), db.backend);
        assert!(db.store.pool_stats().size >= 1);
    })
    .await;
}

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
            invite_policy: "permission".to_owned(),
            invitation_ttl_days: 30,
            public_signup: true,
            ..account_row("Round Trip", owner.id)
        };
        let mut m = MembershipRow::new(account.id, owner.id, "owner", now());
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
        let err = tx.insert_account(&twin, &MembershipRow::new(twin.id, owner.id, "owner", now())).await.unwrap_err();
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
        let err = tx.insert_membership(&MembershipRow::new(account.id, member.id, "admin", now())).await.unwrap_err();
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
        assert_eq!(o.role, "owner");
        let a = membership(&db.store, account.id, admin.id).await.unwrap();
        assert!(!a.is_owner);
        assert_eq!(a.role, "admin");
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
            tx.insert_membership(&MembershipRow::new(account.id, user.id, "standard", now())).await.unwrap();
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
        let written = tx.insert_account(&account, &MembershipRow::new(account.id, other.id, "admin", now())).await;
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
        let written = tx.insert_account(&account, &MembershipRow::new(account.id, other.id, "admin", now())).await;
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
        let err = tx.insert_membership(&MembershipRow::new(account.id, hopeful.id, "owner", now())).await.unwrap_err();
        assert!(matches!(err, StoreError::Rule("R-OWN-1")), "insert: got {err:?}");
        drop(tx);
        assert_eq!(membership(&db.store, account.id, hopeful.id).await, None);

        // Promoting an existing member to the owner role is refused too.
        let admin = new_member(&db.store, account.id, "admin", "active").await;
        let mut tx = db.store.begin().await.unwrap();
        let err = tx.set_membership_role(account.id, admin.id, "owner").await.unwrap_err();
        assert!(matches!(err, StoreError::Rule("R-OWN-1")), "update: got {err:?}");
        drop(tx);
        assert_eq!(membership(&db.store, account.id, admin.id).await.unwrap().role, "admin");
        assert_eq!(owner_of(&db.store, account.id).await, owner.id);

        // Another account may have its own owner role, of course.
        let (second, second_owner) = new_account(&db.store, "Another").await;
        assert_eq!(membership(&db.store, second.id, second_owner.id).await.unwrap().role, "owner");
    })
    .await;
}

#[tokio::test]
async fn r_own_4_owner_cannot_be_disabled() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Keep Active").await;
        let mut tx = db.store.begin().await.unwrap();
        let err = tx.set_membership_status(account.id, owner.id, "disabled").await.unwrap_err();
        assert!(matches!(err, StoreError::Rule("R-OWN-4")), "got {err:?}");
        drop(tx);
        assert_eq!(membership(&db.store, account.id, owner.id).await.unwrap().status, "active");

        // Anyone else can be disabled and enabled again (R-DIS-1).
        let member = new_member(&db.store, account.id, "standard", "active").await;
        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.set_membership_status(account.id, member.id, "disabled").await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(membership(&db.store, account.id, member.id).await.unwrap().status, "disabled");
        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.set_membership_status(account.id, member.id, "active").await.unwrap());
        // The owner may be "set" to active: nothing changes, nothing is refused.
        assert!(tx.set_membership_status(account.id, owner.id, "active").await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(membership(&db.store, account.id, member.id).await.unwrap().status, "active");
    })
    .await;
}

#[tokio::test]
async fn r_own_4_owner_cannot_be_archived() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Keep Listed").await;
        let mut tx = db.store.begin().await.unwrap();
        let err = tx.set_membership_status(account.id, owner.id, "archived").await.unwrap_err();
        assert!(matches!(err, StoreError::Rule("R-OWN-4")), "got {err:?}");
        drop(tx);
        assert_eq!(membership(&db.store, account.id, owner.id).await.unwrap().status, "active");

        let member = new_member(&db.store, account.id, "standard", "active").await;
        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.set_membership_status(account.id, member.id, "archived").await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(membership(&db.store, account.id, member.id).await.unwrap().status, "archived");
    })
    .await;
}

#[tokio::test]
async fn membership_status_outside_the_three_is_refused() {
    for_each_backend(|db: TestDb| async move {
        let (account, _) = new_account(&db.store, "Statuses").await;
        let member = new_member(&db.store, account.id, "standard", "active").await;
        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.set_membership_status(account.id, member.id, "banished").await.is_err());
        drop(tx);
        assert_eq!(membership(&db.store, account.id, member.id).await.unwrap().status, "active");
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
        assert_eq!(h.role, "owner");
        let o = membership(&db.store, account.id, old.id).await.unwrap();
        assert!(!o.is_owner);
        assert_eq!(o.role, "admin");

        // R-OWN-4 now protects the heir, not the old owner.
        let mut tx = db.store.begin().await.unwrap();
        assert!(matches!(
            tx.set_membership_status(account.id, heir.id, "disabled").await,
            Err(StoreError::Rule("R-OWN-4"))
        ));
        drop(tx);
        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.set_membership_status(account.id, old.id, "disabled").await.unwrap());
        tx.commit().await.unwrap();

        // Unknown account: nothing to update.
        let mut tx = db.store.begin().await.unwrap();
        assert!(!tx.set_owner(Uuid::now_v7(), heir.id).await.unwrap());
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// members list

/// The team list's default page (active and disabled, by name) after `(sort_name, user_id)`.
async fn members_by_name(
    store: &Arc<dyn Store>,
    account_id: Uuid,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> Vec<MemberRow> {
    let q = MemberQuery {
        after: after.map(|(text, user_id)| MemberKey {
            text,
            name: String::new(),
            at: time::OffsetDateTime::UNIX_EPOCH,
            user_id,
        }),
        ..MemberQuery::default()
    };
    let mut tx = store.read().await.unwrap();
    tx.search_members(account_id, &q, limit).await.unwrap().into_iter().map(|(row, _)| row).collect()
}

#[tokio::test]
async fn members_page_by_sort_name_then_id_without_archived() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Big Team").await;
        let mut all = vec![owner.clone()];
        let mut tx = db.store.begin().await.unwrap();
        for i in 0..120 {
            // Groups of three share a sort name, so the id decides inside a group.
            let u = bare_user(&format!("Member{:02}", (i * 7) % 40), "Person");
            tx.insert_user(&u).await.unwrap();
            tx.insert_membership(&MembershipRow::new(account.id, u.id, "standard", now())).await.unwrap();
            all.push(u);
        }
        tx.commit().await.unwrap();
        all.sort_by_key(|u| (u.sort_name(), u.id));

        let mut seen = Vec::new();
        let mut sizes = Vec::new();
        let mut after: Option<(String, Uuid)> = None;
        loop {
            let page = members_by_name(&db.store, account.id, after.clone(), 50).await;
            let Some(last) = page.last() else { break };
            after = Some((last.user.sort_name(), last.user.id));
            sizes.push(page.len());
            for m in page {
                assert_eq!(m.membership.account_id, account.id);
                assert_eq!(m.membership.user_id, m.user.id);
                assert_eq!(m.membership.is_owner, m.user.id == owner.id);
                seen.push(m.user);
            }
        }
        assert_eq!(sizes, vec![50, 50, 21], "120 members and the owner in pages of 50");
        let ids: HashSet<Uuid> = seen.iter().map(|u| u.id).collect();
        assert_eq!(ids.len(), seen.len(), "no member twice");
        let all: Vec<MemberPerson> = all.iter().map(MemberPerson::from).collect();
        assert_eq!(seen, all, "every member once, ordered by (sort_name, id), all fields intact");

        // Archived members leave the list; disabled ones stay.
        let mut tx = db.store.begin().await.unwrap();
        let archived: HashSet<Uuid> =
            all.iter().skip(1).step_by(20).map(|u| u.id).filter(|id| *id != owner.id).collect();
        for id in &archived {
            assert!(tx.set_membership_status(account.id, *id, "archived").await.unwrap());
        }
        let disabled = all.iter().find(|u| u.id != owner.id && !archived.contains(&u.id)).unwrap().id;
        assert!(tx.set_membership_status(account.id, disabled, "disabled").await.unwrap());
        tx.commit().await.unwrap();
        let listed = members_by_name(&db.store, account.id, None, 1000).await;
        assert_eq!(listed.len(), all.len() - archived.len());
        assert!(listed.iter().all(|m| !archived.contains(&m.user.id)));
        assert!(listed.iter().any(|m| m.user.id == disabled && m.membership.status == "disabled"));

        // Another account's list is its own.
        let (other, other_owner) = new_account(&db.store, "Small Team").await;
        let listed = members_by_name(&db.store, other.id, None, 50).await;
        assert_eq!(listed.iter().map(|m| m.user.id).collect::<Vec<_>>(), vec![other_owner.id]);
    })
    .await;
}

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
                action: format!("test.action_{i}"),
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
            action: "installation.event".into(),
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

// ---------------------------------------------------------------------------------------------
// units of work

#[tokio::test]
async fn dropping_a_tx_without_commit_writes_nothing() {
    for_each_backend(|db: TestDb| async move {
        let user = full_user("Roll", "Back");
        let account = account_row("Never", user.id);
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_user(&user).await.unwrap();
        tx.insert_account(&account, &MembershipRow::new(account.id, user.id, "owner", now())).await.unwrap();
        tx.insert_session(&session_row(user.id, Some(account.id), now())).await.unwrap();
        tx.replace_setup_token(b"rolled-back", now() + Duration::hours(1)).await.unwrap();
        assert!(tx.user_by_id(user.id).await.unwrap().is_some(), "a tx sees its own writes");
        drop(tx);

        let mut r = db.store.read().await.unwrap();
        assert_eq!(r.user_by_id(user.id).await.unwrap(), None);
        assert_eq!(r.account_by_id(account.id).await.unwrap(), None);
        assert_eq!(r.membership(account.id, user.id).await.unwrap(), None);
        assert!(!r.setup_token_valid(b"rolled-back", now()).await.unwrap());
        assert!(r.memberships_of_user(user.id).await.unwrap().is_empty());
        drop(r);
        // The writer is free again; the same rows can now be written for real.
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_user(&user).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(db.store.read().await.unwrap().user_by_id(user.id).await.unwrap(), Some(user));
    })
    .await;
}

#[tokio::test]
async fn a_refused_write_leaves_the_rest_of_the_unit_uncommitted() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Atomic").await;
        let newcomer = bare_user("New", "Comer");
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_user(&newcomer).await.unwrap();
        assert!(tx.delete_membership(account.id, owner.id).await.is_err());
        drop(tx);
        assert_eq!(db.store.read().await.unwrap().user_by_id(newcomer.id).await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn committed_writes_are_seen_by_other_stores_on_the_same_database() {
    for_each_backend(|db: TestDb| async move {
        let replica = db.open_again().await;
        let (account, owner) = new_account(&db.store, "Shared").await;
        let mut r = replica.read().await.unwrap();
        assert_eq!(r.account_by_id(account.id).await.unwrap(), Some(account.clone()));
        assert!(r.membership(account.id, owner.id).await.unwrap().unwrap().is_owner);
        drop(r);
        replica.close().await;
    })
    .await;
}

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
        let (found, user, status) = r.api_token_by_hash(&first.token_hash, now()).await.unwrap().unwrap();
        assert_eq!((found, user.id, status.as_deref()), (first.clone(), member.id, Some("active")));
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

#[tokio::test]
async fn r_dis_1_api_token_shows_its_membership_status_and_dies_with_the_membership() {
    for_each_backend(|db| async move {
        let (account, _) = new_account(&db.store, "Membership").await;
        let member = new_member(&db.store, account.id, "employee", "active").await;
        let token = api_token_row(account.id, member.id, "script", now());
        insert_api_token(&db.store, &token).await;
        let mut tx = db.store.begin().await.unwrap();
        tx.set_membership_status(account.id, member.id, "disabled").await.unwrap();
        tx.commit().await.unwrap();
        let found = db.store.read().await.unwrap().api_token_by_hash(&token.token_hash, now()).await.unwrap();
        assert_eq!(found.map(|f| f.2), Some(Some("disabled".to_owned())), "the service refuses it");
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

#[tokio::test]
async fn a_unit_of_work_abandoned_while_it_begins_leaves_the_writer_usable() {
    for_each_backend(|db| async move {
        // Another process (here: another store on the same file) holds the write lock, so
        // `begin` waits; the caller gives up (a client hung up) before it gets the lock.
        let other = db.open_again().await;
        let mut holder = other.begin().await.unwrap();
        holder.insert_user(&bare_user("Lock", "Holder")).await.unwrap();
        let abandoned = tokio::time::timeout(std::time::Duration::from_millis(100), db.store.begin()).await;
        drop(abandoned);
        holder.commit().await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        // The writer is usable again: a new unit begins, writes and commits.
        let user = bare_user("After", "Cancel");
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_user(&user).await.unwrap();
        tx.commit().await.unwrap();
        assert!(db.store.read().await.unwrap().user_by_id(user.id).await.unwrap().is_some());
        other.close().await;
    })
    .await;
}

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
        role: "custom".to_owned(),
        custom_role_id: Some(Uuid::now_v7()),
        permissions: Some("users.view,users.invite".to_owned()),
        token_hash: Uuid::now_v7().as_bytes().to_vec(),
        invited_by: by,
        status: "pending".to_owned(),
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
        assert_eq!(revoked.status, "revoked");
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
