//! `roster demo --projects N` and `--events N`: generated projects and events at benchmark size
//! (`bench/records.sh`, issue 16), in batches of [`RECORD_BATCH`], one unit of work each, as
//! many at once as the backend has bulk writers.
//!
//! - Projects: named after a client company and a piece of work; the account's admins belong to
//!   every one (R-PRJ-1: admins join every new project), the demo salesperson to the first
//!   [`SALES_PROJECTS`], the standard user to one in three; each has up to two tags from
//!   [`PROJECT_TAGS`] and, in the demo account, one of the demo's client contacts.
//! - Events: spread over a year (half a year back, half ahead), on weekdays during office hours,
//!   30 minutes to 2 hours, one in 25 all day and one in 200 lasting 2 to 4 days, round the
//!   account's default calendars (so the salesperson's gets about 1/members of them).
//!
//! Names come from a fixed seed, so two runs make the same names (not the same ids).
use crate::accounts::lanes::Lanes;
use roster_core::scope::{InternalUse, internal};
use roster_core::{AuditAction, ProjectStatus, Scope};
use roster_store::{CalendarQuery, SeedEvent, SeedProject};
use time::{Duration, Time};
use uuid::Uuid;

use crate::accounts::demo_fill::{COMPANY_A, COMPANY_B, FIRST, LAST, Rng};
use crate::accounts::demo_work::{CLIENTS, count, demo_audit};
use crate::{Result, Service, now};

/// Records written per unit of work.
pub const RECORD_BATCH: u32 = 10_000;
/// How many generated projects the demo salesperson belongs to ("all projects of this person").
pub const SALES_PROJECTS: u32 = 100;
/// The tags generated projects carry.
pub const PROJECT_TAGS: &[&str] =
    &["Branding", "Web", "Print", "Photography", "Event", "Retainer", "Priority", "Social", "Video", "Packaging"];

const WORK: &[&str] = &[
    "website redesign",
    "brand refresh",
    "spring campaign",
    "product launch",
    "annual report",
    "trade fair stand",
    "newsletter",
    "photo shoot",
    "packaging",
    "social media retainer",
    "video series",
    "office opening",
    "catalogue",
    "menu design",
    "app onboarding",
];
const STATUSES: &[(ProjectStatus, u64)] = &[
    (ProjectStatus::Active, 55),
    (ProjectStatus::Completed, 30),
    (ProjectStatus::OnHold, 10),
    (ProjectStatus::Cancelled, 5),
];
const MEETINGS: &[&str] =
    &["Call with", "Meeting with", "Lunch with", "Quote walkthrough with", "Design review with", "Follow-up with"];
const TEAM_EVENTS: &[&str] =
    &["Weekly team meeting", "Pipeline review", "Invoice run", "Portfolio review", "Planning session"];
const LONG_EVENTS: &[&str] = &["Trade fair", "Team offsite", "Client workshop days"];
/// A fixed seed: the same names every run.
const SEED: u64 = 0x5EED_0016_0000_0001;

impl Service {
    /// Adds `n` generated projects to the account `slug` (the demo account by default).
    /// `progress` hears the running total.
    pub async fn demo_fill_projects(&self, slug: Option<&str>, n: u32, progress: &(dyn Fn(u32) + Sync)) -> Result<u32> {
        let slug = slug.unwrap_or(crate::accounts::demo::DEMO_SLUG);
        let account_id = self.demo_account(slug).await?;
        let (sales, others) = self.demo_assignees(account_id, slug).await?;
        let scope = internal(account_id, InternalUse::Demo);
        let (admins, clients) = {
            let mut tx = self.store.read().await?;
            let admins = tx.admin_user_ids(&scope).await?;
            let mut clients = Vec::new();
            for c in CLIENTS {
                clients.extend(tx.contact_by_email(&scope, c.3).await?.map(|c| c.id));
            }
            (admins, clients)
        };
        let owner = admins.first().copied().or_else(|| others.first().copied());
        let Some(owner) = owner else { return Ok(0) };
        let standard = others.get(2).copied();
        let tags = {
            let mut tx = self.store.begin().await?;
            let names: Vec<String> = PROJECT_TAGS.iter().map(|s| (*s).to_owned()).collect();
            let tags = tx.ensure_tags(&scope, &names, now()).await?;
            tx.commit().await?;
            tags
        };
        let mut rng = Rng(SEED);
        let mut lanes = Lanes::new(self.store.backend(), progress);
        let mut sent = 0u32;
        while sent < n {
            let batch = RECORD_BATCH.min(n - sent);
            let t = now();
            let mut rows = Vec::with_capacity(batch as usize);
            for i in sent..sent + batch {
                let (ca, cb, no) = (rng.pick(COMPANY_A), rng.pick(COMPANY_B), rng.next() % 50);
                let mut members = admins.clone();
                if let Some(s) = sales.filter(|_| i < SALES_PROJECTS) {
                    members.push(s);
                }
                if let Some(s) = standard.filter(|_| rng.next().is_multiple_of(3)) {
                    members.push(s);
                }
                members.dedup();
                let mut tag_ids = Vec::new();
                for _ in 0..rng.next() % 3 {
                    if let Some(tag) = tags.get((rng.next() % tags.len().max(1) as u64) as usize)
                        && !tag_ids.contains(&tag.id)
                    {
                        tag_ids.push(tag.id);
                    }
                }
                let status = rng.weighted(STATUSES, ProjectStatus::Active);
                let contact_id = (!clients.is_empty() && rng.next().is_multiple_of(4))
                    .then(|| clients[(rng.next() % clients.len() as u64) as usize]);
                rows.push(SeedProject {
                    id: Uuid::now_v7(),
                    name: format!("{ca} {cb} {no}: {}", rng.pick(WORK)),
                    contact_id,
                    status,
                    owner_id: owner,
                    members,
                    tag_ids,
                    created_at: t - Duration::seconds((rng.next() % (2 * 365 * 24 * 3600)) as i64),
                });
            }
            sent += batch;
            lanes.push(self.demo_project_batch(scope, rows)).await?;
        }
        let added = lanes.finish().await?;
        Ok(added)
    }

