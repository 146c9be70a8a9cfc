//! The team list at scale (R-LIST-1): search, filters, every sort, keyset pages.
//!
//! A page is built from a few fixed shapes (see docs/ARCHITECTURE.md, "Users list at scale"):
//! * no search: one ordered index range per requested status (`memberships_list_*` begin with
//!   `(account_id, status)`), each cut at the cursor and the limit, merged by `UNION ALL`;
//! * a whole email address: `memberships_list_email`, one seek per status;
//! * text of three characters or more: first a bounded walk, [`walk_rows`] rows of the sort
//!   order from the cursor on, each tested for the text (text many people have fills the page
//!   there); when the page does not fill and rows are left after the walk's budget (a probe
//!   counts what the walk would read), the trigram index names the matching rows (few, since
//!   they were rare in the walk): SQLite's FTS5 table, PostgreSQL's GIN index;
//! * shorter text (no trigram in it): the sort order walked to the end if need be.
//!
//! The members are cut to the page first and joined to their users and account after, so a
//! search that reads ten thousand memberships still joins fifty users.
//!
//! Values are always bound in the same places: `$1` account, `$2..$4` statuses, `$5` role, `$6`
//! search value, `$7` first key, `$8` name key, `$9` sign-in key, `$10` user id key, `$11` limit,
//! `$12` the walk's budget, `$13` the searched text itself.
use async_trait::async_trait;
use uuid::Uuid;

use super::super::accounts::account_repo::{membership_from_row, person_from_row};
use super::super::driver::{
    FTS5, IN_JSON_TEXTS, MEMBERS_OF_USERS_FROM, PAGE_ARMS_NARROW, PAGE_SORTED_HERE, POSITION_FN, ROW_ID, SqlTx,
    TEAM_VERSION_SQL, WALK_ARMS_BARE, WALK_ROWS_BY_NAME, get, to_db,
};
use super::super::signin::users::user_from_row;
use super::super::{DbRow, time};
use crate::{
    AuditRow, MemberKey, MemberListRepo, MemberQuery, MemberRow, MemberSearch, MemberSort, MembershipRow, Result,
    StoreError, UserRow,
};

/// How many rows of the sort order a text search reads before it asks the trigram index: by
/// name, the index holds the searched text too and the walk reads the index alone; other orders
/// read each row.
fn walk_rows(sort: MemberSort) -> i64 {
    if sort == MemberSort::Name || cfg!(feature = "small-search-walk") { WALK_ROWS_BY_NAME } else { 5_000 }
}

/// The users' columns a page shows: SQLite's `team_version_user_update` trigger (migration
/// 0031) names the same ones, so a new one here belongs there too.
const SELECT: &str = "SELECT u.id AS u_id, u.email AS u_email, u.username AS u_username, \
     u.first_name AS u_first_name, u.last_name AS u_last_name, u.phone AS u_phone, u.company AS u_company, ";
const KEYS: &str = ", m.sort_name AS k_name, m.sort_email AS k_email, m.sort_company AS k_company, ";
/// The page's rows joined to their users. The account is read once, for its owner (an
/// uncorrelated subquery, see [`OWNER`]), not joined to each row: a fifth fewer buffer reads
/// and 15 % less PostgreSQL time a page (decision 0107).
const JOIN: &str = " m JOIN users u ON u.id = m.user_id";
/// `m_is_owner` from one read of the account.
const OWNER: &str = ", (m.user_id = (SELECT owner_id FROM accounts WHERE id = $1)) AS m_is_owner";
/// The last-sign-in sort key, a computed column (migration 0011): never signed in sorts as the
/// epoch.
const SIGN_IN_KEY: &str = "m.sort_sign_in";
const SEARCH_TEXT: &str = "(m.sort_name || ' ' || m.sort_email || ' ' || m.sort_company)";

