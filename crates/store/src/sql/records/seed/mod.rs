//! Records many at a time (demo data and benchmarks): each backend's bulk writer.
use async_trait::async_trait;
use roster_core::Scope;

use super::super::driver::SqlTx;
use crate::{RecordSeedRepo, Result, SeedContact, SeedEvent, SeedProject};

#[async_trait]
impl RecordSeedRepo for SqlTx {
    async fn insert_contacts_bulk(&mut self, scope: &Scope, rows: &[SeedContact]) -> Result<u64> {
        self.bulk_insert_contacts(scope.account_id(), rows).await
    }
    async fn insert_projects_bulk(&mut self, scope: &Scope, rows: &[SeedProject]) -> Result<u64> {
        self.bulk_insert_projects(scope.account_id(), rows).await
    }
    async fn insert_events_bulk(&mut self, scope: &Scope, rows: &[SeedEvent]) -> Result<u64> {
        self.bulk_insert_events(scope.account_id(), rows).await
    }
}
