//! The users list (R-LIST-1) and its CSV export (R-EXP-1): search by name, email and company,
//! filter by role and status, sort by name, email, company, role or last sign-in, keyset pages.
use roster_core::{Action, Email, authorize};
use roster_core::{MembershipStatus, RoleKind};
use roster_store::{MemberKey, MemberQuery, MemberRow, MemberSearch, MemberSort, Store, Tx};
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::accounts::page_limit;
use crate::actor::Identity;
use crate::shared_reads::SharedReads;
use crate::signin::Principal;
use crate::signin::token::hex;
use crate::team::page_cache::{KeptPage, PageKey};
use crate::views::{MemberPage, MemberView};
use crate::{Result, Service, ServiceError, actor};

/// Longest search text accepted.
const Q_MAX: usize = 200;
/// Rows an export reads per unit of work.
pub const EXPORT_CHUNK: i64 = 5_000;

/// The most members a list counts (decision 0075): more are shown as "10,000+".
pub const MEMBER_COUNT_CAP: i64 = 10_000;

/// How many members match a list's search and filters in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberTotal {
    /// The count, at most [`MEMBER_COUNT_CAP`].
    pub total: i64,
    /// More than [`MEMBER_COUNT_CAP`] match.
    pub capped: bool,
}

/// The list's query parameters as received (API query string, console URL, CLI flags).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberListParams {
    /// Text found in the name, email or company; a whole email address finds that member.
    pub q: Option<String>,
    /// A role key (`admin`, `standard`, …, `custom`).
    pub role: Option<String>,
    /// Comma-separated statuses; default `active,disabled`.
    pub status: Option<String>,
    /// `name` (default; `created_at` for an export), `email`, `company`, `role`, `last_sign_in_at`
    /// or `created_at`.
    pub sort: Option<String>,
    /// `asc` (default) or `desc`.
    pub order: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl MemberListParams {
    /// The store's query (without the cursor's position when `with_cursor` is false).
    pub(crate) fn query(&self) -> Result<MemberQuery> {
        let search = match blank(&self.q) {
            None => MemberSearch::All,
            Some(q) if q.chars().count() > Q_MAX => {
                return Err(ServiceError::invalid("q", format!("Search with at most {Q_MAX} characters.")));
            }
            Some(q) if q.contains('@') && Email::parse(q).is_ok() => {
                MemberSearch::Email(Email::parse(q).map(|e| e.as_str().to_owned()).unwrap_or_default())
            }
            Some(q) => MemberSearch::Text(q.to_lowercase()),
        };
        let role = match blank(&self.role).map(RoleKind::parse).transpose() {
            Ok(role) => role,
            Err(_) => return Err(ServiceError::invalid("role", "Use a role key: a built-in role or custom.")),
        };
        let mut statuses: Vec<MembershipStatus> = Vec::new();
        for s in blank(&self.status).unwrap_or("active,disabled").split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let Ok(s) = MembershipStatus::parse(s) else {
                return Err(ServiceError::invalid("status", "Use active, disabled and/or archived, comma-separated."));
            };
            if !statuses.contains(&s) {
                statuses.push(s);
            }
        }
        if statuses.is_empty() {
            return Err(ServiceError::invalid("status", "Use active, disabled and/or archived, comma-separated."));
        }
        let sort = match blank(&self.sort) {
            None => MemberSort::Name,
            Some(s) => MemberSort::parse(s).ok_or_else(|| {
                ServiceError::invalid("sort", "Sort by name, email, company, role, last_sign_in_at or created_at.")
            })?,
        };
        let descending = match blank(&self.order) {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(_) => return Err(ServiceError::invalid("order", "Use asc or desc.")),
        };
        let after = blank(&self.cursor).map(|c| decode_cursor(c, sort)).transpose()?;
        Ok(MemberQuery { search, role, statuses, sort, descending, after })
    }
}

/// Reads of one team page shared by the requests asking for it at the same time (decision 0111).
pub(crate) type SharedPages = SharedReads<PageKey, (), Arc<KeptPage>>;

/// The most requests one shared page read answers.
const MAX_PAGE_ASKS: usize = 1024;

pub(crate) fn shared_pages() -> SharedPages {
    SharedReads::new(MAX_PAGE_ASKS)
}

/// The page `key` asks for, read now.
async fn read_page(tx: &mut dyn Tx, key: &PageKey) -> Result<Arc<KeptPage>> {
    let q = &key.query;
    let mut rows = tx.search_members(key.account_id, q, key.limit + 1).await?;
    let keep = usize::try_from(key.limit).unwrap_or(usize::MAX);
    let next_cursor = if rows.len() > keep {
        rows.truncate(keep);
        rows.last().map(|(_, k)| encode_cursor(q.sort, k))
    } else {
        None
    };
    let items = rows.into_iter().map(|(r, _)| MemberView::from(r)).collect();
    Ok(Arc::new(KeptPage::new(MemberPage { items, next_cursor })))
}

