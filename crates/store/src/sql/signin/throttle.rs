//! Sign-in throttle rows (R-AUTH-7). The policy (when a key is blocked, for how long) is the
//! service's; these queries count atomically so concurrent failures on several replicas all count.
use async_trait::async_trait;
use time::OffsetDateTime;

use super::super::driver::{PURGE_THROTTLE_SQL, SqlTx, get, to_db};
use super::super::{DbRow, opt_time, time};
use crate::{Result, ThrottleRepo, ThrottleRow};

fn throttle_from_row(r: &DbRow<'_>) -> Result<ThrottleRow> {
    Ok(ThrottleRow {
        key: get(r, "throttle_key")?,
        failures: get(r, "failures")?,
        window_start: time(r, "window_start")?,
        blocked_until: opt_time(r, "blocked_until")?,
    })
}

#[async_trait]
impl ThrottleRepo for SqlTx {
    async fn throttle_row(&mut self, key: &str) -> Result<Option<ThrottleRow>> {
        const SQL: &str = "SELECT throttle_key, failures, window_start, blocked_until FROM sign_in_throttle \
                           WHERE throttle_key = $1";
        self.opt(SQL, args![key], throttle_from_row).await
    }

    async fn record_throttle_failure(
        &mut self,
        key: &str,
        now: OffsetDateTime,
        window_from: OffsetDateTime,
    ) -> Result<ThrottleRow> {
        // Both backends evaluate every SET expression against the row as it was.
        const SQL: &str = "INSERT INTO sign_in_throttle (throttle_key, failures, window_start, blocked_until) \
             VALUES ($1, 1, $2, NULL) ON CONFLICT (throttle_key) DO UPDATE SET \
             failures = CASE WHEN sign_in_throttle.window_start <= $3 THEN 1 \
                        ELSE sign_in_throttle.failures + 1 END, \
             window_start = CASE WHEN sign_in_throttle.window_start <= $3 THEN $2 \
                            ELSE sign_in_throttle.window_start END \
             RETURNING throttle_key, failures, window_start, blocked_until";
        let row = self.opt(SQL, args![key, to_db(now), to_db(window_from)], throttle_from_row).await?;
        row.ok_or_else(|| crate::StoreError::Database("the throttle upsert returned no row".into()))
    }

    async fn set_throttle_block(&mut self, key: &str, blocked_until: OffsetDateTime) -> Result<()> {
        self.exec(
            "UPDATE sign_in_throttle SET blocked_until = $2 WHERE throttle_key = $1",
            args![key, to_db(blocked_until)],
        )
        .await?;
        Ok(())
    }

    async fn clear_throttle(&mut self, key: &str) -> Result<Option<ThrottleRow>> {
        const SQL: &str = "DELETE FROM sign_in_throttle WHERE throttle_key = $1 \
                           RETURNING throttle_key, failures, window_start, blocked_until";
        self.opt(SQL, args![key], throttle_from_row).await
    }

    async fn purge_throttle(&mut self, window_from: OffsetDateTime, now: OffsetDateTime) -> Result<u64> {
        self.exec(PURGE_THROTTLE_SQL, args![to_db(window_from), to_db(now)]).await
    }
}
