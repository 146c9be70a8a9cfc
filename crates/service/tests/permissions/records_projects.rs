//! The projects visibility matrix below HTTP.