/// `sort ␟ text ␟ name ␟ sign-in µs ␟ user id`, hex-encoded: opaque to clients, and a cursor of
/// one sort is refused by another.
pub(crate) fn encode_cursor(sort: MemberSort, k: &MemberKey) -> String {
    let micros = k.at.unix_timestamp_nanos() / 1000;
    hex(format!("{}\u{1f}{}\u{1f}{}\u{1f}{micros}\u{1f}{}", sort.key(), k.text, k.name, k.user_id).as_bytes())
}

fn decode_cursor(cursor: &str, sort: MemberSort) -> Result<MemberKey> {
    let bad = || ServiceError::invalid("cursor", "This cursor is not one this server gave out for this sort.");
    if !cursor.len().is_multiple_of(2) || cursor.len() > 4096 {
        return Err(bad());
    }
    let bytes: Option<Vec<u8>> = (0..cursor.len())
        .step_by(2)
        .map(|i| cursor.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect();
    let text = String::from_utf8(bytes.ok_or_else(bad)?).map_err(|_| bad())?;
    let parts: Vec<&str> = text.split('\u{1f}').collect();
    let [s, t, n, micros, id] = parts.as_slice() else { return Err(bad()) };
    if *s != sort.key() {
        return Err(bad());
    }
    let micros: i128 = micros.parse().map_err(|_| bad())?;
    let at = OffsetDateTime::from_unix_timestamp_nanos(micros * 1000).map_err(|_| bad())?;
    Ok(MemberKey { text: (*t).to_owned(), name: (*n).to_owned(), at, user_id: Uuid::parse_str(id).map_err(|_| bad())? })
}

impl Service {
    /// The team list (R-LIST-1): needs `users.view` (the operator reads any account).
    pub async fn search_members(
        &self,
        p: &Principal,
        account_id: Uuid,
        params: &MemberListParams,
    ) -> Result<Arc<KeptPage>> {
        let limit = page_limit(params.limit)?;
        let key = PageKey { account_id, limit, query: params.query()? };
        let mut tx = self.store.read().await?;
        let (actor, membership) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::ViewTeam(account_id))?;
        if membership.is_none() && tx.account_by_id(account_id).await?.is_none() {
            return Err(ServiceError::NotFound);
        }
        // Asked only after the rights, and before the page is read: a page is never older than
        // the version it is kept with (see `page_cache`).
        let version = if self.pages.enabled() { tx.team_version(account_id).await? } else { None };
        if let Some(page) = version.and_then(|v| self.pages.get(&key, v)) {
            return Ok(page);
        }
        if version.is_none()
            && let Some(shared) = &self.shared
        {
            // PostgreSQL: one read for the requests asking for this page while one runs, begun
            // after they all asked (decision 0111). The connection goes back while waiting.
            drop(tx);
            let key = &key;
            return shared
                .pages
                .read(key, (), |asks| async move {
                    let mut tx = self.store.read().await?;
                    let page = read_page(tx.as_mut(), key).await?;
                    Ok(vec![page; asks.len()])
                })
                .await;
        }
        let page = read_page(tx.as_mut(), &key).await?;
        if let Some(v) = version {
            self.pages.put(key, v, page.clone());
        }
        Ok(page)
    }

    /// How many members match `params` in all (R-LIST-1; cursor and limit play no part), up to
    /// [`MEMBER_COUNT_CAP`]: the same rights and the same conditions as [`Self::search_members`].
    pub async fn count_members(
        &self,
        p: &Principal,
        account_id: Uuid,
        params: &MemberListParams,
    ) -> Result<MemberTotal> {
        let q = params.query()?;
        let mut tx = self.store.read().await?;
        let (actor, membership) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::ViewTeam(account_id))?;
        if membership.is_none() && tx.account_by_id(account_id).await?.is_none() {
            return Err(ServiceError::NotFound);
        }
        let n = tx.count_members(account_id, &q, MEMBER_COUNT_CAP).await?;
        Ok(MemberTotal { total: n.min(MEMBER_COUNT_CAP), capped: n > MEMBER_COUNT_CAP })
    }

    /// Starts a CSV export (R-EXP-1) of the members matching `params` (cursor and limit are
    /// ignored): needs `users.export`, unless the installation itself exports
    /// (`Identity::Internal`, `roster users export`, whose user has the database itself).
    pub async fn export_members(
        &self,
        who: Identity<'_>,
        account_id: Uuid,
        params: &MemberListParams,
    ) -> Result<MemberExport> {
        let params = MemberListParams { cursor: None, limit: None, ..params.clone() };
        let mut query = params.query()?;
        // An export in no asked order comes in creation order: the fastest walk (see
        // `MemberSort::Created`), and a stable one for files compared run to run.
        if blank(&params.sort).is_none() {
            query.sort = MemberSort::Created;
        }
        let mut tx = self.store.read().await?;
        let found = match who {
            Identity::Person(p) => {
                let (actor, membership) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
                authorize(&actor, Action::ExportMembers(account_id))?;
                membership.is_some() || tx.account_by_id(account_id).await?.is_some()
            }
            Identity::Internal(_) => tx.account_by_id(account_id).await?.is_some(),
        };
        if !found {
            return Err(ServiceError::NotFound);
        }
        Ok(MemberExport { store: self.store.clone(), account_id, query, done: false })
    }

    /// An account's id by its slug (the command line names accounts by slug).
    pub async fn account_id_by_slug(&self, slug: &str) -> Result<Uuid> {
        let mut tx = self.store.read().await?;
        Ok(tx.account_by_slug(slug).await?.ok_or(ServiceError::NotFound)?.id)
    }
}

