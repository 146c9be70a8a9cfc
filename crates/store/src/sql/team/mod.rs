//! The team list, custom roles and permanent delete.
pub(crate) mod erasure;
pub(crate) mod member_list;
pub(crate) mod roles;