    /// Adds `n` generated events to the default calendars of the account `slug` (the demo
    /// account by default). `progress` hears the running total.
    pub async fn demo_fill_events(&self, slug: Option<&str>, n: u32, progress: &(dyn Fn(u32) + Sync)) -> Result<u32> {
        let slug = slug.unwrap_or(crate::accounts::demo::DEMO_SLUG);
        let account_id = self.demo_account(slug).await?;
        let scope = internal(account_id, InternalUse::Demo);
        let calendars: Vec<(Uuid, Uuid)> = {
            let mut tx = self.store.read().await?;
            let mut out = Vec::new();
            let mut q = CalendarQuery::default();
            loop {
                let page = tx.calendars(&scope, &q, 500).await?;
                let Some(last) = page.last() else { break };
                q.after = Some((last.calendar.owner_id, last.calendar.created_at, last.calendar.id));
                let full = page.len() == 500;
                out.extend(page.iter().filter(|c| c.calendar.is_default).map(|c| (c.calendar.id, c.calendar.owner_id)));
                if !full || out.len() >= 10_000 {
                    break;
                }
            }
            out
        };
        if calendars.is_empty() {
            return Ok(0);
        }
        let first_day = now().replace_time(Time::MIDNIGHT) - Duration::days(182);
        let mut rng = Rng(SEED ^ 0xE7E7);
        let mut lanes = Lanes::new(self.store.backend(), progress);
        let mut sent = 0u32;
        while sent < n {
            let batch = RECORD_BATCH.min(n - sent);
            let t = now();
            let mut rows = Vec::with_capacity(batch as usize);
            for _ in 0..batch {
                let (calendar_id, owner) = calendars[(rng.next() % calendars.len() as u64) as usize];
                let mut day = first_day + Duration::days((rng.next() % 365) as i64);
                // Weekdays: a Saturday or Sunday moves to the Friday before.
                day -= Duration::days(i64::from(day.weekday().number_days_from_monday().saturating_sub(4)));
                let kind = rng.next() % 200;
                let (title, starts_at, ends_at, all_day) = if kind == 0 {
                    let days = 2 + (rng.next() % 3) as i64;
                    (rng.pick(LONG_EVENTS).to_owned(), day, day + Duration::days(days), true)
                } else if kind < 8 {
                    (rng.pick(TEAM_EVENTS).to_owned(), day, day + Duration::days(1), true)
                } else {
                    let at = day + Duration::minutes((8 * 60 + (rng.next() % 40) * 15) as i64);
                    let minutes = [30, 30, 45, 60, 60, 90, 120][(rng.next() % 7) as usize];
                    let title = if rng.next().is_multiple_of(3) {
                        rng.pick(TEAM_EVENTS).to_owned()
                    } else if rng.next().is_multiple_of(2) {
                        format!("{} {} {}", rng.pick(MEETINGS), rng.pick(FIRST), rng.pick(LAST))
                    } else {
                        format!("{} {} kick-off", rng.pick(COMPANY_A), rng.pick(COMPANY_B))
                    };
                    (title, at, at + Duration::minutes(minutes), false)
                };
                rows.push(SeedEvent {
                    id: Uuid::now_v7(),
                    calendar_id,
                    title,
                    starts_at,
                    ends_at,
                    all_day,
                    contact_id: None,
                    project_id: None,
                    created_by: owner,
                    created_at: t,
                });
            }
            sent += batch;
            lanes.push(self.demo_event_batch(scope, rows)).await?;
        }
        let added = lanes.finish().await?;
        Ok(added)
    }

    async fn demo_project_batch(&self, scope: Scope, rows: Vec<SeedProject>) -> Result<u32> {
        let mut tx = self.store.begin().await?;
        let n = count(tx.insert_projects_bulk(&scope, &rows).await?);
        tx.insert_audit(&demo_audit(&scope, AuditAction::ProjectCreated, n, now())).await?;
        tx.commit().await?;
        Ok(n)
    }

    async fn demo_event_batch(&self, scope: Scope, rows: Vec<SeedEvent>) -> Result<u32> {
        let mut tx = self.store.begin().await?;
        let n = count(tx.insert_events_bulk(&scope, &rows).await?);
        tx.insert_audit(&demo_audit(&scope, AuditAction::EventCreated, n, now())).await?;
        tx.commit().await?;
        Ok(n)
    }
}
