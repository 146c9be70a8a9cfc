//! contacts on both backends.
