//! Accounts: the API and operational endpoints, account settings, the audit log.
mod api;
mod audit;
mod clear_words;
mod settings;
