use async_trait::async_trait;
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::users::user_from_row;
use super::{SqlTx, time, to_db, uuid};
use crate::{Result, SessionRepo, SessionRow, UserRow};

const SESSION_BY_HASH: &str = concat!(
    "SELECT s.id, s.token_hash, s.user_id, s.account_id, s.kind, s.csrf_token, s.user_agent, s.ip, \
     s.created_at, s.last_seen_at, s.idle_expires_at, s.expires_at, ",
    user_cols!(),
    " FROM sessions s JOIN users u ON u.id = s.user_id \
     WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.idle_expires_at > $2"
);

#[async_trait]
impl SessionRepo for SqlTx {
    async fn insert_session(&mut self, s: &SessionRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id, token_hash, user_id, account_id, kind, csrf_token, user_agent, ip, \
             created_at, last_seen_at, idle_expires_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(s.id)
        .bind(&s.token_hash)
        .bind(s.user_id)
        .bind(s.account_id)
        .bind(&s.kind)
        .bind(&s.csrf_token)
        .bind(&s.user_agent)
        .bind(&s.ip)
        .bind(to_db(s.created_at))
        .bind(to_db(s.last_seen_at))
        .bind(to_db(s.idle_expires_at))
        .bind(to_db(s.expires_at))
        .execute(self.c())
        .await?;
        Ok(())
    }

    async fn session_by_hash(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
    ) -> Result<Option<(SessionRow, UserRow)>> {
        let Some(r) = sqlx::query(SESSION_BY_HASH).bind(token_hash).bind(to_db(now)).fetch_optional(self.c()).await?
        else {
            return Ok(None);
        };
        let session = SessionRow {
            id: uuid(&r, "id")?,
            token_hash: r.try_get("token_hash")?,
            user_id: uuid(&r, "user_id")?,
            account_id: r.try_get("account_id")?,
            kind: r.try_get("kind")?,
            csrf_token: r.try_get("csrf_token")?,
            user_agent: r.try_get("user_agent")?,
            ip: r.try_get("ip")?,
            created_at: time(&r, "created_at")?,
            last_seen_at: time(&r, "last_seen_at")?,
            idle_expires_at: time(&r, "idle_expires_at")?,
            expires_at: time(&r, "expires_at")?,
        };
        Ok(Some((session, user_from_row(&r)?)))
    }

    async fn touch_session(&mut self, id: Uuid, now: OffsetDateTime, idle_expires_at: OffsetDateTime) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $2, idle_expires_at = $3 WHERE id = $1")
            .bind(id)
            .bind(to_db(now))
            .bind(to_db(idle_expires_at))
            .execute(self.c())
            .await?;
        Ok(())
    }

    async fn delete_session(&mut self, id: Uuid) -> Result<bool> {
        let done = sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id).execute(self.c()).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_sessions_of_user(&mut self, user_id: Uuid) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(self.c()).await?;
        Ok(done.rows_affected())
    }
}