/// "The text (`$13`) is in the name, the email or the company": what every shape finds (FTS5
/// phrases and the GIN index's `LIKE` only name the candidates faster).
fn contains() -> String {
    let f = POSITION_FN;
    format!("({f}(m.sort_name, $13) > 0 OR {f}(m.sort_email, $13) > 0 OR {f}(m.sort_company, $13) > 0)")
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Shape {
    All,
    Email,
    /// A bounded walk of the sort order, each row tested for the text.
    Walk,
    /// How many rows the walk would read (up to its budget): fewer means it read to the end.
    WalkProbe,
    /// SQLite: the FTS5 table names the candidate rows.
    Fts,
    /// PostgreSQL: `LIKE` over the trigram-indexed expression.
    Like,
    /// The sort order walked, each row tested, until the page fills or the rows end.
    Scan,
}

/// One key of a sort: its expression over `memberships m`, its column in the rows a branch
/// gives (`m.*` and `k_sign_in`), and its cursor parameter.
struct Key {
    expr: String,
    col: &'static str,
    param: &'static str,
}

/// The keys of the sort, the user id last.
fn keys(sort: MemberSort) -> Vec<Key> {
    let key = |expr: &str, col, param| Key { expr: expr.to_owned(), col, param };
    let mut k = match sort {
        MemberSort::Name => vec![key("m.sort_name", "sort_name", "$7")],
        MemberSort::Email => vec![key("m.sort_email", "sort_email", "$7")],
        MemberSort::Company => vec![key("m.sort_company", "sort_company", "$7"), key("m.sort_name", "sort_name", "$8")],
        MemberSort::Role => vec![key("m.role", "role", "$7"), key("m.sort_name", "sort_name", "$8")],
        MemberSort::LastSignIn => vec![key(SIGN_IN_KEY, "k_sign_in", "$9")],
        // When they joined, then the user id. Not the user id alone: PostgreSQL would take the
        // narrower `memberships_user` index for that order and, newest first, skip every other
        // account's later members.
        MemberSort::Created => vec![key("m.created_at", "created_at", "$9")],
    };
    k.push(key("m.user_id", "user_id", "$10"));
    k
}

fn order_by<S: AsRef<str>>(cols: &[S], desc: bool) -> String {
    let dir = if desc { " DESC" } else { "" };
    cols.iter().map(|c| format!("{}{dir}", c.as_ref())).collect::<Vec<_>>().join(", ")
}

/// The SQL of one page. `status_params` are the placeholders of the requested statuses.
fn page_sql(q: &MemberQuery, shape: Shape, status_params: &[&str]) -> String {
    let keys = keys(q.sort);
    let exprs: Vec<&str> = keys.iter().map(|k| k.expr.as_str()).collect();
    let cols: Vec<String> = keys.iter().map(|k| format!("m.{}", k.col)).collect();
    let mut common = String::new();
    if q.role.is_some() {
        common.push_str(if shape == Shape::Fts { " AND +m.role = $5" } else { " AND m.role = $5" });
    }
    let contains = contains();
    match shape {
        // The walk tests each row a level up; the trigram CTE filters its own rows.
        Shape::All | Shape::Email | Shape::Walk | Shape::WalkProbe | Shape::Like => {}
        Shape::Fts => common.push_str(" AND m.rowid IN (SELECT rowid FROM member_search WHERE member_search MATCH $6)"),
        Shape::Scan => common.push_str(&format!(" AND {contains}")),
    }
    if q.after.is_some() {
        let op = if q.descending { "<" } else { ">" };
        // Every key is a column, so both backends seek the index by the row value itself. (A
        // redundant `first {op}= $7` made SQLite seek by the first key alone and step through
        // every equal one: page 1,000 of the last-sign-in order in 4.4 ms instead of 0.6.)
        let params: Vec<&str> = keys.iter().map(|k| k.param).collect();
        common.push_str(&format!(" AND ({}) {op} ({})", exprs.join(", "), params.join(", ")));
    }
    // The walk reads its budget of rows; every other shape stops at the page.
    let walking = matches!(shape, Shape::Walk | Shape::WalkProbe);
    let cut = if walking { "$12" } else { "$11" };
    let branch_cols = format!("m.*, {SIGN_IN_KEY} AS k_sign_in");
    // The walk reads only what its test and order need: by name, all of it is in
    // `memberships_list_name`, so the walk reads no table row. The page's rows are read after.
    let walk_cols = {
        let mut c = vec!["m.account_id".to_owned(), "m.user_id".to_owned()];
        if let Some(id) = ROW_ID {
            c.push(format!("m.{id} AS rid"));
        }
        for col in ["sort_name", "sort_email", "sort_company"] {
            c.push(format!("m.{col}"));
        }
        for k in &keys {
            if !c.iter().any(|x| x.ends_with(&format!(".{}", k.col))) {
                c.push(format!("{} AS {}", k.expr, k.col));
            }
        }
        c.join(", ")
    };
    // The rows of the page (memberships only), in order.
    let rows = match shape {
        // One row at most (an email is one login, one membership per account).
        Shape::Email => format!(
            "SELECT {branch_cols} FROM memberships m WHERE m.account_id = $1 AND m.sort_email = $6 \
             AND m.status IN ({}){common} LIMIT $11",
            status_params.join(", ")
        ),
        // The trigram index names the rows, all statuses at once (one index scan), then they
        // are sorted. `+` keeps SQLite off the account's indexes: the FTS rows drive the query.
        Shape::Fts => format!(
            "SELECT {branch_cols} FROM memberships m WHERE +m.account_id = $1 AND +m.status IN ({}){common} \
             ORDER BY {} LIMIT $11",
            status_params.join(", "),
            order_by(&exprs, q.descending)
        ),
        // The account's matches from the trigram index (`memberships_search_account`, account
        // first), materialised apart so PostgreSQL cannot AND that bitmap with the million-row
        // bitmap of the account's primary-key range (150 ms). Only what the test and the order
        // need is kept: with `*`, every match's whole row was copied (and spilled), which cost
        // 40 ms of 68 for 12,000 matches. The page's rows are read after.
        Shape::Like => format!(
            "WITH hits AS MATERIALIZED (SELECT m.account_id, m.user_id, m.status, m.role, m.created_at, \
             {SIGN_IN_KEY}, m.sort_name, m.sort_email, m.sort_company FROM memberships m \
             WHERE m.account_id = $1 AND {SEARCH_TEXT} LIKE $6) \
             SELECT {branch_cols} FROM (SELECT m.account_id, m.user_id FROM hits m \
             WHERE m.status IN ({}) AND {contains}{common} ORDER BY {} LIMIT $11) w \
             JOIN memberships m ON m.account_id = w.account_id AND m.user_id = w.user_id",
            status_params.join(", "),
            order_by(&exprs, q.descending)
        ),
        Shape::All | Shape::Scan | Shape::Walk | Shape::WalkProbe => {
            // A one-status branch orders by its index's leading columns too (constant there, so
            // the order is the same): only `memberships_list_*` can give that order. Ordered by
            // the user id alone, PostgreSQL took `users_pkey` for it.
            let mut branch_exprs = vec!["m.account_id", "m.status"];
            branch_exprs.extend(exprs.iter().copied());
            // A page without search on SQLite is cut on keys too, its rows read after.
            let narrow = walking || (shape == Shape::All && PAGE_ARMS_NARROW);
            let picked = if narrow { &walk_cols } else { &branch_cols };
            let bare = |status: &str| {
                format!("SELECT {picked} FROM memberships m WHERE m.account_id = $1 AND m.status = {status}{common}")
            };
            let branch = |status: &str| {
                format!("{} ORDER BY {} LIMIT {cut}", bare(status), order_by(&branch_exprs, q.descending))
            };
            let merged = if let [only] = status_params {
                branch(only)
            } else {
                let arms: Vec<String> = if narrow && WALK_ARMS_BARE {
                    status_params.iter().map(|s| bare(s)).collect()
                } else {
                    status_params
                        .iter()
                        .enumerate()
                        .map(|(i, s)| format!("SELECT * FROM ({}) b{i}", branch(s)))
                        .collect()
                };
                let names: Vec<&str> = keys.iter().map(|k| k.col).collect();
                format!("{} ORDER BY {} LIMIT {cut}", arms.join(" UNION ALL "), order_by(&names, q.descending))
            };
            // The cut rows are read again by their row id where the table has one (a single
            // b-tree seek), else by their key.
            let again = match ROW_ID {
                Some(id) => format!("m.{id} = w.rid"),
                None => "m.account_id = w.account_id AND m.user_id = w.user_id".to_owned(),
            };
            if shape == Shape::WalkProbe {
                return format!("SELECT count(*) AS n FROM ({merged}) m");
            }
            if shape == Shape::Walk {
                let reorder =
                    if WALK_ARMS_BARE { String::new() } else { format!(" ORDER BY {}", order_by(&cols, q.descending)) };
                format!(
                    "SELECT {branch_cols} FROM (SELECT * FROM ({merged}) m WHERE {contains}{reorder} LIMIT $11) w \
                     JOIN memberships m ON {again}"
                )
            } else if narrow {
                format!("SELECT {branch_cols} FROM ({merged}) w JOIN memberships m ON {again}")
            } else {
                merged
            }
        }
    };
    let order = if PAGE_SORTED_HERE { String::new() } else { format!(" ORDER BY {}", order_by(&cols, q.descending)) };
    format!("{SELECT}{}{OWNER}{KEYS}m.k_sign_in AS k_sign_in FROM ({rows}){JOIN}{order}", member_cols_but_owner!())
}

/// Sorts a page's rows by their keys in `q`'s order, as the statement's `ORDER BY` would have
/// (see [`PAGE_SORTED_HERE`]): every key is compared as SQLite compares it (text as bytes,
/// ids as their 16 bytes, times as microseconds), the user id last.
fn sort_page<T>(rows: &mut [(T, MemberKey)], q: &MemberQuery) {
    use std::cmp::Ordering;
    let by = |a: &MemberKey, b: &MemberKey| -> Ordering {
        let first = match q.sort {
            MemberSort::Name | MemberSort::Email => a.text.cmp(&b.text),
            MemberSort::Company | MemberSort::Role => a.text.cmp(&b.text).then_with(|| a.name.cmp(&b.name)),
            MemberSort::LastSignIn | MemberSort::Created => a.at.cmp(&b.at),
        };
        first.then_with(|| a.user_id.cmp(&b.user_id))
    };
    if q.descending {
        rows.sort_by(|(_, a), (_, b)| by(b, a));
    } else {
        rows.sort_by(|(_, a), (_, b)| by(a, b));
    }
}

/// A row's position in `sort`, from its decoded membership and the key columns the sort needs,
/// read in their order in the row (a column read out of order is looked up by name).
fn key_from_row(sort: MemberSort, r: &DbRow<'_>, m: &MembershipRow) -> Result<MemberKey> {
    let epoch = time::OffsetDateTime::UNIX_EPOCH;
    let (text, name, at) = match sort {
        MemberSort::Name => (get(r, "k_name")?, String::new(), epoch),
        MemberSort::Email => (get(r, "k_email")?, String::new(), epoch),
        MemberSort::Company => {
            let name = get(r, "k_name")?;
            (get(r, "k_company")?, name, epoch)
        }
        MemberSort::Role => (m.role.as_str().to_owned(), get(r, "k_name")?, epoch),
        MemberSort::LastSignIn => (String::new(), String::new(), time(r, "k_sign_in")?),
        MemberSort::Created => (String::new(), String::new(), m.created_at),
    };
    Ok(MemberKey { text, name, at, user_id: m.user_id })
}

/// An FTS5 phrase: the text between double quotes, quotes doubled.
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// A `LIKE` pattern finding `text` anywhere (`\` escapes, PostgreSQL's default).
fn like_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// A page row: the member and their position in `sort`.
fn page_row(sort: MemberSort) -> impl Fn(&DbRow<'_>) -> Result<(MemberRow, MemberKey)> + Send {
    move |r| {
        let user = person_from_row(r)?;
        let membership = membership_from_row(r)?;
        let key = key_from_row(sort, r, &membership)?;
        Ok((MemberRow { user, membership }, key))
    }
}

/// The statements that count a list (R-LIST-1): the page's own conditions (account, statuses,
/// role, search), without cursor or order, cut at `$11` matches.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Count {
    /// Every member of the requested statuses (and role).
    Plain,
    /// A whole email address: one seek per status.
    Email,
    /// The first `$12` rows of the account (any order), how many were read and how many match.
    Walk,
    /// Every row of the account tested for the text until `$11` match (text under 3 characters).
    Scan,
    /// The trigram index names the candidates (SQLite FTS5, PostgreSQL GIN), each tested.
    Trigram,
}

