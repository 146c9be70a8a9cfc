//! Contact lists (R-CON-1): filters, search, every sort, keyset pages, a capped count and the
//! pipeline's counts per stage, all from one `WHERE` clause inside the caller's scope.
//!
//! Values are always bound in the same places: `$1..$3` the scope, `$4` type, `$5` stage, `$6`
//! tag (lowercased name), `$7` assignee, `$8` the search value (an email, an FTS5 phrase or a
//! `LIKE` pattern), `$9` the searched text, `$10..$13` the cursor (first text key, name key,
//! creation time, id), `$14` the limit. A filter that is not asked adds no condition.
//!
//! A whole email address seeks `contacts_email`; text of three characters or more asks the
//! trigram index (SQLite's `contact_search` FTS5 table, PostgreSQL's `contacts_search` GIN
//! index) for candidates, each tested for the text; shorter text tests the scope's rows.
use roster_core::{ContactStage, Scope};
use time::OffsetDateTime;
use uuid::Uuid;

use super::super::super::driver::{FTS5, POSITION_FN, SqlTx, get, to_db};
use super::super::super::{DbRow, catalogued, time, uuid};
use super::super::scope_args;
use super::row::contact_from_row;
use crate::{ContactFilter, ContactKey, ContactQuery, ContactRow, ContactSearch, ContactSort, Result};

/// "The text (`$9`) is in the name, the company or the first address".
fn contains() -> String {
    let f = POSITION_FN;
    format!("({f}(c.sort_name, $9) > 0 OR {f}(c.sort_company, $9) > 0 OR {f}(COALESCE(c.email, ''), $9) > 0)")
}

/// The filter's conditions over `contacts c`, the scope first.
fn conditions(f: &ContactFilter) -> String {
    let mut w = String::from("c.account_id = $1 AND ($2 OR c.assigned_to = $3)");
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
    match &f.search {
        ContactSearch::All => {}
        ContactSearch::Email(_) => w.push_str(" AND c.email = $8"),
        ContactSearch::Text(t) if t.chars().count() < 3 => w.push_str(&format!(" AND {}", contains())),
        ContactSearch::Text(_) if FTS5 => w.push_str(&format!(
            " AND c.rowid IN (SELECT rowid FROM contact_search WHERE contact_search MATCH $8) AND {}",
            contains()
        )),
        ContactSearch::Text(_) => w.push_str(&format!(
            " AND (c.sort_name || ' ' || c.sort_company || ' ' || COALESCE(c.email, '')) LIKE $8 AND {}",
            contains()
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

fn page_sql(q: &ContactQuery) -> String {
    let keys = keys(q.sort);
    let mut w = conditions(&q.filter);
    let exprs: Vec<&str> = keys.iter().map(|k| k.0).collect();
    if q.after.is_some() {
        let op = if q.descending { "<" } else { ">" };
        let params: Vec<&str> = keys.iter().map(|k| k.1).collect();
        w.push_str(&format!(" AND ({}) {op} ({})", exprs.join(", "), params.join(", ")));
    }
    let dir = if q.descending { " DESC" } else { "" };
    let order: Vec<String> = exprs.iter().map(|e| format!("{e}{dir}")).collect();
    format!("SELECT {} FROM contacts c WHERE {w} ORDER BY {} LIMIT $14", contact_cols!(), order.join(", "))
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

pub(super) async fn page(
    tx: &mut SqlTx,
    scope: &Scope,
    q: &ContactQuery,
    limit: i64,
) -> Result<Vec<(ContactRow, ContactKey)>> {
    let sort = q.sort;
    rows(tx, &page_sql(q), scope, &q.filter, q.after.as_ref(), limit, move |r| {
        Ok((contact_from_row(r)?, key_from_row(sort, r)?))
    })
    .await
}

pub(super) async fn count(tx: &mut SqlTx, scope: &Scope, f: &ContactFilter, cap: i64) -> Result<i64> {
    let sql =
        format!("SELECT count(*) AS n FROM (SELECT 1 AS one FROM contacts c WHERE {} LIMIT $14) x", conditions(f));
    let n = rows(tx, &sql, scope, f, None, cap.max(0).saturating_add(1), |r| get::<i64>(r, "n")).await?;
    Ok(n.first().copied().unwrap_or(0))
}

pub(super) async fn pipeline(tx: &mut SqlTx, scope: &Scope, f: &ContactFilter) -> Result<Vec<(ContactStage, i64)>> {
    // `$14` is bound but unused here; a no-op condition keeps every value's type known.
    let sql = format!(
        "SELECT c.stage AS stage, count(*) AS n FROM contacts c WHERE {} AND $14 >= 0 GROUP BY c.stage",
        conditions(f)
    );
    rows(tx, &sql, scope, f, None, 0, |r| Ok((catalogued(r, "stage", ContactStage::parse)?, get::<i64>(r, "n")?))).await
}
