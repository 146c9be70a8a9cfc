//! The team list's page cache (R-LIST-1, decision 0110): a page of an account's members is kept
//! with the account's team version it was read at, and given again to a later request of the
//! same page only when that request's own unit of work reads the same version.
//!
//! Why this is exact: the version is a row the database changes, by triggers, in the same
//! transaction as every write to what a page shows (memberships, their users' listed columns,
//! the account's owner), whoever writes (this server, the CLI, another process on the file).
//! The version is read before the page (SQLite reads each statement in its own snapshot), so a
//! page kept with `v` shows `v`'s rows or later ones. A later request that reads `v` again read
//! it after the page was kept, so no change came in between: the page is what the query would
//! give it. Rights are checked before the cache is asked, on every request; the key holds the
//! account, so one account's page never answers another's request.
//!
//! Only a backend that keeps versions (SQLite) caches: PostgreSQL answers `None`.
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};

use roster_store::MemberQuery;
use uuid::Uuid;

use crate::views::MemberPage;

/// A page of members and, once an answer has written it, its JSON: a kept page is written
/// once, however many answers it serves.
#[derive(Debug)]
pub struct KeptPage {
    page: MemberPage,
    json: OnceLock<bytes::Bytes>,
}

impl KeptPage {
    pub(crate) fn new(page: MemberPage) -> Self {
        Self { page, json: OnceLock::new() }
    }

    /// The page's JSON: written by `write` the first time, the same bytes after.
    pub fn json<E>(&self, write: impl FnOnce(&MemberPage) -> Result<Vec<u8>, E>) -> Result<bytes::Bytes, E> {
        if let Some(json) = self.json.get() {
            return Ok(json.clone());
        }
        let json = bytes::Bytes::from(write(&self.page)?);
        Ok(self.json.get_or_init(|| json).clone())
    }
}

impl std::ops::Deref for KeptPage {
    type Target = MemberPage;

    fn deref(&self) -> &MemberPage {
        &self.page
    }
}

/// What identifies a page: the account, the store's query (cursor position included) and the
/// page size.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PageKey {
    pub account_id: Uuid,
    pub limit: i64,
    pub query: MemberQuery,
}

struct Slot {
    version: i64,
    page: Arc<KeptPage>,
    bytes: usize,
}

#[derive(Default)]
struct Pages {
    slots: HashMap<PageKey, Slot>,
    /// Keys in the order they were first kept: the oldest goes first when over budget.
    order: VecDeque<PageKey>,
    bytes: usize,
}

/// Pages kept up to a budget of bytes (about what their text takes); 0 keeps none.
pub(crate) struct PageCache {
    budget: usize,
    pages: Mutex<Pages>,
}

/// About what a page's JSON adds to its text for each member (keys, ids, times, permissions).
const JSON_PER_MEMBER: usize = 600;

/// About what a page takes in memory: its text and each member's fixed part, twice (once as
/// values, once as JSON).
fn page_bytes(page: &MemberPage) -> usize {
    let text = |s: &Option<String>| s.as_ref().map_or(0, String::len);
    page.items
        .iter()
        .map(|m| {
            std::mem::size_of_val(m)
                + JSON_PER_MEMBER
                + 2 * m.email.len()
                + 2 * (m.first_name.len() + m.last_name.len())
                + 2 * (text(&m.username) + text(&m.phone) + text(&m.company))
        })
        .sum::<usize>()
        + 2 * text(&page.next_cursor)
        + std::mem::size_of::<KeptPage>()
        + std::mem::size_of::<Slot>()
        + std::mem::size_of::<PageKey>()
}

impl PageCache {
    pub(crate) fn new(budget: usize) -> Self {
        Self { budget, pages: Mutex::new(Pages::default()) }
    }

    pub(crate) fn enabled(&self) -> bool {
        self.budget > 0
    }

