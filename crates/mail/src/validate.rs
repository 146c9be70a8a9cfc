//! Checking an account's override before it is saved: it must parse, use only the tokens of its
//! template, and render the template's sample data within the limits.

use std::collections::BTreeSet;

use crate::catalogue::{TemplateName, Token};
use crate::engine::{environment, to_value};
use crate::location::{Location, at};
use crate::render::{Limits, RenderError, message, render_part};
use crate::source::{Part, TemplateSource};

/// The largest source accepted for one part of an override, in bytes.
pub const MAX_SOURCE_BYTES: usize = 64 * 1024;

/// Why an override cannot be saved. Each names the part at fault and, where it can, the line
/// and column, for the editor to point at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// The part is empty or only whitespace.
    #[error("{part}: it is empty")]
    Empty {
        /// The empty part.
        part: Part,
    },
    /// The part's source is longer than [`MAX_SOURCE_BYTES`].
    #[error("{part}: the template is longer than {limit} bytes")]
    SourceTooLarge {
        /// The part too long.
        part: Part,
        /// The limit in bytes.
        limit: usize,
    },
    /// The part does not parse.
    #[error("{part}{}: {message}", at(.location))]
    Syntax {
        /// The broken part.
        part: Part,
        /// Where MiniJinja stopped.
        location: Option<Location>,
        /// MiniJinja's explanation, e.g. "unexpected end of block".
        message: String,
    },
    /// The part uses a name that is not one of the template's tokens (a typo such as
    /// `{{ user.frist_name }}` would otherwise render as nothing).
    #[error("{part}{}: unknown token `{token}`; this template can use {}", at(.location), token_list(.known))]
    UnknownToken {
        /// The part using it.
        part: Part,
        /// The name as the template uses it, e.g. `user.frist_name`.
        token: String,
        /// Its first use, when it can be found in the source.
        location: Option<Location>,
        /// The tokens the template may use.
        known: &'static [Token],
    },
    /// Rendering the template's sample data failed (an unknown filter, `1 + 'a'`, too much
    /// work or output…).
    #[error(transparent)]
    Render(#[from] RenderError),
}

impl TemplateError {
    /// The part at fault.
    pub fn part(&self) -> Part {
        match self {
            TemplateError::Empty { part }
            | TemplateError::SourceTooLarge { part, .. }
            | TemplateError::Syntax { part, .. }
            | TemplateError::UnknownToken { part, .. } => *part,
            TemplateError::Render(e) => e.part(),
        }
    }

    /// Where in the part, when known.
    pub fn location(&self) -> Option<Location> {
        match self {
            TemplateError::Syntax { location, .. } | TemplateError::UnknownToken { location, .. } => *location,
            TemplateError::Render(RenderError::Syntax { location, .. } | RenderError::Failed { location, .. }) => {
                *location
            }
            _ => None,
        }
    }
}

fn token_list(tokens: &[Token]) -> String {
    tokens.iter().map(|t| format!("`{}`", t.name)).collect::<Vec<_>>().join(", ")
}

/// Checks an override of template `name` before it is saved, part by part (subject, text,
/// HTML): each must be non-empty and not too long, parse, use only `name`'s tokens (or the
/// engine's harmless globals such as `range`), and render `name`'s sample context within the
/// default [`Limits`]. Answers the first problem found.
pub fn validate(name: TemplateName, source: &TemplateSource) -> Result<(), TemplateError> {
    let limits = Limits::default();
    let env = environment(limits.fuel).map_err(|e| RenderError::Failed {
        part: Part::Subject,
        location: None,
        message: message(&e),
    })?;
    let globals: BTreeSet<String> = env.globals().map(|(k, _)| k.to_owned()).collect();

    for part in Part::ALL {
        let text = source.part(part);
        if text.trim().is_empty() {
            return Err(TemplateError::Empty { part });
        }
        if text.len() > MAX_SOURCE_BYTES {
            return Err(TemplateError::SourceTooLarge { part, limit: MAX_SOURCE_BYTES });
        }
        let compiled = env.template_from_named_str(part.file_name(), text).map_err(|e| TemplateError::Syntax {
            part,
            location: Location::of_error(text, &e),
            message: message(&e),
        })?;
        // The earliest in the source is reported (names not found in it come last, by name).
        let unknown = compiled
            .undeclared_variables(true)
            .into_iter()
            .filter(|u| !globals.contains(u) && !is_known(name, u))
            .map(|u| (first_use(text, &u), u))
            .min_by(|(la, a), (lb, b)| {
                let key = |l: &Option<Location>| l.map_or((usize::MAX, usize::MAX), |l| (l.line, l.column));
                key(la).cmp(&key(lb)).then_with(|| a.cmp(b))
            });
        if let Some((location, token)) = unknown {
            return Err(TemplateError::UnknownToken { part, token, location, known: name.tokens() });
        }
    }

    let ctx = to_value(&name.sample_context());
    for part in Part::ALL {
        render_part(&env, part, source, &ctx, limits)?;
    }
    Ok(())
}

/// Whether `used` (as MiniJinja lists it: `user.first_name`, `portal`, or
/// `user.first_name.upper` for a method call) is a token, the object holding one, or a
/// lookup on one.
fn is_known(name: TemplateName, used: &str) -> bool {
    name.tokens().iter().any(|t| {
        t.name == used
            || t.name.strip_prefix(used).is_some_and(|rest| rest.starts_with('.'))
            || used.strip_prefix(t.name).is_some_and(|rest| rest.starts_with('.'))
    })
}

/// The first place `token` appears in `source` as a whole name (not inside a longer one).
fn first_use(source: &str, token: &str) -> Option<Location> {
    let is_name_char = |c: char| c.is_alphanumeric() || c == '_';
    source.match_indices(token).find_map(|(i, _)| {
        let before = source[..i].chars().next_back();
        let after = source[i + token.len()..].chars().next();
        let whole = !before.is_some_and(|c| is_name_char(c) || c == '.') && !after.is_some_and(is_name_char);
        whole.then(|| Location::at_offset(source, i))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_their_objects_and_lookups_on_them_are_known() {
        let name = TemplateName::PortalLink;
        assert!(is_known(name, "portal.password"));
        assert!(is_known(name, "portal"));
        assert!(is_known(name, "contact.first_name.upper"));
        assert!(!is_known(name, "port"));
        assert!(!is_known(name, "portal.pass"));
        assert!(!is_known(name, "user.first_name"));
    }

    #[test]
    fn first_use_skips_longer_names() {
        let src = "{{ user.first_names }}\n  {{ user.first_name }}";
        assert_eq!(first_use(src, "user.first_name"), Some(Location { line: 2, column: 6 }));
        assert_eq!(first_use(src, "nobody"), None);
    }
}
