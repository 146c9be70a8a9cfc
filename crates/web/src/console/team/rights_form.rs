//! The permission catalogue as the console shows it: grouped, a sentence each, with the boxes a
//! form ticked. Shared by the roles pages and a member's rights.
use roster_core::{Permission, PermissionSet};

/// One checkbox.
pub struct PermissionBox {
    pub id: &'static str,
    pub grants: &'static str,
    pub checked: bool,
}

/// One group of the catalogue ("Team", "Contacts", …), in catalogue order.
pub struct PermissionGroup {
    pub name: &'static str,
    pub boxes: Vec<PermissionBox>,
}

/// The catalogue grouped, with `checked` ticked.
pub fn grouped(checked: PermissionSet) -> Vec<PermissionGroup> {
    let mut groups: Vec<PermissionGroup> = Vec::new();
    for p in Permission::ALL {
        let b = PermissionBox { id: p.id(), grants: p.grants(), checked: checked.contains(*p) };
        match groups.iter_mut().find(|g| g.name == p.group()) {
            Some(g) => g.boxes.push(b),
            None => groups.push(PermissionGroup { name: p.group(), boxes: vec![b] }),
        }
    }
    groups
}

/// The ids a form sent (`permissions=a&permissions=b`), whatever they are: the service checks them.
pub fn ticked(pairs: &[(String, String)]) -> Vec<String> {
    pairs.iter().filter(|(k, _)| k == "permissions").map(|(_, v)| v.clone()).collect()
}

/// One field of a repeated-key form.
pub fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

/// The set named by ids, ignoring unknown ones (for re-showing a form).
pub fn set_of(ids: &[String]) -> PermissionSet {
    ids.iter().filter_map(|i| Permission::parse(i)).fold(PermissionSet::EMPTY, PermissionSet::with)
}
