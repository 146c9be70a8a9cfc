//! Personal API tokens.
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::*;

/// Personal API tokens: long-lived bearer secrets of one person in one account, kept only as
/// their SHA-256. The store finds and lists them; the service decides who may use them.
#[async_trait]
pub trait ApiTokenRepo {
    async fn insert_api_token(&mut self, t: &ApiTokenRow) -> Result<()>;
    /// The live token (not revoked, not expired at `now`) for a hash, with its user and the
    /// user's membership in the token's account (`None` without one). One query.
    async fn api_token_by_hash(&mut self, token_hash: &[u8], now: OffsetDateTime) -> Result<Option<FoundApiToken>>;
    /// [`ApiTokenRepo::api_token_by_hash`] for many hashes in one statement (a shared read,
    /// decision 0111): the live tokens among them, in no particular order.
    async fn api_tokens_by_hashes(
        &mut self,
        token_hashes: &[Vec<u8>],
        now: OffsetDateTime,
    ) -> Result<Vec<FoundApiToken>>;
    /// The person's tokens in the account that are not revoked (expired ones too), newest first.
    async fn api_tokens_of(&mut self, account_id: Uuid, user_id: Uuid) -> Result<Vec<ApiTokenRow>>;
    /// Revokes one of the person's tokens in the account; false when they have no such
    /// unrevoked token (another person's or another account's id included).
    async fn revoke_api_token(
        &mut self,
        account_id: Uuid,
        user_id: Uuid,
        id: Uuid,
        now: OffsetDateTime,
    ) -> Result<bool>;
    /// Revokes every live token of the person in the account (R-DIS-1); how many.
    async fn revoke_api_tokens_of(&mut self, account_id: Uuid, user_id: Uuid, now: OffsetDateTime) -> Result<u64>;
    /// Records a use at `now` unless one was recorded after `unless_after` (at most one write
    /// a minute per token, whatever the replicas do); true when it wrote.
    async fn touch_api_token(&mut self, id: Uuid, now: OffsetDateTime, unless_after: OffsetDateTime) -> Result<bool>;
}
