//! The queries, written once. This directory is compiled twice: as `driver::sqlite::sql` and as
//! `driver::postgres::sql`. The parent module is the driver, imported here as `driver`: it
//! supplies `DbRow`, `get` (one column), `DbTime`/`to_db`/`from_db` (time encoding), the `args!`
//! macro, `SqlTx` with `opt`, `all` and `exec`, and the backend's statements and constants (the
//! whole list is in `driver/mod.rs`). Placeholders are `$1…`, which both SQLite and PostgreSQL
//! accept.
use uuid::Uuid;

/// The backend this copy is compiled for; everything backend-specific comes through this name.
use super as driver;
use crate::Result;
use driver::{DbRow, DbTime, from_db, get, with_text};

/// Column lists as literals, aliased by table (`u_*`, `m_*`, `a_*`), so queries can `concat!`
/// them and joins can read several tables' columns side by side.
macro_rules! user_cols {
    () => {
        "u.id AS u_id, u.email AS u_email, u.username AS u_username, u.first_name AS u_first_name, \
         u.last_name AS u_last_name, u.phone AS u_phone, u.company AS u_company, \
         u.password_hash AS u_password_hash, u.time_zone AS u_time_zone, u.is_operator AS u_is_operator, \
         u.email_verified_at AS u_email_verified_at, u.created_at AS u_created_at, u.updated_at AS u_updated_at"
    };
}

macro_rules! account_cols {
    () => {
        "a.id AS a_id, a.name AS a_name, a.slug AS a_slug, a.owner_id AS a_owner_id, \
         a.invite_policy AS a_invite_policy, a.invitation_ttl_days AS a_invitation_ttl_days, \
         a.public_signup AS a_public_signup, a.allow_impersonation AS a_allow_impersonation, \
         a.created_at AS a_created_at, a.updated_at AS a_updated_at"
    };
}

/// Membership columns but `m_is_owner`, which the caller derives.
macro_rules! member_cols_but_owner {
    () => {
        "m.account_id AS m_account_id, m.user_id AS m_user_id, m.role AS m_role, \
         m.custom_role_id AS m_custom_role_id, m.permissions AS m_permissions, m.status AS m_status, \
         m.landing_page AS m_landing_page, m.contact_tab AS m_contact_tab, m.show_calendar AS m_show_calendar, \
         m.daily_reminders AS m_daily_reminders, m.last_sign_in_at AS m_last_sign_in_at, \
         m.created_at AS m_created_at"
    };
}

/// Membership columns; needs `a` (the account) joined to derive `m_is_owner`.
macro_rules! member_cols {
    () => {
        concat!(member_cols_but_owner!(), ", (a.owner_id = m.user_id) AS m_is_owner")
    };
}

mod accounts;
mod audit;
mod invitations;
mod jobs;
mod mail;
mod me;
mod records;
mod schema;
mod signin;
mod team;

fn time(row: &DbRow<'_>, col: &str) -> Result<time::OffsetDateTime> {
    Ok(from_db(get::<DbTime>(row, col)?))
}

fn opt_time(row: &DbRow<'_>, col: &str) -> Result<Option<time::OffsetDateTime>> {
    Ok(get::<Option<DbTime>>(row, col)?.map(from_db))
}

/// A column holding a catalogue value (`roster_core::catalogue`): a string outside the catalogue
/// is `StoreError::Unknown`, never a default.
fn catalogued<T>(
    row: &DbRow<'_>,
    col: &str,
    parse: fn(&str) -> std::result::Result<T, roster_core::UnknownValue>,
) -> Result<T> {
    with_text(row, col, parse)?.map_err(|e| crate::StoreError::Unknown(format!("{col}: {e}")))
}

/// A JSON array of the ids (for `IN_JSON_UUIDS`).
fn ids_json(ids: &[Uuid]) -> String {
    let list: Vec<String> = ids.iter().map(|id| format!("\"{id}\"")).collect();
    format!("[{}]", list.join(","))
}

fn uuid(row: &DbRow<'_>, col: &str) -> Result<Uuid> {
    get::<Uuid>(row, col)
}
