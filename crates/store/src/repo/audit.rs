//! The audit log: written by every change, never updated.
use async_trait::async_trait;
use uuid::Uuid;

use crate::*;

#[async_trait]
pub trait AuditRepo {
    async fn insert_audit(&mut self, e: &AuditRow) -> Result<()>;
    async fn audit_of_account(&mut self, account_id: Uuid, limit: i64) -> Result<Vec<AuditRow>>;
    /// The account's audit log, newest first, filtered, keyset-paged by id; with the names of
    /// the actor, impersonator and target user while they exist (one query, joined).
    async fn audit_page(&mut self, account_id: Uuid, filter: &AuditFilter, limit: i64) -> Result<Vec<AuditEntry>>;
}
