//! Signing in: the console session, identity and registration, resets, throttling, the account chooser (R-AUTH).
mod chooser;
mod console;
mod identity;
mod register;
mod reset;
mod throttle;
