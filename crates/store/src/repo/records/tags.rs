//! The account's tags, shared by contacts and projects (R-CON-1, R-PRJ-1). Tags are the
//! account's vocabulary, not records of one member: any member who may tag a record may use or
//! add a name. The scope only names the account.
use async_trait::async_trait;
use roster_core::Scope;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Result;

/// One tag of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRow {
    pub id: Uuid,
    pub name: String,
}

#[async_trait]
pub trait TagRepo {
    /// The tags named `names` (matched without regard to case), made when missing; in the order
    /// of `names`, duplicates removed. Names are trimmed and non-empty (the service checks).
    async fn ensure_tags(&mut self, scope: &Scope, names: &[String], at: OffsetDateTime) -> Result<Vec<TagRow>>;
    /// Every tag of the account, by name.
    async fn tags(&mut self, scope: &Scope) -> Result<Vec<TagRow>>;
    /// The tag called `name` (any case), if the account has one.
    async fn tag_by_name(&mut self, scope: &Scope, name: &str) -> Result<Option<TagRow>>;
    /// Adds a tag; `None` when the account already has one of that name (any case).
    async fn create_tag(&mut self, scope: &Scope, name: &str, at: OffsetDateTime) -> Result<Option<TagRow>>;
    /// The tag with this id, if the account has it.
    async fn tag(&mut self, scope: &Scope, id: Uuid) -> Result<Option<TagRow>>;
    /// Deletes a tag (it leaves every contact and project): rows deleted.
    async fn delete_tag(&mut self, scope: &Scope, id: Uuid) -> Result<u64>;
}
