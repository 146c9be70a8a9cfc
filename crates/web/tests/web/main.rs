//! The web crate's one integration-test binary: the API, the console and headless-browser
//! journeys, against a real server on port 0 (`roster_testkit::app::TestApp`), on SQLite and,
//! when reachable, PostgreSQL. One folder per capability; `isolation` and `transport` cut across.
#![allow(clippy::unwrap_used)]

mod accounts;
mod browser;
mod errors;
mod impersonation;
mod internal_identity;

mod invitations;
mod isolation;
mod jobs;
mod mail;
mod me;
mod nul_text;
mod openapi_truth;
mod records;
mod signin;
mod team;
mod transport;
