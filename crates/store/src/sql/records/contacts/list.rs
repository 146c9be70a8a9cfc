//! Contact lists (R-CON-1): filters, search, every sort, keyset pages, a capped count and the
//! pipeline's counts per stage, all from one `WHERE` clause inside the caller's scope.
//!
//! Values are always bound in the same places: `$1..$3` the scope, `$4` type, `$5` stage, `$6`
//! tag (lowercased name), `$7` assignee, `$8` the search value (an email, an FTS5 phrase or a
//! `LIKE` pattern), `$9` the searched text, `$10..$13` the cursor (first text key, name key,
//! creation time, id), `$14` the limit. A filter that is not asked adds no condition.
//!
//! How rows are found (decision 0092):
//! - an `Own` scope (a salesperson) is one range of a `contacts_assigned_*` index, its own
//!   statement: `$2 OR assigned_to = $3` would hide the index from the planner. Text is tested
//!   on those rows only: a member's own contacts are few, the trigram index is not asked;
//! - a whole email address seeks `contacts_email`;
//! - an `All` scope's text of three characters or more: a rare text (on SQLite, fewer than
//!   [`PROBE`] rows of FTS5 `contact_search`, counted first) asks the trigram index at once.
//!   Otherwise a bounded walk of the sort's index ([`WALK`] rows, each tested for the text)
//!   fills the page when the text is common here; only when it does not, the trigram index
//!   gives the candidates (PostgreSQL's GIN `contacts_search`: its planner weighs it);
//! - shorter text tests the scope's rows in sort order.
use roster_core::{ContactStage, Reach, Scope};
use time::OffsetDateTime;
use uuid::Uuid;

use super::super::super::driver::{CONTACT_WALK, FTS5, IN_JSON_UUIDS, POSITION_FN, SqlTx, get, to_db};
use super::super::super::{DbRow, catalogued, time, uuid};
use super::super::scope_args;
use super::row::contact_from_row;
use crate::{ContactFilter, ContactKey, ContactQuery, ContactRow, ContactSearch, ContactSort, Result};

/// How many rows of the sort's index a bounded walk reads before the trigram index is asked.
const WALK: i64 = CONTACT_WALK;

/// SQLite: below this many trigram candidates, the index is asked at once, without a walk.
const PROBE: i64 = 3_000;

/// How a text search finds its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Find {
    /// The trigram index gives candidates (a text of three characters or more).
    Trigram,
    /// The scope's rows are read in sort order and each is tested.
    Test,
}

/// "The text (`$9`) is in the name, the company or the first address" of the row `a`.
fn contains(a: &str) -> String {
    let f = POSITION_FN;
    format!("({f}({a}.sort_name, $9) > 0 OR {f}({a}.sort_company, $9) > 0 OR {f}(COALESCE({a}.email, ''), $9) > 0)")
}

/// How `scope` and `search` find rows when nothing forces a walk.
fn find_of(scope: &Scope, search: &ContactSearch) -> Find {
    match (scope.reach(), search) {
        (Reach::All, ContactSearch::Text(t)) if t.chars().count() >= 3 => Find::Trigram,
        _ => Find::Test,
    }
}

/// The filter's conditions over `contacts c`, the scope first; the text search only when
/// `with_search`.
fn conditions(scope: &Scope, f: &ContactFilter, find: Find, with_search: bool) -> String {
    let mut w = String::from(match scope.reach() {
        Reach::All => "c.account_id = $1 AND ($2 OR c.assigned_to = $3)",
        Reach::Own(_) | Reach::OwnAndProjects(_) => "c.account_id = $1 AND c.assigned_to = $3 AND NOT $2",
    });
    if f.kind.is_some() {
        w.push_str(" AND c.kind = $4");
    }
    if f.stage.is_some() {
        w.push_str(" AND c.stage = $5");
    }
    if f.tag.is_some() {
        w.push_str(
            " AND EXISTS (SELECT 1 FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id \
             WHERE ct.contact_id = c.id AND t.account_id = $1 AND t.sort_name = $6)",
        );
    }
    if f.assigned_to.is_some() {
        w.push_str(" AND c.assigned_to = $7");
    }
    if !f.include_hidden {
        w.push_str(" AND NOT c.hidden_from_client_list");
    }
    if !with_search {
        return w;
    }
    match (&f.search, find) {
        (ContactSearch::All, _) => {}
        (ContactSearch::Email(_), _) => w.push_str(" AND c.email = $8"),
        (ContactSearch::Text(_), Find::Test) => w.push_str(&format!(" AND {}", contains("c"))),
        (ContactSearch::Text(_), Find::Trigram) if FTS5 => w.push_str(&format!(
            " AND c.rowid IN (SELECT rowid FROM contact_search WHERE contact_search MATCH $8) AND {}",
            contains("c")
        )),
        (ContactSearch::Text(_), Find::Trigram) => w.push_str(&format!(
            " AND (c.sort_name || ' ' || c.sort_company || ' ' || COALESCE(c.email, '')) LIKE $8 AND {}",
            contains("c")
        )),
    }
    w
}

