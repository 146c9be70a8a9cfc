//! Records many at a time, for `roster demo` (believable data) and the benchmarks
//! (`bench/records.sh`): one call writes a batch in the caller's unit of work.
use async_trait::async_trait;
use roster_core::{ContactKind, ContactStage, Scope};
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

#[async_trait]
pub trait RecordSeedRepo {
    /// Inserts generated contacts into the scope's account (their search rows too).
    async fn insert_contacts_bulk(&mut self, scope: &Scope, rows: &[SeedContact]) -> Result<u64>;
}
