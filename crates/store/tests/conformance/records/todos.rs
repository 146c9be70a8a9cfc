//! todos on both backends.
