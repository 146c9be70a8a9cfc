//! Value types that parse, not validate: once you hold one, it is valid.
use std::fmt;

use serde::{Serialize, Serializer};
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
#[error("{0}")]
pub struct ParseError(pub &'static str);

fn no_control(s: &str) -> bool {
    !s.chars().any(char::is_control)
}

/// An email address, trimmed and lower-cased: two spellings of one address are one `Email`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim().to_lowercase();
        if s.is_empty() {
            return Err(ParseError("Enter an email address."));
        }
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ParseError("Enter a valid email address, like name@example.com."));
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err(ParseError("Enter a valid email address, like name@example.com."));
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
            return Err(ParseError("Enter a valid email address, like name@example.com."));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password as typed: 8 to 128 characters, no composition rules (PRODUCT.md §10).
/// Its `Debug` never shows the secret.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN: usize = 8;
    pub const MAX: usize = 128;

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let n = input.chars().count();
        if n < Self::MIN {
            return Err(ParseError("Use at least 8 characters."));
        }
        if n > Self::MAX {
            return Err(ParseError("Use at most 128 characters."));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A URL-safe account handle: 2–63 of `a-z`, `0-9` and inner hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim();
        let ok_chars = s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if s.len() < 2 || s.len() > 63 || !ok_chars || s.starts_with('-') || s.ends_with('-') {
            return Err(ParseError("Use 2 to 63 lower-case letters, digits or inner hyphens, like acme-studio."));
        }
        Ok(Self(s.to_owned()))
    }

    /// Derives a slug from a display name ("Acme Studio" → "acme-studio").
    pub fn from_name(name: &str) -> Self {
        let mut out = String::new();
        for c in name.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            if out.len() >= 50 {
                break;
            }
        }
        let trimmed = out.trim_end_matches('-');
        let base = if trimmed.len() < 2 { "account" } else { trimmed };
        Self(base.to_owned())
    }

    /// The same slug with a numeric suffix, for resolving a clash.
    pub fn with_suffix(&self, n: u32) -> Self {
        Self(format!("{}-{n}", self.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's first or last name: trimmed, 1–100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ParseError("Enter a name."));
        }
        if s.chars().count() > 100 || !no_control(s) {
            return Err(ParseError("Use at most 100 characters, without control characters."));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An account's display name: trimmed, 1–100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountName(String);

impl AccountName {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ParseError("Enter the account's name."));
        }
        if s.chars().count() > 100 || !no_control(s) {
            return Err(ParseError("Use at most 100 characters, without control characters."));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a person types to sign in: an email address or a username (R-AUTH-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    Email(Email),
    Username(String),
}

impl Login {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ParseError("Enter your email or username."));
        }
        if s.contains('@') {
            return Email::parse(s).map(Login::Email);
        }
        if s.len() > 64 || !no_control(s) {
            return Err(ParseError("Enter your email or username."));
        }
        Ok(Login::Username(s.to_lowercase()))
    }
}

macro_rules! serialize_as_str {
    ($($t:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}
serialize_as_str!(Email, Slug, PersonName, AccountName);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_case_insensitive_and_trimmed() {
        let a = Email::parse("  Ada@Example.COM ").expect("valid");
        assert_eq!(a, Email::parse("ada@example.com").expect("valid"));
        assert_eq!(a.as_str(), "ada@example.com");
    }

    #[test]
    fn email_rejects_garbage() {
        for bad in ["", "ada", "ada@", "@example.com", "a b@example.com", "ada@example", "ada@.com", "a@b..com"] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn password_length_bounds_count_characters() {
        assert!(Password::parse("1234567").is_err());
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse(&"é".repeat(128)).is_ok());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        assert_eq!(format!("{:?}", Password::parse("secret-words").expect("valid")), "Password(***)");
    }

    #[test]
    fn slug_from_name() {
        assert_eq!(Slug::from_name("Acme Studio").as_str(), "acme-studio");
        assert_eq!(Slug::from_name("  Ça va? !!").as_str(), "a-va");
        assert_eq!(Slug::from_name("!!").as_str(), "account");
        assert!(Slug::parse("-bad").is_err());
        assert!(Slug::parse("Bad").is_err());
        assert!(Slug::parse("good-1").is_ok());
    }

    #[test]
    fn names_are_bounded() {
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse(&"x".repeat(101)).is_err());
        assert!(PersonName::parse("a\u{0}b").is_err());
        assert_eq!(PersonName::parse(" Ada ").expect("valid").as_str(), "Ada");
    }

    #[test]
    fn login_is_email_or_username() {
        assert!(matches!(Login::parse("Ada@Example.com"), Ok(Login::Email(_))));
        assert_eq!(Login::parse("AdaL").ok(), Some(Login::Username("adal".into())));
    }
}