/// An export under way: chunks of [`EXPORT_CHUNK`] members, each read in its own short unit of
/// work and keyset-paged, so memory stays flat and no connection is held between chunks.
pub struct MemberExport {
    store: Arc<dyn Store>,
    account_id: Uuid,
    query: MemberQuery,
    done: bool,
}

impl MemberExport {
    /// The next rows, `None` once all were read.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<MemberRow>>> {
        if self.done {
            return Ok(None);
        }
        let mut tx = self.store.read().await?;
        let mut rows = tx.search_members(self.account_id, &self.query, EXPORT_CHUNK).await?;
        drop(tx);
        if (rows.len() as i64) < EXPORT_CHUNK {
            self.done = true;
        }
        self.query.after = rows.last().map(|(_, k)| k.clone());
        if rows.is_empty() {
            return Ok(None);
        }
        Ok(Some(rows.drain(..).map(|(r, _)| r).collect()))
    }
}

/// The CSV columns of an export; the import reads the same names.
pub const CSV_COLUMNS: [&str; 10] = [
    "email",
    "first_name",
    "last_name",
    "phone",
    "username",
    "company",
    "role",
    "status",
    "last_sign_in_at",
    "created_at",
];

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return first)
/// gets a leading `'`, so it shows as text (R-EXP-1).
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => std::borrow::Cow::Owned(format!("'{cell}")),
        _ => std::borrow::Cow::Borrowed(cell),
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// The header line of an export.
pub fn csv_header() -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(128));
    let _ = w.write_record(CSV_COLUMNS);
    w.into_inner().unwrap_or_default()
}

/// CSV lines for `rows`, every cell neutralised.
pub fn csv_rows(rows: &[MemberRow]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 120));
    for r in rows {
        let (u, m) = (&r.user, &r.membership);
        let last = m.last_sign_in_at.map(rfc3339).unwrap_or_default();
        let created = rfc3339(m.created_at);
        let cells: [&str; 10] = [
            &u.email,
            &u.first_name,
            &u.last_name,
            u.phone.as_deref().unwrap_or_default(),
            u.username.as_deref().unwrap_or_default(),
            u.company.as_deref().unwrap_or_default(),
            m.role.as_str(),
            m.status.as_str(),
            &last,
            &created,
        ];
        w.write_record(cells.iter().map(|c| neutralise(c).into_owned().into_bytes()))
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
    }
    w.into_inner().map_err(|e| ServiceError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_belong_to_their_sort() {
        let k = MemberKey {
            text: "ada lovelace".into(),
            name: "x".into(),
            at: OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("time"),
            user_id: Uuid::now_v7(),
        };
        let c = encode_cursor(MemberSort::Company, &k);
        assert_eq!(decode_cursor(&c, MemberSort::Company).expect("valid"), k);
        assert!(decode_cursor(&c, MemberSort::Name).is_err());
        assert!(decode_cursor("zz", MemberSort::Name).is_err());
    }

    #[test]
    fn formulas_are_neutralised() {
        for bad in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(bad), format!("'{bad}"));
        }
        assert_eq!(neutralise("Ada"), "Ada");
    }

    #[test]
    fn params_parse() {
        let p = MemberListParams { q: Some(" Ada@Example.com ".into()), ..Default::default() };
        assert_eq!(p.query().expect("ok").search, MemberSearch::Email("ada@example.com".into()));
        let p = MemberListParams { q: Some("Love".into()), status: Some("archived".into()), ..Default::default() };
        let q = p.query().expect("ok");
        assert_eq!(q.search, MemberSearch::Text("love".into()));
        assert_eq!(q.statuses, vec![MembershipStatus::Archived]);
        assert!(MemberListParams { sort: Some("x".into()), ..Default::default() }.query().is_err());
        assert!(MemberListParams { status: Some("gone".into()), ..Default::default() }.query().is_err());
    }
}
