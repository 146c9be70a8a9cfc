//! Property-based fuzz of the input parsers (issue 18): whatever the text, a parser answers a
//! value or a typed refusal (`ParseError`), never a panic; what it accepts holds no NUL or
//! other control character and parses again to itself.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use roster_core::new_password;
use roster_core::types::{AccountName, Email, Login, Password, PersonName, Slug};

/// Arbitrary text, with the characters that break naive parsers made likely.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9@._+\\-\\x00\\n\\r\\t \"'<>,;:\\\\%\u{200b}\u{feff}é]{0,80}",
        "[a-z]{1,20}@[a-z]{1,20}\\.[a-z]{2,6}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn email_parses_or_refuses_and_round_trips(s in text()) {
        if let Ok(e) = Email::parse(&s) {
            prop_assert!(!e.as_str().chars().any(char::is_control), "{:?}", e.as_str());
            let again = Email::parse(e.as_str()).unwrap();
            prop_assert_eq!(again.as_str(), e.as_str());
        }
    }

    #[test]
    fn names_parse_or_refuse_without_control_characters(s in text()) {
        if let Ok(n) = PersonName::parse(&s) {
            prop_assert!(!n.as_str().chars().any(char::is_control));
            let again = PersonName::parse(n.as_str()).unwrap();
            prop_assert_eq!(again.as_str(), n.as_str());
        }
        if let Ok(n) = AccountName::parse(&s) {
            prop_assert!(!n.as_str().chars().any(char::is_control));
        }
        if let Ok(n) = Slug::parse(&s) {
            let again = Slug::parse(n.as_str()).unwrap();
            prop_assert_eq!(again.as_str(), n.as_str());
        }
        let _ = Login::parse(&s);
    }

    #[test]
    fn passwords_parse_or_refuse(s in text(), email in text(), name in text()) {
        let _ = Password::parse(&s);
        let _ = new_password(&s, Some(&email), &[&name]);
    }
}
