//! What a signed-in person does for themselves: profile, preferences, sessions and API tokens.

pub(crate) mod profile;
pub(crate) mod tokens;
