//! projects through HTTP.
