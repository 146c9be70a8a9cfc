//! The store conformance suite, one file per capability: every test runs on SQLite and, when
//! reachable (always under `CI=true`), on PostgreSQL, each on a fresh database from `roster_testkit`. Tests named after
//! a rule (`r_own_…`) break that rule on purpose and expect the database itself to refuse.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::sync::Arc;

use roster_store::{
    AccountCursor, AccountRow, AuditRow, Backend, EmailRow, FoundSession, MemberPerson, MembershipRow,
    SessionMemberships, SessionRow, SmtpSettingsRow, Store, StoreError, TemplateRow, UserRow,
};
use roster_testkit::{TestDb, backends, for_each_backend, fresh_db, fresh_empty_db};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

mod accounts;
mod audit;
mod impersonation;
mod invitations;
mod jobs;
mod mail;
mod me;
mod records;
mod signin;
mod store;
mod team;

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
        invite_policy: roster_core::InvitePolicy::OwnerOnly,
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
    tx.insert_account(&account, &MembershipRow::new(account.id, owner.id, roster_core::RoleKind::Owner, now()))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (account, owner)
}

/// A new user with a membership of `status` in the account; committed.
async fn new_member(store: &Arc<dyn Store>, account_id: Uuid, role: &str, status: &str) -> UserRow {
    let user = new_user(store, "Mia", "Member").await;
    let mut m = MembershipRow::new(account_id, user.id, roster_core::RoleKind::parse(role).unwrap(), now());
    m.status = roster_core::MembershipStatus::parse(status).unwrap();
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
