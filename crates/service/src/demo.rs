//! `roster demo`: one demo account with a member of each main role. Idempotent by slug.
use roster_core::{AccountName, BuiltinRole, Email, Password, PersonName};
use roster_store::MembershipRow;

use crate::accounts::new_account;
use crate::auth::{ParsedPerson, audit, new_user};
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
            tx.insert_membership(&MembershipRow::new(account.id, user.id, role.key(), now())).await?;
        }
        tx.insert_audit(&audit(
            "account.demo_created",
            None,
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
}
