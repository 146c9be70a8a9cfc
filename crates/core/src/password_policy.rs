//! Which new passwords are accepted (PRODUCT.md §10, issue "Sign-in"): 8 to 128 characters, no
//! composition rules, but not a common password and not the person's own email address.
//!
//! "Common" is judged with zxcvbn's data (its list of 30,000 most used passwords, with case,
//! l33t substitutions and reversal taken into account): a password that is, as a whole, one
//! entry of that list is refused, and so is one zxcvbn scores 0 (fewer than about 1,000 guesses:
//! `aaaaaaaa`, `12345678`, `qwertyui`). Anything longer and less guessable is accepted, however
//! it is composed.
use crate::types::{ParseError, Password};

/// A new password for a person with this email (and names, which zxcvbn also treats as
/// guessable), or why it is refused, in words for the form.
pub fn new_password(input: &str, email: Option<&str>, names: &[&str]) -> Result<Password, ParseError> {
    let password = Password::parse(input)?;
    let typed = input.trim().to_lowercase();
    if let Some(email) = email.map(str::to_lowercase) {
        let local = email.split('@').next().unwrap_or_default();
        if typed == email || (local.chars().count() >= 4 && typed == local) {
            return Err(ParseError("Choose a password that is not your email address."));
        }
    }
    if is_common(input, email, names) {
        return Err(ParseError("This password is too common; choose a few unrelated words instead."));
    }
    Ok(password)
}

fn is_common(input: &str, email: Option<&str>, names: &[&str]) -> bool {
    let mut inputs: Vec<&str> = names.to_vec();
    if let Some(e) = email {
        inputs.push(e);
        inputs.extend(e.split('@').next());
    }
    let entropy = zxcvbn::zxcvbn(input, &inputs);
    if entropy.score() == zxcvbn::Score::Zero {
        return true;
    }
    let whole = input.chars().count();
    match entropy.sequence() {
        [only] => match &only.pattern {
            // zxcvbn does not export the dictionary type's name, only its `Debug`.
            zxcvbn::matching::patterns::MatchPattern::Dictionary(d) => {
                only.i == 0 && only.j + 1 == whole && format!("{:?}", d.dictionary_name) == "Passwords"
            }
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_passwords_are_refused_in_any_case_and_l33t() {
        for pw in ["password", "PASSWORD", "P@ssw0rd", "iloveyou", "sunshine", "12345678", "qwertyuiop", "aaaaaaaa"] {
            assert!(new_password(pw, None, &[]).is_err(), "{pw} should be refused");
        }
    }

    #[test]
    fn long_or_unusual_passwords_are_accepted_without_composition_rules() {
        for pw in ["correct horse battery", "harbor violet tangerine", "vintage-lamp-orbit", "zq8#Lm2!xr"] {
            assert!(new_password(pw, None, &[]).is_ok(), "{pw} should be accepted");
        }
    }

    #[test]
    fn the_email_or_its_name_part_is_refused() {
        let email = Some("grace.hopper@example.com");
        assert!(new_password("Grace.Hopper@example.com", email, &[]).is_err());
        assert!(new_password("grace.hopper", email, &[]).is_err());
        assert!(new_password("correct horse battery", email, &[]).is_ok());
    }

    #[test]
    fn length_is_still_checked() {
        assert!(new_password("short", None, &[]).is_err());
        assert!(new_password(&"x y z ".repeat(30), None, &[]).is_err());
    }
}
