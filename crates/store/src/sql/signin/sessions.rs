use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::super::accounts::account_repo::{account_from_row, membership_from_row};
use std::sync::LazyLock;

use super::super::driver::{IN_JSON_HEX, IN_JSON_UUIDS, SqlTx, get, to_db};
use super::super::signin::users::user_from_row;
use super::super::{ids_json, time, uuid};
use crate::{AccountRow, FoundSession, MembershipRow, Result, SessionMemberships, SessionRepo, SessionRow, UserRow};

/// A session's columns (`s`), named as `session_from_row` reads them.
macro_rules! session_cols {
    () => {
        "s.id, s.token_hash, s.user_id, s.account_id, s.kind, s.csrf_token, s.user_agent, s.ip, \
         s.created_at, s.last_seen_at, s.idle_expires_at, s.expires_at, s.impersonator_id, s.impersonation_reason"
    };
}

/// Live sessions whose token hash meets `$hash` (`$2` now) with their users: the `FROM` and
/// `WHERE` of every lookup here, around the joins a lookup adds.
macro_rules! live_sessions {
    ($joins:expr, $hash:expr) => {
        concat!(
            " FROM sessions s JOIN users u ON u.id = s.user_id",
            $joins,
            " WHERE s.token_hash ",
            $hash,
            " AND s.expires_at > $2 AND s.idle_expires_at > $2"
        )
    };
}

/// [`live_sessions`] for one token hash, `$1`.
macro_rules! live_session {
    ($joins:expr) => {
        live_sessions!($joins, "= $1")
    };
}

/// The joins of a lookup that reads every membership of the user with its account.
macro_rules! all_memberships {
    () => {
        " LEFT JOIN memberships m ON m.user_id = s.user_id LEFT JOIN accounts a ON a.id = m.account_id"
    };
}

const SESSION_BY_HASH: &str = concat!("SELECT ", session_cols!(), ", ", user_cols!(), live_session!(""));

/// The session, its user and the user's membership in one account (`$3`), in one statement: a
/// request on an account's route authenticates and finds its caller's rights in one round trip.
const SESSION_WITH_MEMBERSHIP: &str = concat!(
    "SELECT ",
    session_cols!(),
    ", ",
    user_cols!(),
    ", ",
    member_cols!(),
    live_session!(
        " LEFT JOIN memberships m ON m.account_id = $3 AND m.user_id = s.user_id \
         LEFT JOIN accounts a ON a.id = m.account_id"
    )
);

/// The session, its user and every membership of the user with its account (`GET /me`), in one
/// statement: a row a membership, or one row with no membership.
const SESSION_WITH_MEMBERSHIPS: &str = concat!(
    "SELECT ",
    session_cols!(),
    ", ",
    user_cols!(),
    ", ",
    account_cols!(),
    ", ",
    member_cols!(),
    live_session!(all_memberships!()),
    " ORDER BY a.name, a.id"
);

/// Live sessions by the JSON array of their token hashes (hex) at `$1`, `$2` now, with their
/// users: [`SESSION_BY_HASH`] for many tokens at once (decision 0111).
static SESSIONS_BY_HASHES: LazyLock<String> = LazyLock::new(|| {
    format!(concat!("SELECT ", session_cols!(), ", ", user_cols!(), live_sessions!("", "{}")), in_hashes())
});

/// [`SESSION_WITH_MEMBERSHIPS`] for many tokens at once: a row a membership, or one row with
/// none; by session, then account name.
static SESSIONS_WITH_ALL_MEMBERSHIPS: LazyLock<String> = LazyLock::new(|| {
    format!(
        concat!(
            "SELECT ",
            session_cols!(),
            ", ",
            user_cols!(),
            ", ",
            account_cols!(),
            ", ",
            member_cols!(),
            live_sessions!(all_memberships!(), "{}"),
            " ORDER BY s.id, a.name, a.id"
        ),
        in_hashes()
    )
});

/// The same, with only the memberships in the accounts of the JSON array of ids at `$3`.
static SESSIONS_WITH_MEMBERSHIPS_IN: LazyLock<String> = LazyLock::new(|| {
    format!(
        concat!(
            "SELECT ",
            session_cols!(),
            ", ",
            user_cols!(),
            ", ",
            account_cols!(),
            ", ",
            member_cols!(),
            live_sessions!(
                " LEFT JOIN memberships m ON m.user_id = s.user_id AND m.account_id {} \
                 LEFT JOIN accounts a ON a.id = m.account_id",
                "{}"
            ),
            " ORDER BY s.id, a.name, a.id"
        ),
        IN_JSON_UUIDS.replace("$J", "$3"),
        in_hashes()
    )
});

