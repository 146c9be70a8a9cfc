//! The queries, written once. This directory is compiled twice: as `sqlite::sql` and as
//! `postgres::sql`; `super::Db`, `super::DbTime`, `super::to_db` and `super::from_db` are the
//! backend's. Placeholders are `$1…`, which both drivers accept.
use async_trait::async_trait;
use sqlx::pool::PoolConnection;
use sqlx::{Database, Row};
use uuid::Uuid;

use super::{Db, DbTime, from_db, to_db};
use crate::{Result, Tx};

/// Column lists as literals, aliased by table (`u_*`, `m_*`, `a_*`), so queries can `concat!`
/// them and joins can read several tables' columns side by side.
macro_rules! user_cols {
    () => {
        "u.id AS u_id, u.email AS u_email, u.username AS u_username, u.first_name AS u_first_name, \
         u.last_name AS u_last_name, u.phone AS u_phone, u.company AS u_company, \
         u.password_hash AS u_password_hash, u.time_zone AS u_time_zone, u.is_operator AS u_is_operator, \
         u.created_at AS u_created_at, u.updated_at AS u_updated_at"
    };
}

macro_rules! account_cols {
    () => {
        "a.id AS a_id, a.name AS a_name, a.slug AS a_slug, a.owner_id AS a_owner_id, \
         a.invite_policy AS a_invite_policy, a.invitation_ttl_days AS a_invitation_ttl_days, \
         a.public_signup AS a_public_signup, a.created_at AS a_created_at, a.updated_at AS a_updated_at"
    };
}

/// Membership columns; needs `a` (the account) joined to derive `m_is_owner`.
macro_rules! member_cols {
    () => {
        "m.account_id AS m_account_id, m.user_id AS m_user_id, m.role AS m_role, \
         m.custom_role_id AS m_custom_role_id, m.permissions AS m_permissions, m.status AS m_status, \
         m.landing_page AS m_landing_page, m.contact_tab AS m_contact_tab, m.show_calendar AS m_show_calendar, \
         m.daily_reminders AS m_daily_reminders, m.last_sign_in_at AS m_last_sign_in_at, \
         m.created_at AS m_created_at, (a.owner_id = m.user_id) AS m_is_owner"
    };
}

mod accounts;
mod audit;
pub(super) mod migrate;
mod schema;
mod sessions;
mod users;

type DbRow = <Db as Database>::Row;
type DbConn = <Db as Database>::Connection;

pub(super) enum Conn {
    Tx(sqlx::Transaction<'static, Db>),
    Plain(PoolConnection<Db>),
}

pub(super) struct SqlTx {
    conn: Conn,
}

impl SqlTx {
    pub(super) fn new(conn: Conn) -> Self {
        Self { conn }
    }

    fn c(&mut self) -> &mut DbConn {
        match &mut self.conn {
            Conn::Tx(t) => t,
            Conn::Plain(p) => p,
        }
    }
}

#[async_trait]
impl Tx for SqlTx {
    async fn commit(self: Box<Self>) -> Result<()> {
        if let Conn::Tx(t) = self.conn {
            t.commit().await?;
        }
        Ok(())
    }
}

fn time(row: &DbRow, col: &str) -> Result<time::OffsetDateTime> {
    Ok(from_db(row.try_get::<DbTime, _>(col)?))
}

fn opt_time(row: &DbRow, col: &str) -> Result<Option<time::OffsetDateTime>> {
    Ok(row.try_get::<Option<DbTime>, _>(col)?.map(from_db))
}

fn uuid(row: &DbRow, col: &str) -> Result<Uuid> {
    Ok(row.try_get::<Uuid, _>(col)?)
}
