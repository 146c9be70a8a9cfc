//! The todos visibility matrix below HTTP.
