//! `roster demo --users N [--account SLUG]`: fills an account with N realistic generated
//! members (names, companies, roles, statuses, sign-in dates) fast enough for benchmarks at a
//! million: 50,000 rows per transaction, no password (generated people
//! cannot sign in), one audit row per batch.
use crate::accounts::lanes::Lanes;
use roster_core::{AccountName, BuiltinRole};
use roster_store::{AuditRow, MembershipRow, UserRow};
use time::Duration;
use uuid::Uuid;

use crate::accounts::demo::DEMO_SLUG;
use crate::accounts::new_account;
use crate::actor::Internal;
use crate::signin::Who;
use crate::{Result, Service, ServiceError, now};

/// Rows per transaction.
pub const DEMO_BATCH: u32 = 50_000;

pub(crate) const FIRST: &[&str] = &[
    "Ava", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Keiko", "Liam", "Maya", "Noah",
    "Olu", "Priya", "Quinn", "Rosa", "Sami", "Tariq", "Uma", "Victor", "Wen", "Xavier", "Yara", "Zoe", "Amir", "Bea",
    "Carlos", "Dana", "Emil", "Fatima", "Gustav", "Hana", "Ivan", "Julia", "Kofi", "Lena", "Mateo", "Nina", "Oscar",
    "Paula", "Rahul", "Sofia", "Tom", "Ursula", "Vera", "Will", "Yusuf", "Zara", "Anna", "Bruno", "Clara", "David",
    "Eva", "Felix", "Gina", "Henry", "Iris", "Jack", "Kira", "Leo", "Mia", "Nils", "Olga", "Pedro", "Rita", "Sven",
    "Tina", "Uri", "Vlad", "Wanda", "Ximena", "Yosef", "Zeno", "Aisha", "Boris", "Chen", "Diego", "Erin",
];
pub(crate) const LAST: &[&str] = &[
    "Adams",
    "Bauer",
    "Chen",
    "Diaz",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ivanova",
    "Jones",
    "Kim",
    "Lopez",
    "Moreau",
    "Novak",
    "Okafor",
    "Patel",
    "Quist",
    "Rossi",
    "Silva",
    "Tanaka",
    "Usman",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Andersen",
    "Brown",
    "Costa",
    "Dubois",
    "Evans",
    "Fernandez",
    "Gomez",
    "Hansen",
    "Ito",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Martin",
    "Nguyen",
    "Olsen",
    "Petrov",
    "Quinn",
    "Rahman",
    "Schmidt",
    "Taylor",
    "Urban",
    "Virtanen",
    "Wilson",
    "Young",
    "Abbott",
    "Baker",
    "Carter",
    "Dalton",
    "Ellis",
    "Foster",
    "Grant",
    "Hughes",
    "Irwin",
    "Jordan",
    "Keller",
    "Lambert",
    "Mendes",
    "Nash",
    "Ortiz",
    "Price",
    "Reyes",
    "Stone",
    "Turner",
    "Vance",
    "Walsh",
    "Yates",
    "Zimmer",
    "Almeida",
    "Bianchi",
    "Castro",
    "Dimitrov",
    "Engel",
    "Fontaine",
    "Gallo",
    "Horvat",
    "Ibrahim",
    "Jovanovic",
    "Kaur",
    "Lindqvist",
    "Moreno",
    "Nakamura",
    "Oliveira",
    "Popescu",
    "Ramos",
    "Sato",
    "Torres",
];
pub(crate) const COMPANY_A: &[&str] = &[
    "North", "Blue", "Bright", "Cedar", "Delta", "Ember", "Harbor", "Iron", "Juniper", "Kite", "Lumen", "Maple",
    "Nimbus", "Orchid", "Pine", "Quartz", "River", "Summit", "Tidal", "Union", "Vista", "Willow", "Zenith", "Atlas",
];
pub(crate) const COMPANY_B: &[&str] = &[
    "Studio",
    "Labs",
    "Works",
    "Partners",
    "Logistics",
    "Foods",
    "Design",
    "Health",
    "Legal",
    "Media",
    "Systems",
    "Energy",
    "Builders",
    "Analytics",
    "Travel",
    "Finance",
    "Robotics",
    "Textiles",
    "Pharma",
    "Consulting",
];
/// Roles by weight (out of 100).
const ROLES: &[(BuiltinRole, u64)] = &[
    (BuiltinRole::Customer, 40),
    (BuiltinRole::Standard, 25),
    (BuiltinRole::Employee, 15),
    (BuiltinRole::Salesperson, 10),
    (BuiltinRole::Vendor, 5),
    (BuiltinRole::Admin, 5),
];

/// xorshift64*: cheap, deterministic per seed, good enough for demo data.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub(crate) fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from.get((self.next() % from.len() as u64) as usize).copied().unwrap_or_default()
    }

    /// One of `from` by its weight out of 100; `otherwise` where the weights leave room.
    pub(crate) fn weighted<T: Copy>(&mut self, from: &[(T, u64)], otherwise: T) -> T {
        let mut weight = self.next() % 100;
        for (value, w) in from {
            if weight < *w {
                return *value;
            }
            weight -= w;
        }
        otherwise
    }
}

pub(crate) fn seed() -> u64 {
    let mut b = [0u8; 8];
    let _ = getrandom::fill(&mut b);
    u64::from_le_bytes(b) | 1
}