/// "Is one of the token hashes at `$1`".
fn in_hashes() -> String {
    IN_JSON_HEX.replace("$J", "$1")
}

/// A JSON array of the hashes, hex-encoded (for `IN_JSON_HEX`).
pub(crate) fn hashes_json(hashes: &[Vec<u8>]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(2 + hashes.iter().map(|h| h.len() * 2 + 3).sum::<usize>());
    out.push('[');
    for (i, h) in hashes.iter().enumerate() {
        out.push_str(if i == 0 { "\"" } else { ",\"" });
        for b in h {
            let _ = write!(out, "{b:02x}");
        }
        out.push('"');
    }
    out.push(']');
    out
}

/// The membership columns of a row whose membership was left-joined: `None` when there was none.
pub(crate) fn joined_membership(r: &super::super::DbRow<'_>) -> Result<Option<MembershipRow>> {
    match get::<Option<Uuid>>(r, "m_account_id")? {
        Some(_) => membership_from_row(r).map(Some),
        None => Ok(None),
    }
}

type FoundRow = (SessionRow, UserRow, Option<(AccountRow, MembershipRow)>);

/// A row of a batched lookup with memberships: the session, its user and the membership with
/// its account, if the row has one.
fn found_row(r: &super::super::DbRow<'_>) -> Result<FoundRow> {
    let membership = joined_membership(r)?;
    let account = membership.as_ref().map(|_| account_from_row(r)).transpose()?;
    Ok((session_from_row(r)?, user_from_row(r)?, account.zip(membership)))
}

fn session_from_row(r: &super::super::DbRow<'_>) -> Result<SessionRow> {
    Ok(SessionRow {
        id: uuid(r, "id")?,
        token_hash: get(r, "token_hash")?,
        user_id: uuid(r, "user_id")?,
        account_id: get(r, "account_id")?,
        kind: get(r, "kind")?,
        csrf_token: get(r, "csrf_token")?,
        user_agent: get(r, "user_agent")?,
        ip: get(r, "ip")?,
        created_at: time(r, "created_at")?,
        last_seen_at: time(r, "last_seen_at")?,
        idle_expires_at: time(r, "idle_expires_at")?,
        expires_at: time(r, "expires_at")?,
        impersonator_id: get(r, "impersonator_id")?,
        impersonation_reason: get(r, "impersonation_reason")?,
    })
}

#[async_trait]
impl SessionRepo for SqlTx {
    async fn sessions_of_user(&mut self, user_id: Uuid, now: OffsetDateTime) -> Result<Vec<SessionRow>> {
        self.all(
            "SELECT id, token_hash, user_id, account_id, kind, csrf_token, user_agent, ip, created_at, last_seen_at, \
             idle_expires_at, expires_at, impersonator_id, impersonation_reason FROM sessions \
             WHERE user_id = $1 AND expires_at > $2 AND idle_expires_at > $2 ORDER BY last_seen_at DESC, id",
            args![user_id, to_db(now)],
            session_from_row,
        )
        .await
    }

    async fn delete_other_sessions_of_user(&mut self, user_id: Uuid, keep: Uuid) -> Result<u64> {
        self.exec("DELETE FROM sessions WHERE user_id = $1 AND id <> $2", args![user_id, keep]).await
    }

