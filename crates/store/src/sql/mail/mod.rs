//! The outbox and an account's mail settings and templates.
pub(crate) mod outbox;
pub(crate) mod settings;