impl Service {
    /// Adds `n` generated members to the account named by `slug` (the demo account by default;
    /// an account that does not exist yet is made, owned by a generated person). `progress` is
    /// told how many were added after each batch. Returns the number added.
    pub async fn demo_fill(&self, slug: Option<&str>, n: u32, progress: &(dyn Fn(u32) + Sync)) -> Result<u32> {
        let slug = slug.unwrap_or(DEMO_SLUG);
        let account_id = self.demo_account(slug).await?;
        let mut rng = Rng(seed());
        let mut lanes = Lanes::new(self.store.backend(), progress);
        let mut sent = 0;
        while sent < n {
            let count = DEMO_BATCH.min(n - sent);
            sent += count;
            let t = now();
            let mut users = Vec::with_capacity(count as usize);
            let mut members = Vec::with_capacity(count as usize);
            for _ in 0..count {
                let (first, last) = (rng.pick(FIRST), rng.pick(LAST));
                let (ca, cb) = (rng.pick(COMPANY_A), rng.pick(COMPANY_B));
                let company_no = rng.next() % 50;
                let id = Uuid::now_v7();
                let tail = rng.next() & 0xffff_ffff_ffff;
                let email = format!(
                    "{}.{}.{tail:012x}@{}{}{company_no}.example",
                    first.to_lowercase(),
                    last.to_lowercase(),
                    ca.to_lowercase(),
                    cb.to_lowercase()
                );
                let role = rng.weighted(ROLES, BuiltinRole::Customer);
                let mut m = MembershipRow::new(account_id, id, role.into(), t);
                m.status = match rng.next() % 100 {
                    0..=2 => roster_core::MembershipStatus::Archived,
                    3..=9 => roster_core::MembershipStatus::Disabled,
                    _ => roster_core::MembershipStatus::Active,
                };
                if !rng.next().is_multiple_of(5) {
                    let ago = (rng.next() % (365 * 24 * 3600)) as i64;
                    m.last_sign_in_at = Some(t - Duration::seconds(ago));
                }
                users.push(UserRow {
                    id,
                    email,
                    username: None,
                    first_name: first.to_owned(),
                    last_name: last.to_owned(),
                    phone: rng.next().is_multiple_of(2).then(|| format!("+1 555 {:04}", rng.next() % 10_000)),
                    company: Some(format!("{ca} {cb} {company_no}")),
                    password_hash: None,
                    time_zone: "UTC".to_owned(),
                    is_operator: false,
                    email_verified_at: None,
                    created_at: t,
                    updated_at: t,
                });
                members.push(m);
            }
            lanes.push(self.demo_batch(account_id, users, members, t)).await?;
        }
        let added = lanes.finish().await?;
        Ok(added)
    }

    /// Writes one batch of generated members and its audit row in one transaction.
    async fn demo_batch(
        &self,
        account_id: Uuid,
        users: Vec<UserRow>,
        members: Vec<MembershipRow>,
        t: time::OffsetDateTime,
    ) -> Result<u32> {
        let count = u32::try_from(members.len()).unwrap_or(u32::MAX);
        let mut tx = self.store.begin().await?;
        tx.insert_members_bulk(&users, &members).await?;
        tx.insert_audit_bulk(&[AuditRow {
            id: Uuid::now_v7(),
            account_id: Some(account_id),
            actor_id: None,
            impersonator_id: None,
            action: roster_core::AuditAction::AccountDemoMembersAdded,
            target_type: Some("account".to_owned()),
            target_id: Some(account_id.to_string()),
            ip: None,
            details: Who::internal(Internal::Demo).details(Some(serde_json::json!({ "count": count }))),
            at: t,
        }])
        .await?;
        tx.commit().await?;
        Ok(count)
    }

    /// The account with this slug; the demo account or a new one with a generated owner when
    /// there is none.
    pub(crate) async fn demo_account(&self, slug: &str) -> Result<Uuid> {
        if let Some(a) = self.store.read().await?.account_by_slug(slug).await? {
            return Ok(a.id);
        }
        if slug == DEMO_SLUG {
            self.demo().await?;
            let mut tx = self.store.read().await?;
            return Ok(tx.account_by_slug(slug).await?.ok_or(ServiceError::NotFound)?.id);
        }
        let slug_ok = roster_core::Slug::parse(slug).map_err(|e| ServiceError::invalid("account", e.0))?;
        let name = AccountName::parse(slug).map_err(|e| ServiceError::invalid("account", e.0))?;
        let t = now();
        let owner = UserRow {
            id: Uuid::now_v7(),
            email: format!("owner@{}.roster.example", slug_ok.as_str()),
            username: None,
            first_name: "Generated".to_owned(),
            last_name: "Owner".to_owned(),
            phone: None,
            company: None,
            password_hash: None,
            time_zone: "UTC".to_owned(),
            is_operator: false,
            email_verified_at: Some(t),
            created_at: t,
            updated_at: t,
        };
        let mut tx = self.store.begin().await?;
        tx.insert_user(&owner).await?;
        let (mut account, membership) = new_account(tx.as_mut(), &name, owner.id).await?;
        account.slug = slug_ok.as_str().to_owned();
        tx.insert_account(&account, &membership).await?;
        crate::records::membership::on_join(tx.as_mut(), account.id, &owner, &[], t).await?;
        tx.commit().await?;
        Ok(account.id)
    }
}
