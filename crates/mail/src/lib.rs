//! Roster's email templates (R-MAIL-4): the built-in templates, the catalogue of tokens each one
//! may use, sample data for previews, sandboxed rendering and the validation of an account's
//! override before it is saved; and SMTP delivery: [`SmtpTarget`] (from `ROSTER_SMTP_URL`),
//! [`build_message`] and [`Mailer`], which sends one message and classifies failures as
//! [`SendError::Transient`] or [`SendError::Permanent`].
//!
//! Templates do no I/O: no file is read at run time (the built-in templates are compiled in), no
//! loader is set. The only I/O is [`Mailer`]'s, to the SMTP server. The outbox and the SMTP
//! worker live elsewhere: they call [`render`] with the context they built (links from
//! `ROSTER_PUBLIC_URL`), then [`Mailer::send`], and decide about retries.
//!
//! Rendering rules:
//! - the HTML body escapes every value; the subject and the text body do not;
//! - the subject is one line, at most [`MAX_SUBJECT_CHARS`] characters;
//! - a missing value renders as nothing, so `{% if portal.password %}…{% endif %}` disappears
//!   when there is no password (seed 004);
//! - every part is bounded in work ([`Limits::fuel`]) and in size ([`Limits::max_part_bytes`]).
#![deny(clippy::unwrap_used)]

mod catalogue;
mod egress;
mod engine;
mod location;
mod message;
mod render;
mod samples;
mod secrets;
mod source;
mod target;
mod transport;
mod validate;
mod workflow;

pub use catalogue::{Route, Secret, TemplateName, Token, UnknownTemplate};
pub use egress::{EgressError, SMTP_PORTS, check_port, is_public, resolve_public};
pub use location::Location;
pub use message::{AutoSubmitted, Outgoing, build_message, mailbox, with_address};
pub use render::{Limits, MAX_SUBJECT_CHARS, RenderError, RenderedEmail, render, render_with_limits};
pub use secrets::{HiddenSecret, hide_secrets, placeholders_present, reveal};
pub use source::{Part, TemplateSource};
pub use target::{Security, SmtpTarget};
pub use transport::{Mailer, SendError};
pub use validate::{MAX_SOURCE_BYTES, TemplateError, validate};
pub use workflow::{WORKFLOW_TOKENS, render_workflow_text, validate_workflow_text};
