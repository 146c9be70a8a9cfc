//! todos through HTTP.