    async fn insert_session(&mut self, s: &SessionRow) -> Result<()> {
        self.exec(
            "INSERT INTO sessions (id, token_hash, user_id, account_id, kind, csrf_token, user_agent, ip, \
             created_at, last_seen_at, idle_expires_at, expires_at, impersonator_id, impersonation_reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            args![
                s.id,
                s.token_hash,
                s.user_id,
                s.account_id,
                s.kind,
                s.csrf_token,
                s.user_agent,
                s.ip,
                to_db(s.created_at),
                to_db(s.last_seen_at),
                to_db(s.idle_expires_at),
                to_db(s.expires_at),
                s.impersonator_id,
                s.impersonation_reason
            ],
        )
        .await?;
        Ok(())
    }

    async fn session_by_hash(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
    ) -> Result<Option<(SessionRow, UserRow)>> {
        self.opt(SESSION_BY_HASH, args![token_hash, to_db(now)], |r| {
            let session = session_from_row(r)?;
            Ok((session, user_from_row(r)?))
        })
        .await
    }

    async fn session_with_membership(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
        account_id: Uuid,
    ) -> Result<Option<(SessionRow, UserRow, Option<MembershipRow>)>> {
        self.opt(SESSION_WITH_MEMBERSHIP, args![token_hash, to_db(now), account_id], |r| {
            Ok((session_from_row(r)?, user_from_row(r)?, joined_membership(r)?))
        })
        .await
    }

    async fn session_with_memberships(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
    ) -> Result<Option<(SessionRow, UserRow, Vec<(AccountRow, MembershipRow)>)>> {
        let rows = self
            .all(SESSION_WITH_MEMBERSHIPS, args![token_hash, to_db(now)], |r| {
                let membership = joined_membership(r)?;
                let account = membership.as_ref().map(|_| account_from_row(r)).transpose()?;
                Ok((session_from_row(r)?, user_from_row(r)?, account.zip(membership)))
            })
            .await?;
        let mut rows = rows.into_iter();
        let Some((session, user, first)) = rows.next() else { return Ok(None) };
        let memberships = first.into_iter().chain(rows.filter_map(|(_, _, m)| m)).collect();
        Ok(Some((session, user, memberships)))
    }

    async fn sessions_by_hashes(
        &mut self,
        token_hashes: &[Vec<u8>],
        now: OffsetDateTime,
        memberships: SessionMemberships<'_>,
    ) -> Result<Vec<FoundSession>> {
        if token_hashes.is_empty() {
            return Ok(Vec::new());
        }
        let hashes = hashes_json(token_hashes);
        let rows = match memberships {
            SessionMemberships::None => {
                return self
                    .all(SESSIONS_BY_HASHES.as_str(), args![hashes, to_db(now)], |r| {
                        Ok((session_from_row(r)?, user_from_row(r)?, Vec::new()))
                    })
                    .await;
            }
            SessionMemberships::All => {
                self.all(SESSIONS_WITH_ALL_MEMBERSHIPS.as_str(), args![hashes, to_db(now)], found_row).await?
            }
            SessionMemberships::In(accounts) => {
                self.all(
                    SESSIONS_WITH_MEMBERSHIPS_IN.as_str(),
                    args![hashes, to_db(now), ids_json(accounts)],
                    found_row,
                )
                .await?
            }
        };
        // Rows come by session: one per membership, or one with none.
        let mut found: Vec<FoundSession> = Vec::new();
        for (session, user, membership) in rows {
            match found.last_mut() {
                Some((last, _, list)) if last.id == session.id => list.extend(membership),
                _ => found.push((session, user, membership.into_iter().collect())),
            }
        }
        Ok(found)
    }

    async fn touch_session(&mut self, id: Uuid, now: OffsetDateTime, idle_expires_at: OffsetDateTime) -> Result<()> {
        self.exec(
            "UPDATE sessions SET last_seen_at = $2, idle_expires_at = $3 WHERE id = $1",
            args![id, to_db(now), to_db(idle_expires_at)],
        )
        .await?;
        Ok(())
    }

    async fn set_session_account(&mut self, id: Uuid, account_id: Option<Uuid>) -> Result<bool> {
        Ok(self.exec("UPDATE sessions SET account_id = $2 WHERE id = $1", args![id, account_id]).await? == 1)
    }

    async fn delete_session(&mut self, id: Uuid) -> Result<bool> {
        Ok(self.exec("DELETE FROM sessions WHERE id = $1", args![id]).await? == 1)
    }

    async fn delete_sessions_of_user(&mut self, user_id: Uuid) -> Result<u64> {
        self.exec("DELETE FROM sessions WHERE user_id = $1", args![user_id]).await
    }

    async fn delete_sessions_of_user_in_account(&mut self, user_id: Uuid, account_id: Uuid) -> Result<u64> {
        self.exec("DELETE FROM sessions WHERE user_id = $1 AND account_id = $2", args![user_id, account_id]).await
    }
}
