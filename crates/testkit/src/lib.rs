//! Test helpers: fresh databases on either backend, a running app ([`app::TestApp`]), the use
//! cases below HTTP ([`service::TestService`]), an SMTP sink.
#![allow(clippy::unwrap_used)]
pub mod app;
pub mod db;
pub mod service;
pub mod smtp;
pub use db::*;