fn count_sql(q: &MemberQuery, c: Count, status_params: &[&str]) -> String {
    let st = status_params.join(", ");
    let fts = c == Count::Trigram && FTS5;
    let role = match (q.role.is_some(), fts) {
        (false, _) => "",
        (true, true) => " AND +m.role = $5",
        (true, false) => " AND m.role = $5",
    };
    let contains = contains();
    let capped = |cond: &str| {
        format!(
            "SELECT count(*) AS n FROM (SELECT 1 AS one FROM memberships m WHERE m.account_id = $1 \
             AND m.status IN ({st}){role}{cond} LIMIT $11) c"
        )
    };
    match c {
        Count::Plain => capped(""),
        Count::Email => capped(" AND m.sort_email = $6"),
        Count::Scan => capped(&format!(" AND {contains}")),
        Count::Walk => format!(
            "SELECT count(*) AS n, COALESCE(SUM(CASE WHEN {contains} THEN 1 ELSE 0 END), 0) AS hits FROM \
             (SELECT m.sort_name, m.sort_email, m.sort_company FROM memberships m WHERE m.account_id = $1 \
             AND m.status IN ({st}){role} LIMIT $12) m"
        ),
        // The FTS5 rows drive the join (`+` keeps SQLite off the account's indexes), each
        // checked for the account; the count stops at `$11`.
        Count::Trigram if fts => format!(
            "SELECT count(*) AS n FROM (SELECT 1 AS one FROM member_search \
             JOIN memberships m ON m.rowid = member_search.rowid WHERE member_search MATCH $6 \
             AND +m.account_id = $1 AND +m.status IN ({st}){role} AND {contains} LIMIT $11) c"
        ),
        // The account's matches from `memberships_search_account`, materialised apart as for
        // the page (see `Shape::Like`).
        Count::Trigram => format!(
            "WITH hits AS MATERIALIZED (SELECT m.status, m.role, m.sort_name, m.sort_email, m.sort_company \
             FROM memberships m WHERE m.account_id = $1 AND {SEARCH_TEXT} LIKE $6) \
             SELECT count(*) AS n FROM (SELECT 1 AS one FROM hits m WHERE m.status IN ({st}){role} \
             AND {contains} LIMIT $11) c"
        ),
    }
}

