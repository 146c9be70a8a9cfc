//! `roster demo --tickets N` (the ticket list's benchmark, `bench/tickets.sh`) and the few
//! believable tickets plain `roster demo` adds (R-TKT-1).
//!
//! Generated tickets: numbers taken in one short unit of work per batch, then written
//! [`RECORD_BATCH`] per unit of work, as many at once as the backend has writers ([`Lanes`]);
//! statuses mostly closed (an old helpdesk), priorities mostly normal, assigned round the
//! account's active members (one in ten to nobody), one in three linked to a demo client.
use roster_core::scope::{InternalUse, internal};
use roster_core::{AuditAction, Scope, TicketAuthor, TicketPriority, TicketStatus};
use roster_store::{TicketMessageRow, TicketRow};
use time::Duration;
use uuid::Uuid;

use crate::accounts::demo_bulk::RECORD_BATCH;
use crate::accounts::demo_fill::{FIRST, Rng};
use crate::accounts::demo_work::{CLIENTS, count, demo_audit};
use crate::accounts::lanes::Lanes;
use crate::{Result, Service, now};

const SUBJECTS: &[&str] = &[
    "Cannot sign in to the portal",
    "Invoice shows the wrong amount",
    "Proofs for the brochure",
    "Change the delivery address",
    "Logo files in higher resolution",
    "Website contact form does not send",
    "Question about the quote",
    "Photos from the shoot",
    "Reschedule our meeting",
    "Print colours look different",
];
const STATUSES: &[(TicketStatus, u64)] =
    &[(TicketStatus::Closed, 70), (TicketStatus::Answered, 15), (TicketStatus::Open, 15)];
const PRIORITIES: &[(TicketPriority, u64)] =
    &[(TicketPriority::Normal, 60), (TicketPriority::Low, 20), (TicketPriority::High, 15), (TicketPriority::Urgent, 5)];
