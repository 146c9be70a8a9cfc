//! Personal API tokens. Authentication reads the token, its user and the membership in one
//! query; the service decides (an inactive membership refuses the token).
use std::sync::LazyLock;

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::super::driver::{IN_JSON_HEX, SqlTx, get, to_db};
use super::super::signin::sessions::{hashes_json, joined_membership};
use super::super::signin::users::user_from_row;
use super::super::{DbRow, opt_time, time, uuid};
use crate::{ApiTokenRepo, ApiTokenRow, FoundApiToken, Result};

macro_rules! token_cols {
    () => {
        "t.id, t.user_id, t.account_id, t.name, t.token_hash, t.prefix, t.created_at, t.expires_at, \
         t.last_used_at, t.revoked_at"
    };
}

/// A live token's columns with its user and membership (`$2` now); `{}` is the token's condition.
macro_rules! token_with_member {
    () => {
        concat!(
            "SELECT ",
            token_cols!(),
            ", ",
            user_cols!(),
            ", ",
            member_cols!(),
            " FROM api_tokens t JOIN users u ON u.id = t.user_id \
             LEFT JOIN memberships m ON m.account_id = t.account_id AND m.user_id = t.user_id \
             LEFT JOIN accounts a ON a.id = m.account_id \
             WHERE t.token_hash {} AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)"
        )
    };
}

static TOKEN_BY_HASH: LazyLock<String> = LazyLock::new(|| format!(token_with_member!(), "= $1"));

/// [`TOKEN_BY_HASH`] for the JSON array of token hashes (hex) at `$1` (decision 0111).
static TOKENS_BY_HASHES: LazyLock<String> =
    LazyLock::new(|| format!(token_with_member!(), IN_JSON_HEX.replace("$J", "$1")));

/// A token row with its user and membership.
fn found_token(r: &DbRow<'_>) -> Result<FoundApiToken> {
    Ok((token_from_row(r)?, user_from_row(r)?, joined_membership(r)?))
}

const TOKENS_OF: &str = concat!(
    "SELECT ",
    token_cols!(),
    " FROM api_tokens t WHERE t.account_id = $1 AND t.user_id = $2 AND t.revoked_at IS NULL \
     ORDER BY t.created_at DESC, t.id DESC"
);

fn token_from_row(r: &DbRow<'_>) -> Result<ApiTokenRow> {
    Ok(ApiTokenRow {
        id: uuid(r, "id")?,
        user_id: uuid(r, "user_id")?,
        account_id: uuid(r, "account_id")?,
        name: get(r, "name")?,
        token_hash: get(r, "token_hash")?,
        prefix: get(r, "prefix")?,
        created_at: time(r, "created_at")?,
        expires_at: opt_time(r, "expires_at")?,
        last_used_at: opt_time(r, "last_used_at")?,
        revoked_at: opt_time(r, "revoked_at")?,
    })
}

#[async_trait]
impl ApiTokenRepo for SqlTx {
    async fn insert_api_token(&mut self, t: &ApiTokenRow) -> Result<()> {
        self.exec(
            "INSERT INTO api_tokens (id, user_id, account_id, name, token_hash, prefix, created_at, expires_at, \
             last_used_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            args![
                t.id,
                t.user_id,
                t.account_id,
                t.name,
                t.token_hash,
                t.prefix,
                to_db(t.created_at),
                t.expires_at.map(to_db),
                t.last_used_at.map(to_db),
                t.revoked_at.map(to_db)
            ],
        )
        .await?;
        Ok(())
    }

    async fn api_token_by_hash(&mut self, token_hash: &[u8], now: OffsetDateTime) -> Result<Option<FoundApiToken>> {
        self.opt(TOKEN_BY_HASH.as_str(), args![token_hash, to_db(now)], found_token).await
    }

    async fn api_tokens_by_hashes(
        &mut self,
        token_hashes: &[Vec<u8>],
        now: OffsetDateTime,
    ) -> Result<Vec<FoundApiToken>> {
        if token_hashes.is_empty() {
            return Ok(Vec::new());
        }
        self.all(TOKENS_BY_HASHES.as_str(), args![hashes_json(token_hashes), to_db(now)], found_token).await
    }

    async fn api_tokens_of(&mut self, account_id: Uuid, user_id: Uuid) -> Result<Vec<ApiTokenRow>> {
        self.all(TOKENS_OF, args![account_id, user_id], token_from_row).await
    }

    async fn revoke_api_token(
        &mut self,
        account_id: Uuid,
        user_id: Uuid,
        id: Uuid,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE api_tokens SET revoked_at = $4 \
                 WHERE id = $1 AND account_id = $2 AND user_id = $3 AND revoked_at IS NULL",
                args![id, account_id, user_id, to_db(now)],
            )
            .await?;
        Ok(n == 1)
    }

    async fn revoke_api_tokens_of(&mut self, account_id: Uuid, user_id: Uuid, now: OffsetDateTime) -> Result<u64> {
        self.exec(
            "UPDATE api_tokens SET revoked_at = $3 WHERE account_id = $1 AND user_id = $2 AND revoked_at IS NULL",
            args![account_id, user_id, to_db(now)],
        )
        .await
    }

    async fn touch_api_token(&mut self, id: Uuid, now: OffsetDateTime, unless_after: OffsetDateTime) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE api_tokens SET last_used_at = $2 \
                 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $3)",
                args![id, to_db(now), to_db(unless_after)],
            )
            .await?;
        Ok(n == 1)
    }
}
