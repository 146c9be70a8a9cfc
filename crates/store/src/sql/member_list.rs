//! The team list at scale (R-LIST-1): search, filters, every sort, keyset pages.
//!
//! A page is built from a few fixed shapes (see docs/ARCHITECTURE.md, "Users list at scale"):
//! * no search: one ordered index range per requested status (`memberships_list_*` begin with
//!   `(account_id, status)`), each cut at the cursor and the limit, merged by `UNION ALL`;
//! * a whole email address: the `memberships_email` index;
//! * text: PostgreSQL asks the trigram GIN index or walks the sort index, as its planner finds
//!   cheaper for the actual text (unnamed statement, so it plans with the value); SQLite asks its
//!   FTS5 trigram table for the matching rows when there are few (under [`FTS_CAP`] in the whole
//!   installation) and otherwise walks the sort index and tests each row (common text matches
//!   often, so a page fills quickly).
//!
//! Values are always bound in the same places: `$1` account, `$2..$4` statuses, `$5` role, `$6`
//! search value, `$7` first key, `$8` name key, `$9` sign-in key, `$10` user id key, `$11` limit.
use async_trait::async_trait;
use uuid::Uuid;

use super::super::{FTS5, IN_JSON_TEXTS, IN_JSON_UUIDS, SIGN_IN_KEY, SqlTx, get, to_db};
use super::accounts::{membership_from_row, person_from_row};
use super::users::user_from_row;
use super::{DbRow, time, uuid};
use crate::{
    AuditRow, MemberKey, MemberListRepo, MemberQuery, MemberRow, MemberSearch, MemberSort, MembershipRow, Result,
    StoreError, UserRow,
};

/// Above this many trigram matches (all accounts together) SQLite walks the sort index instead.
const FTS_CAP: i64 = 10_000;

const SELECT: &str = "SELECT u.id AS u_id, u.email AS u_email, u.username AS u_username, \
     u.first_name AS u_first_name, u.last_name AS u_last_name, u.phone AS u_phone, u.company AS u_company, ";
const KEYS: &str = ", m.sort_name AS k_name, m.sort_email AS k_email, m.sort_company AS k_company, ";
const FROM: &str = " FROM memberships m JOIN users u ON u.id = m.user_id JOIN accounts a ON a.id = m.account_id";
const SEARCH_TEXT: &str = "(m.sort_name || ' ' || m.sort_email || ' ' || m.sort_company)";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    All,
    Email,
    /// SQLite: the FTS5 table names the candidate rows.
    Fts,
    /// SQLite: walk the sort index, test each row.
    Scan,
    /// PostgreSQL: `LIKE` over the trigram-indexed expression.
    Like,
}

/// `(expression, output column, parameter)` of each key of the sort, the user id last.
fn keys(sort: MemberSort) -> Vec<(String, &'static str, &'static str)> {
    let mut k = match sort {
        MemberSort::Name => vec![("m.sort_name".to_owned(), "k_name", "$7")],
        MemberSort::Email => vec![("m.sort_email".to_owned(), "k_email", "$7")],
        MemberSort::Company => {
            vec![("m.sort_company".to_owned(), "k_company", "$7"), ("m.sort_name".to_owned(), "k_name", "$8")]
        }
        MemberSort::Role => vec![("m.role".to_owned(), "m_role", "$7"), ("m.sort_name".to_owned(), "k_name", "$8")],
        MemberSort::LastSignIn => vec![(SIGN_IN_KEY.to_owned(), "k_sign_in", "$9")],
        // When they joined, then the user id. Not the user id alone: PostgreSQL would take the
        // narrower `memberships_user` index for that order and, newest first, skip every other
        // account's later members.
        MemberSort::Created => vec![("m.created_at".to_owned(), "m_created_at", "$9")],
    };
    k.push(("m.user_id".to_owned(), "m_user_id", "$10"));
    k
}

fn order_by(cols: &[String], desc: bool) -> String {
    let dir = if desc { " DESC" } else { "" };
    cols.iter().map(|c| format!("{c}{dir}")).collect::<Vec<_>>().join(", ")
}

