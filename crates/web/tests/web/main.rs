//! The web crate's one integration-test binary: the API, the console and a headless-browser
//! journey, against a real server on port 0 (`roster_testkit::spawn_app`). The backend is
//! SQLite, or PostgreSQL with `ROSTER_TEST_BACKEND=postgres`.
#![allow(clippy::unwrap_used)]

mod add_member;
mod api;
mod audit;
mod browser;
mod browser_identity;
mod browser_journeys;
mod browser_shell;
mod browser_team;
mod chooser;
mod console;
mod console_mail;
mod console_team;
mod identity;
mod impersonate;
mod invitations;
mod isolation;
mod lifecycle;
mod mail;
mod mail_security;
mod me;
mod member_delete;
mod member_edit;
mod register;
mod reset;
mod roles;
mod signup;
mod throttle;
mod tokens;
mod transport;
mod users_import;
mod users_list;
