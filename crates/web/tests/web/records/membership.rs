//! membership through HTTP.
