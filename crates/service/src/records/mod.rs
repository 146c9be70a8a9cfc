//! The work records (PRODUCT.md §7): one folder per kind. Each use case asks
//! `roster_core::scope` for the caller's scope over its kind once and passes it to every query
//! (decision 0045); writes also `authorize` their permission (`contacts.edit`, …).
pub mod calendars;
pub mod contacts;
pub mod membership;
pub mod projects;
pub mod reminders;
pub mod tickets;
pub mod time;
pub mod todos;
pub mod workflows;
