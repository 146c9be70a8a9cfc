//! Events, reached through their calendar's scope. A range is two index ranges of `starts_at`:
//! an event lasts at most `EVENT_SPAN_MAX_DAYS`, so those overlapping `[from, to)` start in
//! `[from - span, to)`; the events of a day or less start in `[from - 1 day, to)`
//! (`events_by_calendar` for one calendar, `events_by_account` otherwise), the longer ones are
//! read from their own partial indexes (`events_long_*`, migration 0021). A member who reaches
//! only their own calendars has each of them read by its own index and the pages merged
//! (decision 0101): walking the account's index would fetch everyone's events to keep theirs.
use roster_core::Scope;
use time::Duration;
use uuid::Uuid;

use std::sync::LazyLock;

use super::super::super::driver::{LONG_EVENT, SqlTx, get, to_db};
use super::super::super::{DbRow, time, uuid};
use super::super::scope_args;
use crate::{EVENT_SPAN_MAX_DAYS, EventQuery, EventRow, Result};

macro_rules! event_cols {
    () => {
        "e.id, e.account_id, e.calendar_id, e.title, e.starts_at, e.ends_at, e.all_day, e.contact_id, \
         e.project_id, e.created_by, e.created_at, e.updated_at"
    };
}

/// "The calendar `$C` is within the scope."
macro_rules! in_scope {
    ($col:literal) => {
        concat!($col, " IN (SELECT c.id FROM calendars c WHERE c.account_id = $1 AND ($2 OR c.owner_id = $3))")
    };
}

/// The events overlapping `[from, to)`, ordered by `(starts_at, id)`, in two index ranges
/// (decision 0094): those starting from a day before `from` (after `($5, $6)`, before `$7`,
/// ending after `$8` or starting at or after it: an instant event at `from`), and the few
/// lasting more than a day ([`LONG_EVENT`], their own partial indexes) that start earlier
/// (after `($10, $11)`, before `$12`, ending after `$8`). Each arm is cut at the page size `$9`.
/// `{WHO}` is the calendars' condition (one calendar, or the scope's).
///
/// Each arm finds its ids from the index alone (`calendar_id, starts_at, id, ends_at` are all in
/// it), then reads those rows: the events of the day before `from` that end before it are
/// skipped in the index, not fetched from the table to be thrown away (decision 0101).
fn two_ranges(who: &str) -> String {
    let cols = event_cols!().replace("e.", "r.");
    format!(
        "SELECT * FROM (SELECT {cols} FROM (SELECT e.id FROM events e WHERE {who} AND (e.starts_at, e.id) > ($5, $6) \
         AND e.starts_at < $7 AND (e.ends_at > $8 OR e.starts_at >= $8) ORDER BY e.starts_at, e.id LIMIT $9) k \
         JOIN events r ON r.id = k.id) short_ones \
         UNION ALL \
         SELECT * FROM (SELECT {cols} FROM (SELECT e.id FROM events e WHERE {who} AND {LONG_EVENT} AND (e.starts_at, e.id) > ($10, $11) \
         AND e.starts_at < $12 AND e.ends_at > $8 ORDER BY e.starts_at, e.id LIMIT $9) k \
         JOIN events r ON r.id = k.id) long_ones \
         ORDER BY starts_at, id LIMIT $9"
    )
}

/// One calendar's events (`$4`, `events_by_calendar` and `events_long_by_calendar`; naming the
/// account on `e` too would let SQLite take `events_by_account` instead).
static OF_CALENDAR: LazyLock<String> = LazyLock::new(|| {
    two_ranges(
        "e.calendar_id = $4 AND EXISTS (SELECT 1 FROM calendars c \
         WHERE c.id = $4 AND c.account_id = $1 AND ($2 OR c.owner_id = $3))",
    )
});

/// Every calendar's events in the scope (`$4` is the account again, for `events_by_account` and
/// `events_long_by_account`).
static OF_SCOPE: LazyLock<String> =
    LazyLock::new(|| two_ranges(concat!("e.account_id = $4 AND ", in_scope!("e.calendar_id"))));

const ONE: &str = concat!(
    "SELECT ",
    event_cols!(),
    " FROM events e WHERE e.id = $4 AND e.account_id = $1 AND ",
    in_scope!("e.calendar_id")
);

/// A contact's events (`$4`), latest first.
const OF_CONTACT: &str = concat!(
    "SELECT ",
    event_cols!(),
    " FROM events e WHERE e.account_id = $1 AND e.contact_id = $4 AND ",
    in_scope!("e.calendar_id"),
    " ORDER BY e.starts_at DESC, e.id DESC LIMIT $5"
);

fn from_row(r: &DbRow<'_>) -> Result<EventRow> {
    Ok(EventRow {
        id: uuid(r, "id")?,
        account_id: uuid(r, "account_id")?,
        calendar_id: uuid(r, "calendar_id")?,
        title: get(r, "title")?,
        starts_at: time(r, "starts_at")?,
        ends_at: time(r, "ends_at")?,
        all_day: get(r, "all_day")?,
        contact_id: get(r, "contact_id")?,
        project_id: get(r, "project_id")?,
        created_by: uuid(r, "created_by")?,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
    })
}

