//! Records many at a time, for `roster demo` (believable data) and the benchmarks
//! (`bench/records.sh`): one call writes a batch in the caller's unit of work.
use async_trait::async_trait;
use roster_core::{ContactKind, ContactStage, ProjectStatus, Scope};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Result;

/// One generated contact.
#[derive(Debug, Clone)]
pub struct SeedContact {
    pub id: Uuid,
    pub kind: ContactKind,
    pub first_name: String,
    pub last_name: String,
    pub company: Option<String>,
    /// Lower-cased.
    pub email: String,
    pub phone: Option<String>,
    pub stage: ContactStage,
    pub assigned_to: Option<Uuid>,
    pub created_at: OffsetDateTime,
}

/// One generated project with its members and tags (ids of the same account).
#[derive(Debug, Clone)]
pub struct SeedProject {
    pub id: Uuid,
    pub name: String,
    pub contact_id: Option<Uuid>,
    pub status: ProjectStatus,
    pub owner_id: Uuid,
    pub members: Vec<Uuid>,
    pub tag_ids: Vec<Uuid>,
    pub created_at: OffsetDateTime,
}

/// One generated event in a calendar of the account.
#[derive(Debug, Clone)]
pub struct SeedEvent {
    pub id: Uuid,
    pub calendar_id: Uuid,
    pub title: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub all_day: bool,
    pub contact_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub created_by: Uuid,
    pub created_at: OffsetDateTime,
}

#[async_trait]
pub trait RecordSeedRepo {
    /// Inserts generated contacts into the scope's account (their search rows too).
    async fn insert_contacts_bulk(&mut self, scope: &Scope, rows: &[SeedContact]) -> Result<u64>;
    /// Inserts generated projects, their members and tags into the scope's account; answers
    /// the projects written.
    async fn insert_projects_bulk(&mut self, scope: &Scope, rows: &[SeedProject]) -> Result<u64>;
    /// Inserts generated events into calendars of the scope's account (a calendar of another
    /// account is refused by the database).
    async fn insert_events_bulk(&mut self, scope: &Scope, rows: &[SeedEvent]) -> Result<u64>;
}
