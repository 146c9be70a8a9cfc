//! The caller's own profile, sessions and personal API tokens.
mod profile;
mod tokens;
