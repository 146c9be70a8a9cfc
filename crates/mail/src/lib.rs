//! Roster's email templates (R-MAIL-4): the built-in templates, the catalogue of tokens each one
//! may use, sample data for previews, sandboxed rendering and the validation of an account's
//! override before it is saved.
//!
//! No I/O lives here: no file is read at run time (the built-in templates are compiled in), no
//! loader is set, nothing is sent. The outbox and the SMTP worker live elsewhere and call
//! [`render`] with the context they built (links from `ROSTER_PUBLIC_URL`).
//!
//! Rendering rules:
//! - the HTML body escapes every value; the subject and the text body do not;
//! - the subject is one line, at most [`MAX_SUBJECT_CHARS`] characters;
//! - a missing value renders as nothing, so `{% if portal.password %}…{% endif %}` disappears
//!   when there is no password (seed 004);
//! - every part is bounded in work ([`Limits::fuel`]) and in size ([`Limits::max_part_bytes`]).
#![deny(clippy::unwrap_used)]

mod catalogue;
mod engine;
mod location;
mod render;
mod samples;
mod source;
mod validate;

pub use catalogue::{TemplateName, Token, UnknownTemplate};
pub use location::Location;
pub use render::{Limits, MAX_SUBJECT_CHARS, RenderError, RenderedEmail, render, render_with_limits};
pub use source::{Part, TemplateSource};
pub use validate::{MAX_SOURCE_BYTES, TemplateError, validate};
