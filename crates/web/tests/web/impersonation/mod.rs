//! "Log in as" (R-IMP-1).
mod log_in_as;
