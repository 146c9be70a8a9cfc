//! Calendars and events (R-CAL-1).