/// How many rows a text search's count reads before it asks the trigram index, for a cap of
/// `cap`: text a quarter of the members or more have reaches the cap inside it.
fn count_walk_rows(cap: i64) -> i64 {
    cap.saturating_mul(4)
}

impl SqlTx {
    /// One counting statement: `(rows read, matches)` for [`Count::Walk`], `(n, n)` otherwise.
    async fn count_rows(
        &mut self,
        account_id: Uuid,
        q: &MemberQuery,
        c: Count,
        value: String,
        cap: i64,
    ) -> Result<(i64, i64)> {
        let status_params = ["$2", "$3", "$4"];
        let text = match &q.search {
            MemberSearch::Text(t) => t.clone(),
            MemberSearch::All | MemberSearch::Email(_) => String::new(),
        };
        let sql = count_sql(q, c, &status_params[..q.statuses.len()]);
        let st = |i: usize| q.statuses.get(i).map_or("", |s| s.as_str());
        let (s1, s2, s3) = (st(0), st(1), st(2));
        let role = q.role.map_or("", roster_core::RoleKind::as_str);
        let (empty, epoch) = (String::new(), time::OffsetDateTime::UNIX_EPOCH);
        let walk = c == Count::Walk;
        // A trigram count is planned with its value (PostgreSQL), as the page's.
        let persistent = c != Count::Trigram || FTS5;
        let rows = self
            .all_dyn(
                &sql,
                persistent,
                args![
                    account_id,
                    s1,
                    s2,
                    s3,
                    role,
                    value,
                    empty.clone(),
                    empty,
                    to_db(epoch),
                    Uuid::nil(),
                    cap.saturating_add(1),
                    count_walk_rows(cap),
                    text
                ],
                move |r| {
                    let n: i64 = get(r, "n")?;
                    Ok(if walk { (n, get(r, "hits")?) } else { (n, n) })
                },
            )
            .await?;
        Ok(rows.first().copied().unwrap_or((0, 0)))
    }

