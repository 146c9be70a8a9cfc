//! What a template is made of: three parts, each a MiniJinja source.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

/// One part of an email template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// The subject line (plain text, one line).
    Subject,
    /// The `text/plain` body.
    Text,
    /// The `text/html` body (values are HTML-escaped).
    Html,
}

impl Part {
    /// All parts, in the order they are rendered and validated.
    pub const ALL: [Part; 3] = [Part::Subject, Part::Text, Part::Html];

    /// The stable id, as used for the fields of [`TemplateSource`] and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Subject => "subject",
            Part::Text => "text",
            Part::Html => "html",
        }
    }

    /// The name the part has inside the template engine; it decides the escaping.
    pub(crate) fn file_name(self) -> &'static str {
        match self {
            Part::Subject => "subject.txt",
            Part::Text => "body.txt",
            Part::Html => "body.html",
        }
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Part::Subject => "subject",
            Part::Text => "text body",
            Part::Html => "HTML body",
        })
    }
}

/// The source of one email template: a built-in one ([`TemplateName::builtin`]) or an account's
/// override (owned strings read from the database).
///
/// [`TemplateName::builtin`]: crate::TemplateName::builtin
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSource {
    /// Subject line template.
    pub subject: Cow<'static, str>,
    /// `text/plain` body template.
    pub text: Cow<'static, str>,
    /// `text/html` body template.
    pub html: Cow<'static, str>,
}

impl TemplateSource {
    /// A template from its three parts.
    pub fn new(
        subject: impl Into<Cow<'static, str>>,
        text: impl Into<Cow<'static, str>>,
        html: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self { subject: subject.into(), text: text.into(), html: html.into() }
    }

    /// The source of one part.
    pub fn part(&self, part: Part) -> &str {
        match part {
            Part::Subject => &self.subject,
            Part::Text => &self.text,
            Part::Html => &self.html,
        }
    }
}
