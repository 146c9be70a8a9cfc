//! Rendering a template with a context into the three parts of an email.

use minijinja::{Environment, ErrorKind};
use serde::Serialize;

use crate::engine::{CappedWriter, environment, to_value};
use crate::location::{Location, at};
use crate::source::{Part, TemplateSource};

/// The longest subject, in characters; a longer one is cut and ends with `…`.
pub const MAX_SUBJECT_CHARS: usize = 200;

/// What one render may use, per part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// MiniJinja fuel: about one unit per instruction and per 64 bytes of data made. Bounds
    /// both time and memory. The built-in templates use a few hundred.
    pub fuel: u64,
    /// The largest rendered part, in bytes.
    pub max_part_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { fuel: 50_000, max_part_bytes: 256 * 1024 }
    }
}

/// A rendered email, ready to be put in a multipart/alternative message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenderedEmail {
    /// One line, trimmed, at most [`MAX_SUBJECT_CHARS`] characters, never HTML-escaped.
    pub subject: String,
    /// The `text/plain` body, never HTML-escaped.
    pub text: String,
    /// The `text/html` body, every value HTML-escaped.
    pub html: String,
}

/// Why a template could not be rendered. Each names the part at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The source does not parse (an override saved without [`validate`](crate::validate)).
    #[error("{part}{}: syntax error: {message}", at(.location))]
    Syntax {
        /// The broken part.
        part: Part,
        /// Where, when known.
        location: Option<Location>,
        /// MiniJinja's explanation.
        message: String,
    },
    /// The part used up its fuel (a loop too long, a string too big).
    #[error("{part}: the template does too much work (more than {fuel} fuel)")]
    OutOfFuel {
        /// The part that ran out.
        part: Part,
        /// The budget it had.
        fuel: u64,
    },
    /// The part's output grew past the limit.
    #[error("{part}: the rendered text is larger than {limit} bytes")]
    TooLarge {
        /// The part too large.
        part: Part,
        /// The limit in bytes.
        limit: usize,
    },
    /// Any other failure while rendering (a filter that does not exist, `1 + 'a'`…).
    #[error("{part}{}: {message}", at(.location))]
    Failed {
        /// The part that failed.
        part: Part,
        /// Where, when known.
        location: Option<Location>,
        /// MiniJinja's explanation.
        message: String,
    },
}

impl RenderError {
    /// The part at fault.
    pub fn part(&self) -> Part {
        match self {
            RenderError::Syntax { part, .. }
            | RenderError::OutOfFuel { part, .. }
            | RenderError::TooLarge { part, .. }
            | RenderError::Failed { part, .. } => *part,
        }
    }
}

/// Renders `template` with `ctx` under the default [`Limits`].
///
/// The HTML body escapes every value; the subject and the text body are left as they are, and
/// the subject is made one line ([`MAX_SUBJECT_CHARS`] at most). A missing or `null` value
/// renders as nothing and is false in `{% if %}`.
pub fn render(template: &TemplateSource, ctx: &serde_json::Value) -> Result<RenderedEmail, RenderError> {
    render_with_limits(template, ctx, Limits::default())
}

/// [`render`] under the given limits.
pub fn render_with_limits(
    template: &TemplateSource,
    ctx: &serde_json::Value,
    limits: Limits,
) -> Result<RenderedEmail, RenderError> {
    let env = environment(limits.fuel).map_err(|e| RenderError::Failed {
        part: Part::Subject,
        location: None,
        message: message(&e),
    })?;
    let ctx = to_value(ctx);
    let subject = render_part(&env, Part::Subject, template, &ctx, limits)?;
    Ok(RenderedEmail {
        subject: single_line(&subject),
        text: render_part(&env, Part::Text, template, &ctx, limits)?,
        html: render_part(&env, Part::Html, template, &ctx, limits)?,
    })
}

/// Renders one part into a capped buffer.
pub(crate) fn render_part<'s>(
    env: &Environment<'s>,
    part: Part,
    template: &'s TemplateSource,
    ctx: &minijinja::Value,
    limits: Limits,
) -> Result<String, RenderError> {
    let source = template.part(part);
    let compiled = env.template_from_named_str(part.file_name(), source).map_err(|e| RenderError::Syntax {
        part,
        location: Location::of_error(source, &e),
        message: message(&e),
    })?;
    let mut out = CappedWriter::new(limits.max_part_bytes);
    let rendered = compiled.render_captured_to(ctx.clone(), &mut out);
    if out.overflowed {
        return Err(RenderError::TooLarge { part, limit: limits.max_part_bytes });
    }
    if let Err(e) = rendered {
        return Err(match e.kind() {
            ErrorKind::OutOfFuel => RenderError::OutOfFuel { part, fuel: limits.fuel },
            _ => RenderError::Failed { part, location: Location::of_error(source, &e), message: message(&e) },
        });
    }
    // MiniJinja writes whole `str`s and the writer takes or refuses each write whole.
    String::from_utf8(out.into_bytes()).map_err(|_| RenderError::Failed {
        part,
        location: None,
        message: "the output is not valid UTF-8".to_owned(),
    })
}

/// A MiniJinja error's own words, without the template name and line it would add.
pub(crate) fn message(err: &minijinja::Error) -> String {
    err.detail().map_or_else(|| err.kind().to_string(), str::to_owned)
}

/// Makes a rendered subject one header-safe line: control characters (newlines included) and
/// runs of whitespace become one space, the ends are trimmed, and it is cut at
/// [`MAX_SUBJECT_CHARS`] characters with a trailing `…`.
pub(crate) fn single_line(subject: &str) -> String {
    let spaced: String = subject.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let line = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= MAX_SUBJECT_CHARS {
        return line;
    }
    let mut cut: String = line.chars().take(MAX_SUBJECT_CHARS - 1).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_becomes_one_trimmed_line() {
        assert_eq!(single_line("  Hello\r\nBcc: x@example.com\t\u{0}there \n"), "Hello Bcc: x@example.com there");
    }

    #[test]
    fn long_subject_is_cut_with_an_ellipsis() {
        let cut = single_line(&"word ".repeat(100));
        assert_eq!(cut.chars().count(), MAX_SUBJECT_CHARS);
        assert!(cut.ends_with("word…"), "{cut}");
    }
}