/// The sort's keys (expression, cursor parameter), the id last.
fn keys(sort: ContactSort) -> Vec<(&'static str, &'static str)> {
    let mut k = match sort {
        ContactSort::Name => vec![("c.sort_name", "$10")],
        ContactSort::Company => vec![("c.sort_company", "$10"), ("c.sort_name", "$11")],
        ContactSort::Created => vec![("c.created_at", "$12")],
        ContactSort::Stage => vec![("c.stage", "$10"), ("c.sort_name", "$11")],
    };
    k.push(("c.id", "$13"));
    k
}

/// The keyset condition (after the cursor) and the `ORDER BY` list of `q`'s sort.
fn order(q: &ContactQuery) -> (String, String) {
    let keys = keys(q.sort);
    let exprs: Vec<&str> = keys.iter().map(|k| k.0).collect();
    let seek = if q.after.is_some() {
        let op = if q.descending { "<" } else { ">" };
        let params: Vec<&str> = keys.iter().map(|k| k.1).collect();
        format!(" AND ({}) {op} ({})", exprs.join(", "), params.join(", "))
    } else {
        String::new()
    };
    let dir = if q.descending { " DESC" } else { "" };
    let order: Vec<String> = exprs.iter().map(|e| format!("{e}{dir}")).collect();
    (seek, order.join(", "))
}

fn page_sql(scope: &Scope, q: &ContactQuery, find: Find, cols: &str) -> String {
    let (seek, order) = order(q);
    let w = conditions(scope, &q.filter, find, true);
    format!("SELECT {cols} FROM contacts c WHERE {w}{seek} ORDER BY {order} LIMIT $14")
}

/// The bounded walk: the first [`WALK`] rows of the sort's index after the cursor, tested
/// for the text, the first `$14` of them.
fn walk_sql(scope: &Scope, q: &ContactQuery, cols: &str) -> String {
    let (seek, order) = order(q);
    let w = conditions(scope, &q.filter, Find::Test, false);
    format!(
        "SELECT {cols} FROM contacts c WHERE c.id IN (SELECT w.id FROM (SELECT c.id, \
         c.sort_name, c.sort_company, c.email FROM contacts c WHERE {w}{seek} ORDER BY {order} LIMIT {WALK}) w \
         WHERE {test} LIMIT $14) ORDER BY {order} LIMIT $14",
        test = contains("w"),
    )
}

/// The search value for `$8` and the text for `$9`.
fn search_values(s: &ContactSearch) -> (String, String) {
    match s {
        ContactSearch::All => (String::new(), String::new()),
        ContactSearch::Email(e) => (e.clone(), String::new()),
        ContactSearch::Text(t) if FTS5 => (format!("\"{}\"", t.replace('"', "\"\"")), t.clone()),
        ContactSearch::Text(t) => {
            let mut p = String::from("%");
            for ch in t.chars() {
                if matches!(ch, '%' | '_' | '\\') {
                    p.push('\\');
                }
                p.push(ch);
            }
            p.push('%');
            (p, t.clone())
        }
    }
}

fn key_from_row(sort: ContactSort, r: &DbRow<'_>) -> Result<ContactKey> {
    let name: String = get(r, "sort_name")?;
    let (text, second) = match sort {
        ContactSort::Name => (name, String::new()),
        ContactSort::Company => (get(r, "sort_company")?, name),
        ContactSort::Stage => (catalogued(r, "stage", ContactStage::parse)?.as_str().to_owned(), name),
        ContactSort::Created => (String::new(), String::new()),
    };
    Ok(ContactKey { text, name: second, at: time(r, "created_at")?, id: uuid(r, "id")? })
}

/// Runs `sql` with every value in its place.
async fn rows<T: Send + 'static>(
    tx: &mut SqlTx,
    sql: &str,
    scope: &Scope,
    f: &ContactFilter,
    after: Option<&ContactKey>,
    limit: i64,
    decode: impl Fn(&DbRow<'_>) -> Result<T> + Send,
) -> Result<Vec<T>> {
    let (account, all, me) = scope_args(scope);
    let kind = f.kind.map_or("", |k| k.as_str());
    let stage = f.stage.map_or("", |s| s.as_str());
    let tag = f.tag.as_deref().map(|t| t.trim().to_lowercase()).unwrap_or_default();
    let assignee = f.assigned_to.unwrap_or(Uuid::nil());
    let (value, text) = search_values(&f.search);
    let (k_text, k_name, k_at, k_id) = match after {
        Some(k) => (k.text.clone(), k.name.clone(), k.at, k.id),
        None => (String::new(), String::new(), OffsetDateTime::UNIX_EPOCH, Uuid::nil()),
    };
    // A trigram search is planned with its value (PostgreSQL): how many rows match decides.
    let persistent = !matches!(f.search, ContactSearch::Text(_));
    tx.all_dyn(
        sql,
        persistent,
        args![account, all, me, kind, stage, tag, assignee, value, text, k_text, k_name, to_db(k_at), k_id, limit],
        decode,
    )
    .await
}