    /// Whether the walk stopped at its budget with rows left after it: only then can the
    /// trigram index find more. (Without this, the last page of text most people have asked
    /// the index for every match: all the members.)
    async fn walk_was_cut(&mut self, account_id: Uuid, q: &MemberQuery, limit: i64) -> Result<bool> {
        let n = self.member_rows(account_id, q, Shape::WalkProbe, String::new(), limit, |r| get::<i64>(r, "n")).await?;
        Ok(n.first().copied().unwrap_or(0) >= walk_rows(q.sort))
    }

    /// One page of members in the query's order, from a statement of `shape`.
    async fn member_page(
        &mut self,
        account_id: Uuid,
        q: &MemberQuery,
        shape: Shape,
        value: String,
        limit: i64,
    ) -> Result<Vec<(MemberRow, MemberKey)>> {
        let mut rows = self.member_rows(account_id, q, shape, value, limit, page_row(q.sort)).await?;
        if PAGE_SORTED_HERE {
            sort_page(&mut rows, q);
        }
        Ok(rows)
    }

    /// The rows of one statement of `shape`, its values bound in their fixed places.
    async fn member_rows<T: Send + 'static>(
        &mut self,
        account_id: Uuid,
        q: &MemberQuery,
        shape: Shape,
        value: String,
        limit: i64,
        f: impl Fn(&DbRow<'_>) -> Result<T> + Send,
    ) -> Result<Vec<T>> {
        let status_params = ["$2", "$3", "$4"];
        let text = match &q.search {
            MemberSearch::Text(t) => t.clone(),
            MemberSearch::All | MemberSearch::Email(_) => String::new(),
        };
        let sql = page_sql(q, shape, &status_params[..q.statuses.len()]);
        let st = |i: usize| q.statuses.get(i).map_or("", |s| s.as_str());
        let (s1, s2, s3) = (st(0), st(1), st(2));
        let role = q.role.map_or("", roster_core::RoleKind::as_str);
        let (k_text, k_name, k_at, k_id) = match &q.after {
            Some(k) => (k.text.clone(), k.name.clone(), k.at, k.user_id),
            None => (String::new(), String::new(), time::OffsetDateTime::UNIX_EPOCH, Uuid::nil()),
        };
        let sort = q.sort;
        // A trigram search is planned with its value (PostgreSQL): how many rows match decides
        // the plan.
        let persistent = shape != Shape::Like;
        self.all_dyn(
            &sql,
            persistent,
            args![account_id, s1, s2, s3, role, value, k_text, k_name, to_db(k_at), k_id, limit, walk_rows(sort), text],
            f,
        )
        .await
    }
}

