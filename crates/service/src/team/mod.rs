//! The team of an account: adding, listing, editing, importing, disabling, archiving and deleting
//! members, their passwords, and the account's roles.

pub(crate) mod add;
pub(crate) mod delete;
pub(crate) mod edit;
pub(crate) mod import;
pub(crate) mod lifecycle;
pub(crate) mod list;
pub(crate) mod page_cache;
pub(crate) mod password;
pub(crate) mod roles;
