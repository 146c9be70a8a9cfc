//! membership on both backends.