#[async_trait]
impl MemberListRepo for SqlTx {
    async fn search_members(
        &mut self,
        account_id: Uuid,
        q: &MemberQuery,
        limit: i64,
    ) -> Result<Vec<(MemberRow, MemberKey)>> {
        if q.statuses.is_empty() || q.statuses.len() > 3 {
            return Err(StoreError::Database("a member query needs one to three statuses".into()));
        }
        match &q.search {
            MemberSearch::All => self.member_page(account_id, q, Shape::All, String::new(), limit).await,
            MemberSearch::Email(e) => self.member_page(account_id, q, Shape::Email, e.clone(), limit).await,
            MemberSearch::Text(t) if t.chars().count() < 3 => {
                self.member_page(account_id, q, Shape::Scan, String::new(), limit).await
            }
            MemberSearch::Text(t) => {
                let walked = self.member_page(account_id, q, Shape::Walk, String::new(), limit).await?;
                if walked.len() as i64 >= limit || !self.walk_was_cut(account_id, q, limit).await? {
                    return Ok(walked);
                }
                if FTS5 {
                    self.member_page(account_id, q, Shape::Fts, fts_phrase(t), limit).await
                } else {
                    self.member_page(account_id, q, Shape::Like, like_pattern(t), limit).await
                }
            }
        }
    }

    /// Bounded at any size: without text, at most `cap + 1` index entries; with text, a walk of
    /// [`count_walk_rows`] rows answers when it read them all or found more than `cap`, else
    /// the trigram index names the candidates (text under 3 characters: the account's rows are
    /// tested until `cap + 1` match, as its page walks them). See decision 0075.
    async fn count_members(&mut self, account_id: Uuid, q: &MemberQuery, cap: i64) -> Result<i64> {
        if q.statuses.is_empty() || q.statuses.len() > 3 {
            return Err(StoreError::Database("a member query needs one to three statuses".into()));
        }
        let cap = cap.max(0);
        let n = match &q.search {
            MemberSearch::All => self.count_rows(account_id, q, Count::Plain, String::new(), cap).await?.0,
            MemberSearch::Email(e) => self.count_rows(account_id, q, Count::Email, e.clone(), cap).await?.0,
            MemberSearch::Text(t) => {
                let (read, hits) = self.count_rows(account_id, q, Count::Walk, String::new(), cap).await?;
                if read < count_walk_rows(cap) || hits > cap {
                    hits
                } else if t.chars().count() < 3 {
                    self.count_rows(account_id, q, Count::Scan, String::new(), cap).await?.0
                } else {
                    let value = if FTS5 { fts_phrase(t) } else { like_pattern(t) };
                    self.count_rows(account_id, q, Count::Trigram, value, cap).await?.0
                }
            }
        };
        Ok(n.min(cap.saturating_add(1)))
    }

