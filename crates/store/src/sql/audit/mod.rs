//! The audit log.
pub(crate) mod audit_repo;
