//! The work records through HTTP: API and console, one file per kind.
mod calendars;
mod contacts;
mod demo;
mod membership;
mod projects;
mod todos;
