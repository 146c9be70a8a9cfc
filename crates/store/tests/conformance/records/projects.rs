//! projects on both backends.
