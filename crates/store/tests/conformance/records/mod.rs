//! The work records' tables and queries on both backends, one file per kind.
mod calendars;
mod contacts;
mod membership;
mod projects;
mod seed;
mod todos;