    /// The page kept for `key` if it was read at `version`.
    pub(crate) fn get(&self, key: &PageKey, version: i64) -> Option<Arc<KeptPage>> {
        let pages = self.pages.lock().ok()?;
        pages.slots.get(key).filter(|s| s.version == version).map(|s| s.page.clone())
    }

    /// Keeps `page`, read at `version`, for `key` (replacing what was kept for it), then drops
    /// the oldest pages while over budget. A page larger than the whole budget is not kept.
    pub(crate) fn put(&self, key: PageKey, version: i64, page: Arc<KeptPage>) {
        let bytes = page_bytes(&page);
        if bytes > self.budget {
            return;
        }
        let Ok(mut pages) = self.pages.lock() else { return };
        let pages = &mut *pages;
        match pages.slots.get_mut(&key) {
            Some(slot) => {
                pages.bytes = pages.bytes - slot.bytes + bytes;
                *slot = Slot { version, page, bytes };
            }
            None => {
                pages.bytes += bytes;
                pages.order.push_back(key.clone());
                pages.slots.insert(key, Slot { version, page, bytes });
            }
        }
        while pages.bytes > self.budget {
            let Some(oldest) = pages.order.pop_front() else { break };
            if let Some(slot) = pages.slots.remove(&oldest) {
                pages.bytes -= slot.bytes;
            }
        }
    }

    /// How many pages and bytes are kept.
    #[cfg(test)]
    fn size(&self) -> (usize, usize) {
        self.pages.lock().map(|p| (p.slots.len(), p.bytes)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(account: u128, limit: i64) -> PageKey {
        PageKey { account_id: Uuid::from_u128(account), limit, query: MemberQuery::default() }
    }

    fn page(cursor: &str) -> Arc<KeptPage> {
        Arc::new(KeptPage::new(MemberPage { items: Vec::new(), next_cursor: Some(cursor.to_owned()) }))
    }

    /// R-LIST-1: a kept page answers only its own key at its own version.
    #[test]
    fn r_list_1_a_kept_page_answers_only_its_key_and_version() {
        let cache = PageCache::new(1 << 20);
        cache.put(key(1, 50), 7, page("a"));
        assert!(cache.get(&key(1, 50), 7).is_some());
        assert!(cache.get(&key(1, 50), 8).is_none(), "another version is another page");
        assert!(cache.get(&key(2, 50), 7).is_none(), "another account is never answered");
        assert!(cache.get(&key(1, 49), 7).is_none(), "another page size is another page");
        cache.put(key(1, 50), 8, page("b"));
        assert_eq!(cache.get(&key(1, 50), 8).and_then(|p| p.next_cursor.clone()).as_deref(), Some("b"));
        assert!(cache.get(&key(1, 50), 7).is_none(), "the newer page replaced the older");
        assert_eq!(cache.size().0, 1);
    }

    #[test]
    fn the_oldest_pages_go_first_when_over_budget_and_none_is_kept_at_zero() {
        let one = page_bytes(&page("a"));
        let cache = PageCache::new(one * 2);
        for account in 1..=3 {
            cache.put(key(account, 50), 1, page("a"));
        }
        assert!(cache.get(&key(1, 50), 1).is_none());
        assert!(cache.get(&key(2, 50), 1).is_some() && cache.get(&key(3, 50), 1).is_some());
        assert_eq!(cache.size(), (2, one * 2));

        let off = PageCache::new(0);
        assert!(!off.enabled());
        off.put(key(1, 50), 1, page("a"));
        assert_eq!(off.size(), (0, 0));
    }

    #[test]
    fn a_kept_page_is_written_once() {
        let kept = page("a");
        let mut writes = 0;
        for _ in 0..3 {
            let json = kept.json(|p| {
                writes += 1;
                serde_json::to_vec(p)
            });
            assert_eq!(&json.expect("written")[..], br#"{"items":[],"next_cursor":"a"}"#);
        }
        assert_eq!(writes, 1);
    }
}
