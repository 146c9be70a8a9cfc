//! The work records' tables and queries on both backends, one file per kind.
mod calendars;
mod contact_links;
mod contacts;
mod membership;
mod projects;
mod seed;
mod tickets;
mod time;
mod todos;
mod workflows;
