//! Permission matrices below HTTP: role × action → allowed or refused, straight against the
//! use cases ([`roster_testkit::service::TestService`]) on SQLite and, when reachable (always
//! under `CI=true`), PostgreSQL. One file per capability; the work records add theirs.
#![allow(clippy::unwrap_used)]

mod prefetch;
mod records_calendars;
mod records_contact_tabs;
mod records_contacts;
mod records_projects;
mod records_tickets;
mod records_time;
mod records_todos;
mod records_workflow_runs;
mod records_workflows;
mod shared_reads;
mod team;
mod team_page_cache;
