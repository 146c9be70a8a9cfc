//! Personal API tokens.
pub(crate) mod api_tokens;