pub(super) async fn list(tx: &mut SqlTx, scope: &Scope, q: &EventQuery, limit: i64) -> Result<Vec<EventRow>> {
    let (account, all, me) = scope_args(scope);
    // The long arm starts `EVENT_SPAN_MAX_DAYS` before `from`, the short one a day before: an
    // event lasting at most a day that overlaps `from` starts then or later.
    let split = (q.from - Duration::days(1), Uuid::nil());
    let long_after = q.after.unwrap_or((q.from - Duration::days(EVENT_SPAN_MAX_DAYS), Uuid::nil()));
    let short_after = long_after.max(split);
    let (s_at, s_id) = (to_db(short_after.0), short_after.1);
    let (l_at, l_id) = (to_db(long_after.0), long_after.1);
    let (to, from, split_at) = (to_db(q.to), to_db(q.from), to_db(split.0));
    macro_rules! run {
        ($sql:expr, $who:expr) => {
            tx.all_dyn(
                $sql,
                true,
                args![account, all, me, $who, s_at, s_id, to, from, limit, l_at, l_id, split_at],
                from_row,
            )
            .await
        };
    }
    if let Some(calendar) = q.calendar_id {
        return run!(&OF_CALENDAR, calendar);
    }
    if all {
        return run!(&OF_SCOPE, account);
    }
    let mine = own_calendars(tx, account, me).await?;
    if mine.len() > OWN_CALENDARS_MERGED {
        return run!(&OF_SCOPE, account);
    }
    let mut rows = Vec::new();
    for calendar in mine {
        rows.extend(run!(&OF_CALENDAR, calendar)?);
    }
    rows.sort_by_key(|e| (e.starts_at, e.id));
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(rows)
}

/// Up to this many own calendars are read one by one; a member with more (rare: calendars are
/// per person or per room) has the account's index walked instead.
const OWN_CALENDARS_MERGED: usize = 16;

/// The calendars `me` owns in `account`, at most one more than [`OWN_CALENDARS_MERGED`].
async fn own_calendars(tx: &mut SqlTx, account: Uuid, me: Uuid) -> Result<Vec<Uuid>> {
    let cap = i64::try_from(OWN_CALENDARS_MERGED + 1).unwrap_or(i64::MAX);
    tx.all(
        "SELECT id FROM calendars WHERE account_id = $1 AND owner_id = $2 ORDER BY id LIMIT $3",
        args![account, me, cap],
        |r| uuid(r, "id"),
    )
    .await
}

pub(super) async fn one(tx: &mut SqlTx, scope: &Scope, id: Uuid) -> Result<Option<EventRow>> {
    let (account, all, me) = scope_args(scope);
    tx.opt(ONE, args![account, all, me, id], from_row).await
}

pub(super) async fn of_contact(tx: &mut SqlTx, scope: &Scope, contact_id: Uuid, limit: i64) -> Result<Vec<EventRow>> {
    let (account, all, me) = scope_args(scope);
    tx.all(OF_CONTACT, args![account, all, me, contact_id, limit], from_row).await
}

pub(super) async fn insert(tx: &mut SqlTx, scope: &Scope, e: &EventRow) -> Result<bool> {
    let (account, all, me) = scope_args(scope);
    let n = tx
        .exec(
            "INSERT INTO events (id, account_id, calendar_id, title, starts_at, ends_at, all_day, contact_id, \
             project_id, created_by, created_at, updated_at) \
             SELECT $4, $1, c.id, $5, $6, $7, $8, $9, $10, $11, $12, $13 FROM calendars c \
             WHERE c.id = $14 AND c.account_id = $1 AND ($2 OR c.owner_id = $3)",
            args![
                account,
                all,
                me,
                e.id,
                e.title,
                to_db(e.starts_at),
                to_db(e.ends_at),
                e.all_day,
                e.contact_id,
                e.project_id,
                e.created_by,
                to_db(e.created_at),
                to_db(e.updated_at),
                e.calendar_id
            ],
        )
        .await?;
    Ok(n == 1)
}

pub(super) async fn update(tx: &mut SqlTx, scope: &Scope, e: &EventRow) -> Result<bool> {
    let (account, all, me) = scope_args(scope);
    let n = tx
        .exec(
            concat!(
                "UPDATE events SET calendar_id = $5, title = $6, starts_at = $7, ends_at = $8, all_day = $9, \
                 contact_id = $10, project_id = $11, updated_at = $12 WHERE id = $4 AND account_id = $1 AND ",
                in_scope!("calendar_id"),
                " AND EXISTS (SELECT 1 FROM calendars n WHERE n.id = $5 AND n.account_id = $1 AND ($2 OR n.owner_id = $3))"
            ),
            args![
                account,
                all,
                me,
                e.id,
                e.calendar_id,
                e.title,
                to_db(e.starts_at),
                to_db(e.ends_at),
                e.all_day,
                e.contact_id,
                e.project_id,
                to_db(e.updated_at)
            ],
        )
        .await?;
    Ok(n == 1)
}

pub(super) async fn delete(tx: &mut SqlTx, scope: &Scope, id: Uuid) -> Result<bool> {
    let (account, all, me) = scope_args(scope);
    let n = tx
        .exec(
            concat!("DELETE FROM events WHERE id = $4 AND account_id = $1 AND ", in_scope!("calendar_id")),
            args![account, all, me, id],
        )
        .await?;
    Ok(n == 1)
}
