//! Test helpers: fresh databases on either backend, a running app, an SMTP sink.
#![allow(clippy::unwrap_used)]
pub mod app;
pub mod db;
pub mod smtp;
pub use db::*;
