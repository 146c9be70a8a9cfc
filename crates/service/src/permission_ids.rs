//! A member's effective permissions as their views carry them: the set, written in JSON as the
//! array of its ids in catalogue order (API.md's `permissions`).
//!
//! A page of 50 members wrote about a thousand short strings, each escaped byte by byte, a
//! third of the users list's serialisation (decision 0109). Few sets occur (one per role, plus
//! the lists chosen for members), so each set's array is written once per process and then
//! copied as it is: at most [`CACHED_SETS`] of them (about 500 bytes each); any other set is
//! written id by id, as before.
use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

use roster_core::{Permission, PermissionSet};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// How many distinct sets keep their written array (bounded: members' chosen lists vary).
const CACHED_SETS: usize = 256;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PermissionIds(pub PermissionSet);

impl PermissionIds {
    pub fn set(self) -> PermissionSet {
        self.0
    }

    pub fn contains(self, p: Permission) -> bool {
        self.0.contains(p)
    }

    pub fn is_empty(self) -> bool {
        self.0.is_empty()
    }

    /// The ids, in catalogue order.
    pub fn ids(self) -> Vec<&'static str> {
        self.0.iter().map(Permission::id).collect()
    }
}

/// The set's JSON array, written once (ids are catalogue constants: nothing to escape, checked
/// by serde_json when it is made).
fn written(set: PermissionSet) -> Option<&'static RawValue> {
    static WRITTEN: OnceLock<RwLock<HashMap<u64, &'static RawValue>>> = OnceLock::new();
    let map = WRITTEN.get_or_init(|| RwLock::new(HashMap::new()));
    if let Some(raw) = map.read().ok()?.get(&set.bits()) {
        return Some(raw);
    }
    let mut map = map.write().ok()?;
    if map.len() >= CACHED_SETS {
        return map.get(&set.bits()).copied();
    }
    let ids: Vec<&str> = set.iter().map(Permission::id).collect();
    let raw = serde_json::value::to_raw_value(&ids).ok()?;
    // Leaked on purpose: at most CACHED_SETS small arrays for the process's life.
    let raw: &'static RawValue = Box::leak(raw);
    map.insert(set.bits(), raw);
    Some(raw)
}

impl Serialize for PermissionIds {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match written(self.0) {
            Some(raw) => raw.serialize(s),
            None => s.collect_seq(self.0.iter().map(Permission::id)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(set: PermissionSet) -> String {
        serde_json::to_string(&PermissionIds(set)).unwrap_or_default()
    }

    /// API.md: `permissions` is the array of effective permission ids in catalogue order, the
    /// same whether the set's array was cached or written id by id.
    #[test]
    fn r_perm_1_permissions_are_written_as_their_ids_in_catalogue_order() {
        let set = PermissionSet::of(&[Permission::TimeTrack, Permission::UsersView]);
        assert_eq!(json(set), r#"["users.view","time.track"]"#);
        assert_eq!(json(set), r#"["users.view","time.track"]"#, "again, from the cache");
        assert_eq!(json(PermissionSet::EMPTY), "[]");
        let all: Vec<&str> = Permission::ALL.iter().map(|p| p.id()).collect();
        assert_eq!(json(PermissionSet::all()), serde_json::to_string(&all).unwrap_or_default());
        let uncached = PermissionIds(set);
        let by_id = serde_json::to_string(&uncached.ids()).unwrap_or_default();
        assert_eq!(json(set), by_id);
    }

    /// Past the cache's bound every set is still written, id by id.
    #[test]
    fn sets_past_the_bound_are_written_too() {
        for bits in 0..(CACHED_SETS as u64 + 40) {
            let set = Permission::ALL
                .iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .fold(PermissionSet::EMPTY, |s, (_, p)| s.with(*p));
            let v: Vec<String> = serde_json::from_str(&json(set)).unwrap_or_default();
            assert_eq!(v, PermissionIds(set).ids());
        }
    }
}
