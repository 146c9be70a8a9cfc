//! The calendars visibility matrix below HTTP.
