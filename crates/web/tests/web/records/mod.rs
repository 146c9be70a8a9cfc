//! The work records through HTTP: API and console, one file per kind.
mod bad_input;
mod calendars;
mod console_pages;
mod contacts;
mod demo;
mod membership;
mod projects;
mod reminders;
mod tickets;
mod time;
mod time_console;
mod todos;
mod workflows;
