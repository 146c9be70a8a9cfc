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

/// Unicode's format characters (general category Cf, Unicode 15.1), bidi controls included:
/// invisible, and able to reorder or hide what a name shows (`U+202E` turns "Ann\u{202E}gpj.exe"
/// into "Annexe.jpg" on screen).
fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

/// True when `s` can be shown as people read it (PRODUCT.md §10): no control characters, no line
/// or paragraph separators, no bidi controls and no other format characters. The zero-width
/// (non-)joiner is kept between two letters, where Persian and Indic names need it (decision
/// 0024); anywhere else it is refused.
pub fn is_plain_text(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    chars.iter().enumerate().all(|(i, &c)| {
        if c == '\u{200C}' || c == '\u{200D}' {
            let letter = |j: Option<usize>| j.and_then(|j| chars.get(j)).is_some_and(|c| c.is_alphabetic());
            return letter(i.checked_sub(1)) && letter(Some(i + 1));
        }
        !(c.is_control() || c == '\u{2028}' || c == '\u{2029}' || is_format(c))
    })
}

/// The sentence for a name that [`is_plain_text`] refuses.
pub const NOT_PLAIN_TEXT: &str =
    "Use letters, digits, spaces and punctuation only: no control, direction or other invisible characters.";

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
        if s.chars().count() > 100 {
            return Err(ParseError("Use at most 100 characters."));
        }
        if !is_plain_text(s) {
            return Err(ParseError(NOT_PLAIN_TEXT));
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
        if s.chars().count() > 100 {
            return Err(ParseError("Use at most 100 characters."));
        }
        if !is_plain_text(s) {
            return Err(ParseError(NOT_PLAIN_TEXT));
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
    fn names_refuse_bidi_and_other_format_characters() {
        for bad in [
            "Ann\u{202E}gpj.exe",
            "a\u{202A}b",
            "a\u{2066}b",
            "a\u{2069}",
            "\u{200E}Ada",
            "Ada\u{200F}",
            "a\u{061C}b",
            "zero\u{200B}width",
            "bom\u{FEFF}",
            "soft\u{00AD}hyphen",
            "tag\u{E0041}",
            "line\u{2028}break",
            "\u{200D}Ada",
            "Ada \u{200C}",
        ] {
            assert!(PersonName::parse(bad).is_err(), "{bad:?} should be refused");
            assert!(AccountName::parse(bad).is_err(), "{bad:?} should be refused");
        }
        for good in ["Zoë", "José María", "O'Brien-Smith", "李小龙", "محمدی\u{200C}پور", "Renée (Acme)"]
        {
            assert!(PersonName::parse(good).is_ok(), "{good:?} should be accepted");
        }
    }

    #[test]
    fn login_is_email_or_username() {
        assert!(matches!(Login::parse("Ada@Example.com"), Ok(Login::Email(_))));
        assert_eq!(Login::parse("AdaL").ok(), Some(Login::Username("adal".into())));
    }
}