/// One page of `q` in the scope, each row read with the columns `cols` (`contact_cols!`).
pub(super) async fn page(
    tx: &mut SqlTx,
    scope: &Scope,
    q: &ContactQuery,
    limit: i64,
    cols: &str,
) -> Result<Vec<(ContactRow, ContactKey)>> {
    let sort = q.sort;
    let decode = move |r: &DbRow<'_>| Ok((contact_from_row(r)?, key_from_row(sort, r)?));
    let find = find_of(scope, &q.filter.search);
    if find == Find::Trigram && !(FTS5 && few_candidates(tx, scope, &q.filter).await?) {
        let found = rows(tx, &walk_sql(scope, q, cols), scope, &q.filter, q.after.as_ref(), limit, decode).await?;
        if found.len() as i64 >= limit {
            return Ok(found);
        }
    }
    rows(tx, &page_sql(scope, q, find, cols), scope, &q.filter, q.after.as_ref(), limit, decode).await
}

/// Sets the tags of `rows` (read without them) from one statement for the whole page.
pub(super) async fn fill_tags(tx: &mut SqlTx, scope: &Scope, rows: &mut [(ContactRow, ContactKey)]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = rows.iter().map(|(c, _)| format!("\"{}\"", c.id)).collect();
    let sql = format!(
        "SELECT ct.contact_id, t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id \
         WHERE ct.account_id = $1 AND ct.contact_id {} ORDER BY ct.contact_id, t.sort_name",
        IN_JSON_UUIDS.replace("$J", "$2")
    );
    let (account, _, _) = scope_args(scope);
    let tags = tx
        .all_dyn(&sql, true, args![account, format!("[{}]", ids.join(","))], |r| {
            Ok((uuid(r, "contact_id")?, get::<String>(r, "name")?))
        })
        .await?;
    let mut by_contact: std::collections::HashMap<Uuid, Vec<String>> = std::collections::HashMap::new();
    for (id, name) in tags {
        by_contact.entry(id).or_default().push(name);
    }
    for (c, _) in rows.iter_mut() {
        c.tags = by_contact.remove(&c.id).unwrap_or_default();
    }
    Ok(())
}

/// SQLite: whether the FTS5 index holds fewer than [`PROBE`] rows with the text (both
/// accounts'): then its candidates are cheaper than any walk. Reads at most `PROBE` row ids.
async fn few_candidates(tx: &mut SqlTx, scope: &Scope, f: &ContactFilter) -> Result<bool> {
    let sql = "SELECT count(*) AS n FROM (SELECT rowid FROM contact_search WHERE contact_search MATCH $8 LIMIT $14) x";
    let n = rows(tx, sql, scope, f, None, PROBE, |r| get::<i64>(r, "n")).await?;
    Ok(n.first().copied().unwrap_or(0) < PROBE)
}

pub(super) async fn count(tx: &mut SqlTx, scope: &Scope, f: &ContactFilter, cap: i64) -> Result<i64> {
    let w = conditions(scope, f, find_of(scope, &f.search), true);
    let sql = format!("SELECT count(*) AS n FROM (SELECT 1 AS one FROM contacts c WHERE {w} LIMIT $14) x");
    let n = rows(tx, &sql, scope, f, None, cap.max(0).saturating_add(1), |r| get::<i64>(r, "n")).await?;
    Ok(n.first().copied().unwrap_or(0))
}

pub(super) async fn pipeline(tx: &mut SqlTx, scope: &Scope, f: &ContactFilter) -> Result<Vec<(ContactStage, i64)>> {
    // `$14` is bound but unused here; a no-op condition keeps every value's type known.
    let w = conditions(scope, f, find_of(scope, &f.search), true);
    let sql = format!("SELECT c.stage AS stage, count(*) AS n FROM contacts c WHERE {w} AND $14 >= 0 GROUP BY c.stage");
    rows(tx, &sql, scope, f, None, 0, |r| Ok((catalogued(r, "stage", ContactStage::parse)?, get::<i64>(r, "n")?))).await
}