/// The SQL of one page. `status_params` are the placeholders of the requested statuses.
fn page_sql(q: &MemberQuery, shape: Shape, status_params: &[&str]) -> String {
    let keys = keys(q.sort);
    let exprs: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
    let aliases: Vec<String> = keys.iter().map(|k| k.1.to_owned()).collect();
    let params: Vec<&str> = keys.iter().map(|k| k.2).collect();
    let cols = format!("{SELECT}{}{KEYS}{SIGN_IN_KEY} AS k_sign_in", member_cols!());
    let mut common = String::new();
    if q.role.is_some() {
        common.push_str(if shape == Shape::Fts { " AND +m.role = $5" } else { " AND m.role = $5" });
    }
    match shape {
        Shape::All | Shape::Email => {}
        Shape::Fts => common.push_str(" AND m.rowid IN (SELECT rowid FROM member_search WHERE member_search MATCH $6)"),
        Shape::Scan => common.push_str(&format!(" AND instr({SEARCH_TEXT}, $6) > 0")),
        Shape::Like => common.push_str(&format!(" AND {SEARCH_TEXT} LIKE $6")),
    }
    if q.after.is_some() {
        let op = if q.descending { "<" } else { ">" };
        // The redundant bound on the first key lets SQLite seek an expression index (the
        // sign-in key) too; a row-value comparison alone it only uses for plain columns.
        let (first, first_param) = (&exprs[0], params[0]);
        common.push_str(&format!(
            " AND {first} {op}= {first_param} AND ({}) {op} ({})",
            exprs.join(", "),
            params.join(", ")
        ));
    }
    let inner_order = order_by(&exprs, q.descending);
    let single = |status_cond: String, account_cond: &str| {
        format!("{cols}{FROM} WHERE {account_cond} AND {status_cond}{common} ORDER BY {inner_order} LIMIT $11")
    };
    // A one-status branch orders by its index's leading columns too (constant there, so the
    // order is the same): only `memberships_list_*` can give that order. Ordered by the user id
    // alone, PostgreSQL took `users_pkey` for it (the join makes `u.id` equal) and, newest
    // first, walked every other account's newer users before this account's (580 ms a page).
    let mut branch_exprs = vec!["m.account_id".to_owned(), "m.status".to_owned()];
    branch_exprs.extend(exprs.iter().cloned());
    let branch_order = order_by(&branch_exprs, q.descending);
    let branch = |status_cond: String| {
        format!("{cols}{FROM} WHERE m.account_id = $1 AND {status_cond}{common} ORDER BY {branch_order} LIMIT $11")
    };
    match shape {
        // One row at most (an email is one login, one membership per account): no ORDER BY, so
        // the planner takes `memberships_email` instead of walking a sort index.
        Shape::Email => format!(
            "{cols}{FROM} WHERE m.account_id = $1 AND m.sort_email = $6 AND m.status IN ({}){common} LIMIT $11",
            status_params.join(", ")
        ),
        // `+` keeps SQLite off the account's indexes: the FTS rows drive the query.
        Shape::Fts => single(format!("+m.status IN ({})", status_params.join(", ")), "+m.account_id = $1"),
        Shape::All | Shape::Scan | Shape::Like => {
            if let [only] = status_params {
                return branch(format!("m.status = {only}"));
            }
            let branches: Vec<String> = status_params
                .iter()
                .enumerate()
                .map(|(i, s)| format!("SELECT * FROM ({}) b{i}", branch(format!("m.status = {s}"))))
                .collect();
            format!("{} ORDER BY {} LIMIT $11", branches.join(" UNION ALL "), order_by(&aliases, q.descending))
        }
    }
}

fn key_from_row(sort: MemberSort, r: &DbRow<'_>) -> Result<MemberKey> {
    let user_id = uuid(r, "m_user_id")?;
    let at = time(r, if sort == MemberSort::Created { "m_created_at" } else { "k_sign_in" })?;
    let (text, name) = match sort {
        MemberSort::Name => (get(r, "k_name")?, String::new()),
        MemberSort::Email => (get(r, "k_email")?, String::new()),
        MemberSort::Company => (get(r, "k_company")?, get(r, "k_name")?),
        MemberSort::Role => (get(r, "m_role")?, get(r, "k_name")?),
        MemberSort::LastSignIn | MemberSort::Created => (String::new(), String::new()),
    };
    Ok(MemberKey { text, name, at, user_id })
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
        let (shape, value) = match &q.search {
            MemberSearch::All => (Shape::All, String::new()),
            MemberSearch::Email(e) => (Shape::Email, e.clone()),
            MemberSearch::Text(t) if !FTS5 => (Shape::Like, like_pattern(t)),
            MemberSearch::Text(t) if t.chars().count() >= 3 => {
                let phrase = fts_phrase(t);
                let n = self
                    .opt(
                        "SELECT count(*) AS n FROM (SELECT 1 FROM member_search WHERE member_search MATCH $1 LIMIT $2)",
                        args![phrase, FTS_CAP],
                        |r| get::<i64>(r, "n"),
                    )
                    .await?
                    .unwrap_or(0);
                if n < FTS_CAP { (Shape::Fts, phrase) } else { (Shape::Scan, t.clone()) }
            }
            MemberSearch::Text(t) => (Shape::Scan, t.clone()),
        };
        let status_params = ["$2", "$3", "$4"];
        let sql = page_sql(q, shape, &status_params[..q.statuses.len()]);
        let st = |i: usize| q.statuses.get(i).cloned().unwrap_or_default();
        let (s1, s2, s3) = (st(0), st(1), st(2));
        let role = q.role.clone().unwrap_or_default();
        let (k_text, k_name, k_at, k_id) = match &q.after {
            Some(k) => (k.text.clone(), k.name.clone(), k.at, k.user_id),
            None => (String::new(), String::new(), time::OffsetDateTime::UNIX_EPOCH, Uuid::nil()),
        };
        let sort = q.sort;
        // A text search is planned with its value (PostgreSQL): how many rows match decides
        // between the trigram index and the sort index.
        let persistent = shape != Shape::Like;
        self.all_dyn(
            &sql,
            persistent,
            args![account_id, s1, s2, s3, role, value, k_text, k_name, to_db(k_at), k_id, limit],
            move |r| {
                Ok((
                    MemberRow { user: person_from_row(r)?, membership: membership_from_row(r)? },
                    key_from_row(sort, r)?,
                ))
            },
        )
        .await
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
        let sql = format!(
            "SELECT {} FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE m.account_id = $1 AND m.user_id {}",
            member_cols!(),
            IN_JSON_UUIDS.replace("$J", "$2")
        );
        self.all_dyn(&sql, true, args![account_id, list], membership_from_row).await
    }

    async fn set_roles_bulk(&mut self, account_id: Uuid, changes: &[MembershipRow]) -> Result<u64> {
        self.bulk_set_roles(account_id, changes).await
    }

    async fn insert_audit_bulk(&mut self, rows: &[AuditRow]) -> Result<()> {
        self.bulk_insert_audit(rows).await
    }
}