    async fn team_version(&mut self, account_id: Uuid) -> Result<Option<i64>> {
        match TEAM_VERSION_SQL {
            Some(sql) => Ok(self.opt(sql, args![account_id], |r| get::<i64>(r, "v")).await?),
            None => Ok(None),
        }
    }

    async fn insert_members_bulk(&mut self, users: &[UserRow], memberships: &[MembershipRow]) -> Result<()> {
        self.bulk_insert_users(users).await?;
        self.bulk_insert_memberships(memberships).await
    }

    /// One statement for the whole list, passed as a JSON array (the same on both backends).
    async fn users_by_emails(&mut self, emails: &[String]) -> Result<Vec<UserRow>> {
        if emails.is_empty() {
            return Ok(Vec::new());
        }
        let list = serde_json::to_string(emails).map_err(|e| StoreError::Database(e.to_string()))?;
        let sql = format!("SELECT {} FROM users u WHERE u.email {}", user_cols!(), IN_JSON_TEXTS.replace("$J", "$1"));
        self.all_dyn(&sql, true, args![list], user_from_row).await
    }

    async fn memberships_of_users(&mut self, account_id: Uuid, user_ids: &[Uuid]) -> Result<Vec<MembershipRow>> {
        if user_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = user_ids.iter().map(Uuid::to_string).collect();
        let list = serde_json::to_string(&ids).map_err(|e| StoreError::Database(e.to_string()))?;
        let sql = format!("SELECT {} FROM {MEMBERS_OF_USERS_FROM}", member_cols!());
        self.all_dyn(&sql, true, args![account_id, list], membership_from_row).await
    }

    async fn set_roles_bulk(&mut self, account_id: Uuid, changes: &[MembershipRow]) -> Result<u64> {
        self.bulk_set_roles(account_id, changes).await
    }

    async fn insert_audit_bulk(&mut self, rows: &[AuditRow]) -> Result<()> {
        self.bulk_insert_audit(rows).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str, name: &str, at: i64, id: u128) -> ((), MemberKey) {
        let at = time::OffsetDateTime::from_unix_timestamp(at).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        ((), MemberKey { text: text.to_owned(), name: name.to_owned(), at, user_id: Uuid::from_u128(id) })
    }

    fn order(sort: MemberSort, descending: bool, mut rows: Vec<((), MemberKey)>) -> Vec<u128> {
        let q = MemberQuery { sort, descending, ..MemberQuery::default() };
        sort_page(&mut rows, &q);
        rows.iter().map(|(_, k)| k.user_id.as_u128()).collect()
    }

    /// R-LIST-1: a page sorted here is in the order its statement's `ORDER BY` gives: each key
    /// compared as SQLite compares it (text as bytes, so "Z" before "a" and "é" after "z"),
    /// the user id last, every key reversed when descending.
    #[test]
    fn r_list_1_a_page_sorted_here_is_in_the_statements_order() {
        let rows =
            || vec![key("b", "", 0, 3), key("a", "", 0, 9), key("é", "", 0, 1), key("Z", "", 0, 5), key("a", "", 0, 2)];
        assert_eq!(order(MemberSort::Name, false, rows()), [5, 2, 9, 3, 1]);
        assert_eq!(order(MemberSort::Email, true, rows()), [1, 3, 9, 2, 5]);

        let two =
            || vec![key("acme", "zoe", 0, 1), key("acme", "ann", 0, 2), key("", "bob", 0, 3), key("acme", "ann", 0, 0)];
        assert_eq!(order(MemberSort::Company, false, two()), [3, 0, 2, 1]);
        assert_eq!(order(MemberSort::Role, true, two()), [1, 2, 0, 3]);

        let times = || vec![key("", "", 50, 1), key("", "", 10, 2), key("", "", 50, 0)];
        assert_eq!(order(MemberSort::LastSignIn, false, times()), [2, 0, 1]);
        assert_eq!(order(MemberSort::Created, true, times()), [1, 0, 2]);
    }
}
