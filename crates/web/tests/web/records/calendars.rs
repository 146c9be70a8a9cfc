//! calendars through HTTP.
