//! [`TestService`]: the use cases below HTTP, over a fresh database on either backend, with
//! typed people ([`ServiceUser`]) made through the service's own use cases (never the store).
//! For the permission matrices (role × action → allowed or refused) that would cost a server
//! round trip per cell over HTTP.
//!
//! ```ignore
//! TestService::each_backend(|t| async move {
//!     let owner = t.owner("Acme").await;
//!     let sam = t.member_with(&owner, "employee").await;
//!     assert!(t.service.search_members(&sam.principal, owner.account, &Default::default()).await.is_ok());
//! })
//! .await;
//! ```
use std::sync::atomic::{AtomicU32, Ordering};

use roster_service::{AddOutcome, Hasher, Meta, NewMember, NewPerson, Principal, Service, SessionKind, SessionPolicy};
use roster_store::Backend;
use uuid::Uuid;

use crate::app::PASSWORD;
use crate::db::{TestDb, fresh_db};

/// A service over a fresh, migrated database; no mail server, no HTTP.
pub struct TestService {
    pub db: TestDb,
    pub service: Service,
    /// Numbers the people [`TestService::member_with`] makes.
    people: AtomicU32,
}

/// A signed-in person of one account: who they are and the [`Principal`] their bearer token
/// authenticates as, acting in `account`.
#[derive(Debug, Clone)]
pub struct ServiceUser {
    pub id: Uuid,
    pub email: String,
    pub password: String,
    pub account: Uuid,
    pub principal: Principal,
}

impl TestService {
    pub async fn on(backend: Backend) -> Self {
        let db = fresh_db(backend).await;
        let service = Service::new(db.store.clone(), Hasher::for_tests().expect("hasher"), SessionPolicy::default());
        Self { db, service, people: AtomicU32::new(0) }
    }

    /// Runs `test` on a fresh service on every backend from [`crate::backends`] (SQLite always,
    /// PostgreSQL when reachable; required under `CI=true`).
    pub async fn each_backend<F, Fut>(test: F)
    where
        F: Fn(TestService) -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        for backend in crate::db::backends().await {
            eprintln!("-- service on {backend:?}");
            test(Self::on(backend).await).await;
        }
    }

    /// The owner of a new account `name`, who is not an operator: the operator
    /// (`operator@example.test`, as `roster operator create` makes them) creates the account,
    /// adds `owner@example.test` as an admin and hands ownership over (R-OWN-3), so the owner's
    /// powers are the membership's alone. The operator stays an admin of the account.
    pub async fn owner(&self, name: &str) -> ServiceUser {
        let meta = Meta::default();
        let person = NewPerson {
            first_name: "Olga".into(),
            last_name: "Operator".into(),
            email: "operator@example.test".into(),
            password: PASSWORD.into(),
        };
        let operator = self.service.create_operator(&person).await.expect("create operator");
        let principal = self.principal(&operator.email, None).await;
        let account = self.service.create_account(&principal, name, &meta).await.expect("create account").id;
        let operator = self.sign_in(operator.id, &operator.email, account).await;
        let owner = self.add(&operator, "owner@example.test", "admin").await;
        self.service
            .transfer_ownership(&operator.principal, account, owner, PASSWORD, &meta)
            .await
            .expect("transfer ownership");
        self.sign_in(owner, "owner@example.test", account).await
    }

    /// A new member of `owner`'s account holding `role` (a built-in key, or a custom role's id
    /// or name), added by `owner` through `add_member` with a password, signed in there.
    pub async fn member_with(&self, owner: &ServiceUser, role: &str) -> ServiceUser {
        let n = self.people.fetch_add(1, Ordering::Relaxed) + 1;
        let email = format!("{role}-{n}@example.test").to_lowercase();
        let id = self.add(owner, &email, role).await;
        self.sign_in(id, &email, owner.account).await
    }

    /// `by` adds `email` with `role` and the test password, no welcome email; the new id.
    async fn add(&self, by: &ServiceUser, email: &str, role: &str) -> Uuid {
        let input = NewMember {
            email: email.into(),
            first_name: "Member".into(),
            last_name: role.into(),
            role: Some(role.into()),
            password: Some(PASSWORD.into()),
            send_welcome: false,
            ..NewMember::default()
        };
        match self.service.add_member(&by.principal, by.account, &input, &Meta::default()).await {
            Ok(AddOutcome::Added(added)) => added.member.user_id,
            Ok(AddOutcome::Invited(_)) => panic!("{email} has a login already: invited, not added"),
            Err(e) => panic!("adding {email} as {role} failed: {e}"),
        }
    }

    async fn sign_in(&self, id: Uuid, email: &str, account: Uuid) -> ServiceUser {
        let principal = self.principal(email, Some(account)).await;
        ServiceUser { id, email: email.into(), password: PASSWORD.into(), account, principal }
    }

    /// Marks `user_id`'s address proved (R-AUTH-8), as following an emailed link would: an
    /// account sends email only once its owner's address is proved.
    pub async fn prove_address(&self, user_id: Uuid) {
        let mut tx = self.db.store.begin().await.expect("begin");
        tx.mark_email_verified(user_id, time::OffsetDateTime::now_utc()).await.expect("mark verified");
        tx.commit().await.expect("commit");
    }

    /// A member with `role` of a second account `name` that `owner` creates (so `owner` is an
    /// admin there too): someone of another account, for isolation checks.
    pub async fn other_account(&self, owner: &ServiceUser, name: &str, role: &str) -> ServiceUser {
        let account = self.service.create_account(&owner.principal, name, &Meta::default()).await.expect("account").id;
        let there = self.sign_in(owner.id, &owner.email, account).await;
        self.member_with(&there, role).await
    }

    /// Signs `login` in with the test password (a bearer session) and authenticates the token.
    pub async fn principal(&self, login: &str, account: Option<Uuid>) -> Principal {
        let signed_in = self
            .service
            .sign_in(login, PASSWORD, account, SessionKind::Api, &Meta::default())
            .await
            .unwrap_or_else(|e| panic!("sign-in of {login} failed: {e}"));
        self.service.authenticate(&signed_in.token).await.expect("authenticate")
    }
}
