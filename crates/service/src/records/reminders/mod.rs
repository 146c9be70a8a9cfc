//! Daily reminders (R-MAIL-5).