/// A demo ticket: subject, status, priority and its messages (who, what).
type DemoThread = (&'static str, TicketStatus, TicketPriority, &'static [(TicketAuthor, &'static str)]);

/// A fixed seed: the same subjects every run.
const SEED: u64 = 0x5EED_0017_0000_0003;

impl Service {
    /// Adds `n` generated tickets to the account `slug` (the demo account by default).
    pub async fn demo_fill_tickets(&self, slug: Option<&str>, n: u32, progress: &(dyn Fn(u32) + Sync)) -> Result<u32> {
        let slug = slug.unwrap_or(crate::accounts::demo::DEMO_SLUG);
        let account_id = self.demo_account(slug).await?;
        let (sales, others) = self.demo_assignees(account_id, slug).await?;
        let scope = internal(account_id, InternalUse::Demo);
        let mut members: Vec<Uuid> = others.clone();
        members.extend(sales);
        let Some(opener) = members.first().copied() else { return Ok(0) };
        let clients = {
            let mut tx = self.store.read().await?;
            let mut out = Vec::new();
            for c in CLIENTS {
                out.extend(tx.contact_by_email(&scope, c.3).await?.map(|c| c.id));
            }
            out
        };
        let mut rng = Rng(SEED);
        let mut lanes = Lanes::new(self.store.backend(), progress);
        let mut sent = 0u32;
        while sent < n {
            let batch = RECORD_BATCH.min(n - sent);
            let first = {
                let mut tx = self.store.begin().await?;
                let first = tx.take_ticket_numbers(&scope, i64::from(batch)).await?;
                tx.commit().await?;
                first
            };
            let t = now();
            let mut rows = Vec::with_capacity(batch as usize);
            for i in 0..batch {
                let created = t - Duration::seconds((rng.next() % (2 * 365 * 24 * 3600)) as i64);
                let assigned_to =
                    (!rng.next().is_multiple_of(10)).then(|| members[(rng.next() % members.len() as u64) as usize]);
                let contact_id = (!clients.is_empty() && rng.next().is_multiple_of(3))
                    .then(|| clients[(rng.next() % clients.len() as u64) as usize]);
                rows.push(TicketRow {
                    id: Uuid::now_v7(),
                    account_id,
                    number: first + i64::from(i),
                    subject: format!("{} ({})", rng.pick(SUBJECTS), rng.pick(FIRST)),
                    contact_id,
                    status: rng.weighted(STATUSES, TicketStatus::Closed),
                    priority: rng.weighted(PRIORITIES, TicketPriority::Normal),
                    assigned_to,
                    opened_by: if contact_id.is_some() { TicketAuthor::Contact } else { TicketAuthor::Member },
                    created_by: opener,
                    created_at: created,
                    updated_at: created + Duration::minutes((rng.next() % (3 * 24 * 60)) as i64),
                });
            }
            sent += batch;
            lanes.push(self.demo_ticket_batch(scope, rows)).await?;
        }
        lanes.finish().await
    }

    async fn demo_ticket_batch(&self, scope: Scope, rows: Vec<TicketRow>) -> Result<u32> {
        let mut tx = self.store.begin().await?;
        for r in &rows {
            tx.insert_ticket(&scope, r).await?;
        }
        let n = count(rows.len());
        tx.insert_audit(&demo_audit(&scope, AuditAction::TicketOpened, n, now())).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Plain `roster demo`: three tickets from the demo's clients with a short thread each,
    /// assigned to `assignee`; nothing when the account has tickets already.
    pub(crate) async fn demo_few_tickets(
        &self,
        tx: &mut dyn roster_store::Tx,
        scope: &Scope,
        assignee: Uuid,
        clients: &[Uuid],
    ) -> Result<u32> {
        if !tx.list_tickets(scope, &roster_store::TicketQuery::default(), 1).await?.is_empty() {
            return Ok(0);
        }
        let t = now();
        let threads: [DemoThread; 3] = [
            (
                "The brochure proofs have the old phone number",
                TicketStatus::Open,
                TicketPriority::High,
                &[(TicketAuthor::Contact, "Page 4 still shows our old number. Can you fix it before printing?")],
            ),
            (
                "Invoice 2041 shows the wrong amount",
                TicketStatus::Answered,
                TicketPriority::Normal,
                &[
                    (TicketAuthor::Contact, "We agreed on 1,200 but the invoice says 1,450."),
                    (TicketAuthor::Member, "You are right, sorry: a corrected invoice is on its way today."),
                ],
            ),
            (
                "Logo files in higher resolution",
                TicketStatus::Closed,
                TicketPriority::Low,
                &[
                    (TicketAuthor::Contact, "Could we have the logo as SVG for the trade fair banner?"),
                    (TicketAuthor::Member, "Attached to the project: logo.svg and logo-white.svg."),
                    (TicketAuthor::Contact, "Perfect, thank you!"),
                ],
            ),
        ];
        let mut made = 0;
        for (i, (subject, status, priority, messages)) in threads.into_iter().enumerate() {
            let at = t - Duration::days(3 - i as i64);
            let contact_id = clients.get(i % clients.len().max(1)).copied();
            let row = TicketRow {
                id: Uuid::now_v7(),
                account_id: scope.account_id(),
                number: tx.next_ticket_number(scope).await?,
                subject: subject.to_owned(),
                contact_id,
                status,
                priority,
                assigned_to: Some(assignee),
                opened_by: if contact_id.is_some() { TicketAuthor::Contact } else { TicketAuthor::Member },
                created_by: assignee,
                created_at: at,
                updated_at: at + Duration::hours(messages.len() as i64),
            };
            tx.insert_ticket(scope, &row).await?;
            for (j, (author, body)) in messages.iter().enumerate() {
                let author = if contact_id.is_none() { TicketAuthor::Member } else { *author };
                let m = TicketMessageRow {
                    id: Uuid::now_v7(),
                    account_id: scope.account_id(),
                    ticket_id: row.id,
                    author,
                    user_id: assignee,
                    body: (*body).to_owned(),
                    emailed_to: None,
                    created_at: at + Duration::hours(j as i64),
                };
                tx.insert_ticket_message(scope, &m).await?;
            }
            made += 1;
        }
        Ok(made)
    }
}
