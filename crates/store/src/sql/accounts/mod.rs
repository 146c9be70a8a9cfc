//! Accounts and memberships.
pub(crate) mod account_repo;
