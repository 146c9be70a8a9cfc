//! `roster demo --contacts N`: generated contacts (believable names, companies, stages, tags of
//! none) in the demo account or another, for trying the contact pages and for
//! `bench/records.sh`. In the demo account the salesperson (Sally Seller) is assigned the first
//! [`SALES_ASSIGNED`]; the rest go round the owner, the admin and the standard user, a quarter
//! unassigned. Elsewhere they go to the account's owner or nobody.
use crate::accounts::lanes::Lanes;
use roster_core::scope::{InternalUse, internal};
use roster_core::{ContactKind, ContactStage, Scope};
use roster_store::{AuditRow, SeedContact};
use time::Duration;
use uuid::Uuid;

use crate::accounts::demo::DEMO_SLUG;
use crate::accounts::demo_fill::{COMPANY_A, COMPANY_B, FIRST, LAST, Rng, seed};
use crate::actor::Internal;
use crate::signin::Who;
use crate::{Result, Service, now};

/// How many contacts the demo salesperson is assigned (the "salesperson with 1,000").
pub const SALES_ASSIGNED: u32 = 1_000;

/// From this many generated contacts, SQLite builds the contact list indexes after the load
/// instead of row by row (decision 0102).
const BULK_INDEX_AFTER: u32 = 100_000;

const KINDS: &[(ContactKind, u64)] = &[(ContactKind::Client, 55), (ContactKind::Lead, 35), (ContactKind::Vendor, 10)];

/// When the `i`-th of `n` generated contacts was added: spread over the three years before `t`,
/// in the order they are written, as contacts added over time are (decision 0095). Random
/// times made "creation order" (the export's) a random walk of the table, as no account's is.
fn created_at(t: time::OffsetDateTime, i: u32, n: u32) -> time::OffsetDateTime {
    const SPAN: i64 = 3 * 365 * 24 * 3600;
    let back = SPAN - SPAN * i64::from(i) / i64::from(n.max(1));
    t - Duration::seconds(back)
}

impl Service {
    /// Adds `n` generated contacts to the account `slug` (the demo account by default; made
    /// like `demo_fill` does when missing). `progress` hears the running total.
    pub async fn demo_fill_contacts(&self, slug: Option<&str>, n: u32, progress: &(dyn Fn(u32) + Sync)) -> Result<u32> {
        let slug = slug.unwrap_or(DEMO_SLUG);
        let account_id = self.demo_account(slug).await?;
        let (sales, others) = self.demo_assignees(account_id, slug).await?;
        let scope = internal(account_id, InternalUse::Demo);
        let batch = self.store.backend().bulk_batch_rows().max(1);
        // A large load builds the contact list indexes once at the end (decision 0102).
        let deferred = n >= BULK_INDEX_AFTER;
        if deferred {
            self.store.contacts_bulk_load(true).await?;
        }
        let loaded = self.demo_contacts_in_batches(scope, n, batch, sales, &others, progress).await;
        if deferred {
            self.store.contacts_bulk_load(false).await?;
        }
        let added = loaded?;
        // The lists' plans depend on the planner knowing the tables' new sizes.
        self.store.refresh_statistics().await?;
        Ok(added)
    }

    async fn demo_contacts_in_batches(
        &self,
        scope: Scope,
        n: u32,
        batch: u32,
        sales: Option<Uuid>,
        others: &[Uuid],
        progress: &(dyn Fn(u32) + Sync),
    ) -> Result<u32> {
        let mut rng = Rng(seed());
        let mut lanes = Lanes::new(self.store.backend(), progress);
        let mut sent = 0u32;
        let t = now();
        while sent < n {
            let count = batch.min(n - sent);
            let mut rows = Vec::with_capacity(count as usize);
            for i in sent..sent + count {
                let (first, last) = (rng.pick(FIRST), rng.pick(LAST));
                let (ca, cb) = (rng.pick(COMPANY_A), rng.pick(COMPANY_B));
                let company_no = rng.next() % 50;
                let tail = rng.next() & 0xffff_ffff_ffff;
                let assigned_to = match sales {
                    Some(s) if i < SALES_ASSIGNED => Some(s),
                    _ if rng.next().is_multiple_of(4) || others.is_empty() => None,
                    _ => others.get((rng.next() % others.len() as u64) as usize).copied(),
                };
                let kind = rng.weighted(KINDS, ContactKind::Client);
                let stage = ContactStage::ALL[(rng.next() % ContactStage::ALL.len() as u64) as usize];
                rows.push(SeedContact {
                    id: Uuid::now_v7(),
                    kind,
                    first_name: first.to_owned(),
                    last_name: last.to_owned(),
                    company: Some(format!("{ca} {cb} {company_no}")),
                    email: format!(
                        "{}.{}.{tail:012x}@{}{}{company_no}.example",
                        first.to_lowercase(),
                        last.to_lowercase(),
                        ca.to_lowercase(),
                        cb.to_lowercase()
                    ),
                    phone: rng.next().is_multiple_of(2).then(|| format!("+1 555 {:04}", rng.next() % 10_000)),
                    stage,
                    assigned_to,
                    created_at: created_at(t, i, n),
                });
            }
            sent += count;
            lanes.push(self.demo_contact_batch(scope, rows)).await?;
        }
        lanes.finish().await
    }

    /// The demo salesperson (in the demo account) and who else gets contacts.
    pub(crate) async fn demo_assignees(&self, account_id: Uuid, slug: &str) -> Result<(Option<Uuid>, Vec<Uuid>)> {
        let mut tx = self.store.read().await?;
        let account = tx.account_by_id(account_id).await?.ok_or(crate::ServiceError::NotFound)?;
        if slug != DEMO_SLUG {
            return Ok((None, vec![account.owner_id]));
        }
        let mut id_of = async |email: &str| -> Result<Option<Uuid>> {
            let Some(u) = tx.user_by_email(email).await? else { return Ok(None) };
            Ok(tx.membership(account_id, u.id).await?.map(|_| u.id))
        };
        let sales = id_of("sales@demo.roster.example").await?;
        let mut others = Vec::new();
        for email in ["owner@demo.roster.example", "admin@demo.roster.example", "standard@demo.roster.example"] {
            others.extend(id_of(email).await?);
        }
        Ok((sales, others))
    }

    async fn demo_contact_batch(&self, scope: Scope, rows: Vec<SeedContact>) -> Result<u32> {
        let count = u32::try_from(rows.len()).unwrap_or(u32::MAX);
        let mut tx = self.store.begin().await?;
        tx.insert_contacts_bulk(&scope, &rows).await?;
        tx.insert_audit(&AuditRow {
            id: Uuid::now_v7(),
            account_id: Some(scope.account_id()),
            actor_id: None,
            impersonator_id: None,
            action: roster_core::AuditAction::ContactsImported,
            target_type: Some("account".to_owned()),
            target_id: Some(scope.account_id().to_string()),
            ip: None,
            details: Who::internal(Internal::Demo).details(Some(serde_json::json!({ "count": count }))),
            at: now(),
        })
        .await?;
        tx.commit().await?;
        Ok(count)
    }
}
