//! `roster demo`: one demo account with a member of each main role. Idempotent by slug.
use roster_core::{AccountName, BuiltinRole, Email, Password, PersonName};
use roster_store::MembershipRow;

use crate::accounts::new_account;
use crate::actor::Internal;
use crate::signin::{ParsedPerson, Who, audit, new_user};
use crate::{Meta, Result, Service, ServiceError, new_secret, now};

pub const DEMO_SLUG: &str = "demo";

const PEOPLE: &[(BuiltinRole, &str, &str, &str)] = &[
    (BuiltinRole::Owner, "Olivia", "Owner", "owner@demo.roster.example"),
    (BuiltinRole::Admin, "Adam", "Admin", "admin@demo.roster.example"),
    (BuiltinRole::Standard, "Sam", "Standard", "standard@demo.roster.example"),
    (BuiltinRole::Salesperson, "Sally", "Seller", "sales@demo.roster.example"),
    (BuiltinRole::Customer, "Cora", "Customer", "customer@demo.roster.example"),
];

#[derive(Debug, Clone)]
pub struct DemoSignIn {
    pub role: &'static str,
    pub email: &'static str,
    /// Only when the demo was created by this run; passwords are never stored in clear.
    pub password: Option<String>,
}

#[derive(Debug, Clone)]
pub enum DemoOutcome {
    Created(Vec<DemoSignIn>),
    AlreadyExists(Vec<DemoSignIn>),
}

const FIRST: &[&str] = &[
    "Ava", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Keiko", "Liam", "Maya", "Noah",
    "Olu", "Priya",
];
const LAST: &[&str] = &[
    "Adams", "Bauer", "Chen", "Diaz", "Eriksen", "Fischer", "Garcia", "Haddad", "Ivanova", "Jones", "Kim", "Lopez",
    "Moreau", "Novak", "Okafor", "Patel",
];

fn parse_err(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(e.to_string())
}

impl Service {
    pub async fn demo(&self) -> Result<DemoOutcome> {
        let existing =
            || PEOPLE.iter().map(|(r, _, _, email)| DemoSignIn { role: r.key(), email, password: None }).collect();
        if self.store.read().await?.account_by_slug(DEMO_SLUG).await?.is_some() {
            return Ok(DemoOutcome::AlreadyExists(existing()));
        }
        let mut people = Vec::new();
        for (role, first, last, email) in PEOPLE {
            let password = new_secret("demo-")?.chars().take(17).collect::<String>();
            let parsed = ParsedPerson {
                first_name: PersonName::parse(first).map_err(parse_err)?,
                last_name: PersonName::parse(last).map_err(parse_err)?,
                email: Email::parse(email).map_err(parse_err)?,
                password: Password::parse(&password).map_err(parse_err)?,
            };
            let hash = self.hasher.hash(&parsed.password).await?;
            people.push((*role, new_user(&parsed, Some(hash), false), password));
        }
        let mut tx = self.store.begin().await?;
        if tx.account_by_slug(DEMO_SLUG).await?.is_some() {
            return Ok(DemoOutcome::AlreadyExists(existing()));
        }
        let name = AccountName::parse("Demo Studio").map_err(parse_err)?;
        let owner_id = people.first().map(|(_, u, _)| u.id).ok_or_else(|| parse_err("no demo owner"))?;
        let (mut account, owner) = new_account(tx.as_mut(), &name, owner_id).await?;
        account.slug = DEMO_SLUG.to_owned();
        for (_, user, _) in &people {
            tx.insert_user(user).await?;
        }
        tx.insert_account(&account, &owner).await?;
        for (role, user, _) in people.iter().skip(1) {
            tx.insert_membership(&MembershipRow::new(account.id, user.id, (*role).into(), now())).await?;
        }
        for (_, user, _) in &people {
            crate::records::membership::on_join(tx.as_mut(), account.id, user, &[], now()).await?;
        }
        tx.insert_audit(&audit(
            roster_core::AuditAction::AccountDemoCreated,
            Who::internal(Internal::Demo),
            Some(account.id),
            ("account", account.id.to_string()),
            &Meta::default(),
        ))
        .await?;
        tx.commit().await?;
        Ok(DemoOutcome::Created(
            people
                .into_iter()
                .zip(PEOPLE)
                .map(|((role, _, password), (_, _, _, email))| DemoSignIn {
                    role: role.key(),
                    email,
                    password: Some(password),
                })
                .collect(),
        ))
    }

    /// Adds `n` generated members (standard users without a password) to the demo account, in
    /// one transaction. For benchmarks and trying the console with a full team.
    pub async fn demo_add_members(&self, n: u32) -> Result<u32> {
        let mut tx = self.store.begin().await?;
        let account = tx.account_by_slug(DEMO_SLUG).await?.ok_or(ServiceError::NotFound)?;
        for i in 0..n as usize {
            let id = uuid::Uuid::now_v7();
            let t = now();
            let user = roster_store::UserRow {
                id,
                email: format!("member-{}@demo.roster.example", id.simple()),
                username: None,
                first_name: FIRST[i % FIRST.len()].to_owned(),
                last_name: LAST[(i / FIRST.len()) % LAST.len()].to_owned(),
                phone: None,
                company: Some("Demo Studio".to_owned()),
                password_hash: None,
                time_zone: "UTC".to_owned(),
                is_operator: false,
                email_verified_at: Some(t),
                created_at: t,
                updated_at: t,
            };
            tx.insert_user(&user).await?;
            tx.insert_membership(&MembershipRow::new(account.id, id, BuiltinRole::Standard.into(), t)).await?;
            crate::records::membership::on_join(tx.as_mut(), account.id, &user, &[], t).await?;
        }
        tx.commit().await?;
        Ok(n)
    }
}
