//! The sandboxed MiniJinja environment and the pieces around it: how values are printed, how
//! the context is handed over, and the writer that caps the output.
//!
//! Sandbox: no loader, no custom functions, no I/O. The only templates an environment knows by
//! name are the two compiled-in layouts, [`BASE_HTML`] and [`BASE_TEXT`] (decision 0053), so
//! `extends`, `include` and `import` reach those and nothing else; macros stay compiled out.
//! Work is bounded by fuel (shared by a part and its layout), output by [`CappedWriter`],
//! recursion by MiniJinja's own limit.

use std::io;

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Error, Output, State, UndefinedBehavior, escape_formatter};

use crate::source::Part;

/// The layout every built-in HTML body extends: `{% extends "base.html" %}`, filling the blocks
/// `title` and `content`. An account's override may extend it too, or be a whole document.
pub(crate) const BASE_HTML: (&str, &str) = ("base.html", include_str!("../templates/base.html"));

/// The layout every built-in text body extends: `{% extends "base.txt" %}`, filling `content`.
pub(crate) const BASE_TEXT: (&str, &str) = ("base.txt", include_str!("../templates/base.txt"));

/// A fresh sandboxed environment with `fuel` per render.
///
/// Built per render: MiniJinja ties an environment to the lifetime of the sources it compiles,
/// and overrides are short-lived strings. Building one costs a few allocations.
pub(crate) fn environment<'s>(fuel: u64) -> Result<Environment<'s>, Error> {
    let mut env = Environment::new();
    // Block tags on their own line leave no blank line behind, so a section that disappears
    // (`{% if portal.password %}…{% endif %}`) leaves no gap in the text body. A part keeps its
    // final newline, so bodies end with one.
    env.set_syntax(SyntaxConfig::builder().trim_blocks(true).lstrip_blocks(true).keep_trailing_newline(true).build()?);
    // Missing values, at any depth, render as nothing and count as false in `{% if %}`.
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.set_auto_escape_callback(auto_escape_for);
    env.set_formatter(format_value);
    env.set_fuel(Some(fuel));
    // The layouts, compiled in; nothing else can be named by `extends`, `include` or `import`.
    for (name, source) in [BASE_HTML, BASE_TEXT] {
        env.add_template(name, source)?;
    }
    // Errors carry line and byte range either way; debug mode would also copy the source and
    // the context into each error. Off, so debug and release builds answer alike.
    env.set_debug(false);
    // `|safe` would let a value through unescaped; `debug()` would print the whole context.
    env.remove_filter("safe");
    env.remove_global("debug");
    Ok(env)
}

/// Whether the template named `name` is HTML: the HTML body and its layout.
fn is_html(name: &str) -> bool {
    name == Part::Html.file_name() || name == BASE_HTML.0
}

/// HTML escaping for the HTML body and its layout, none for the subject and the text body.
fn auto_escape_for(name: &str) -> AutoEscape {
    if is_html(name) { AutoEscape::Html } else { AutoEscape::None }
}

/// Prints one `{{ value }}`.
///
/// - `none` and undefined print nothing (JSON `null` means "not there").
/// - In the HTML body (and its layout) every value not already marked safe is escaped, whatever the template's
///   `{% autoescape %}` blocks say, so values from users can never become markup.
/// - `/` is not escaped (MiniJinja's HTML escaping does it), so links stay readable.
fn format_value(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    if value.is_none() || value.is_undefined() {
        return Ok(());
    }
    if !is_html(state.name()) {
        return escape_formatter(out, state, value);
    }
    if value.is_safe() {
        return escape_formatter(out, state, value);
    }
    out.write_str(&escape_html(&value.to_string()))?;
    Ok(())
}

/// `text` HTML-escaped the way the HTML body prints values (`/` left as is).
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['&', '<', '>', '"', '\'']) {
        out.push_str(&rest[..i]);
        out.push_str(match rest.as_bytes()[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    out
}

/// The render context: a JSON value as a MiniJinja value.
///
/// Converted by hand, which spares MiniJinja's `serde` feature: objects become maps, arrays
/// sequences, `null` is `none`.
pub(crate) fn to_value(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::from(()),
        serde_json::Value::Bool(b) => Value::from(*b),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Value::from(i),
            (None, Some(u), _) => Value::from(u),
            (None, None, Some(f)) => Value::from(f),
            (None, None, None) => Value::from(n.to_string()),
        },
        serde_json::Value::String(s) => Value::from(s.as_str()),
        serde_json::Value::Array(items) => Value::from(items.iter().map(to_value).collect::<Vec<_>>()),
        serde_json::Value::Object(map) => Value::from_pairs(map.iter().map(|(k, v)| (k.as_str(), to_value(v)))),
    }
}

/// A writer that refuses to grow past `limit` bytes.
pub(crate) struct CappedWriter {
    buf: Vec<u8>,
    limit: usize,
    /// Set when a write was refused.
    pub(crate) overflowed: bool,
}

impl CappedWriter {
    pub(crate) fn new(limit: usize) -> Self {
        Self { buf: Vec::new(), limit, overflowed: false }
    }

    /// The bytes written so far.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

impl io::Write for CappedWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.buf.len().saturating_add(data.len()) > self.limit {
            self.overflowed = true;
            return Err(io::Error::other("email part too large"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_context_converts_every_kind() {
        let json =
            serde_json::json!({ "s": "x", "i": -3, "u": u64::MAX, "f": 1.5, "b": true, "n": null, "a": [1, "two"] });
        let env = environment(10_000).expect("environment");
        let out = env
            .render_str("{{ s }}|{{ i }}|{{ u }}|{{ f }}|{{ b }}|{{ n }}|{{ a[1] }}|{{ a|length }}", to_value(&json))
            .expect("renders");
        assert_eq!(out, format!("x|-3|{}|1.5|True||two|2", u64::MAX));
    }
}
