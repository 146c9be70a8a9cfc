//! calendars on both backends.
