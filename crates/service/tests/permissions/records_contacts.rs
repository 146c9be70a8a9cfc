//! The contacts visibility matrix below HTTP.
