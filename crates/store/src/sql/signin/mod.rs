//! Logins, sessions, reset links, pending registrations and the sign-in throttle.
pub(crate) mod password_resets;
pub(crate) mod registrations;
pub(crate) mod sessions;
pub(crate) mod throttle;
pub(crate) mod users;
