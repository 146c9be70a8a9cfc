//! The subject and body of a workflow email step (R-WF-1): checked when the template is saved
//! with the same sandboxed environment as the account's email templates (no loader, fuel,
//! capped output), against the step tokens below.
use std::collections::BTreeSet;

use crate::engine::{environment, to_value};
use crate::location::Location;
use crate::render::{Limits, message};

/// What a workflow email may name: the run's contact and the step's member, and the account.
pub const WORKFLOW_TOKENS: &[&str] = &[
    "contact.first_name",
    "contact.last_name",
    "contact.email",
    "contact.company",
    "member.first_name",
    "member.last_name",
    "member.email",
    "account.name",
];

/// Checks one part (subject or body) of a workflow email: it parses, names only
/// [`WORKFLOW_TOKENS`] (or the engine's harmless globals), and renders sample values within the
/// default [`Limits`]. The error is one sentence for the form.
pub fn validate_workflow_text(text: &str) -> Result<(), String> {
    let limits = Limits::default();
    let env = environment(limits.fuel).map_err(|e| message(&e))?;
    let globals: BTreeSet<String> = env.globals().map(|(k, _)| k.to_owned()).collect();
    let compiled = env.template_from_named_str("workflow.txt", text).map_err(|e| {
        let at = Location::of_error(text, &e).map(|l| format!(" (line {}, column {})", l.line, l.column));
        format!("This does not parse{}: {}", at.unwrap_or_default(), message(&e))
    })?;
    let mut unknown: Vec<String> =
        compiled.undeclared_variables(true).into_iter().filter(|u| !globals.contains(u) && !is_known(u)).collect();
    unknown.sort();
    if let Some(token) = unknown.first() {
        return Err(format!("Unknown token `{token}`; use {}.", WORKFLOW_TOKENS.join(", ")));
    }
    let sample = serde_json::json!({
        "contact": {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "company": "Analytical Engines"},
        "member": {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com"},
        "account": {"name": "Example Co"},
    });
    let out = compiled.render(to_value(&sample)).map_err(|e| format!("This does not render: {}", message(&e)))?;
    if out.len() > limits.max_part_bytes {
        return Err("This renders too long.".to_owned());
    }
    Ok(())
}

/// Renders one part of a workflow email for a run's contact, member and account (`context`
/// holds `contact`, `member`, `account`), in the same sandbox; the error is one sentence for
/// the step's reason.
pub fn render_workflow_text(text: &str, context: &serde_json::Value) -> Result<String, String> {
    let limits = Limits::default();
    let env = environment(limits.fuel).map_err(|e| message(&e))?;
    let compiled = env
        .template_from_named_str("workflow.txt", text)
        .map_err(|e| format!("The text does not parse: {}", message(&e)))?;
    let out = compiled.render(to_value(context)).map_err(|e| format!("The text does not render: {}", message(&e)))?;
    if out.len() > limits.max_part_bytes {
        return Err("The text renders too long.".to_owned());
    }
    Ok(out)
}

fn is_known(used: &str) -> bool {
    WORKFLOW_TOKENS.iter().any(|t| {
        *t == used
            || t.strip_prefix(used).is_some_and(|rest| rest.starts_with('.'))
            || used.strip_prefix(*t).is_some_and(|rest| rest.starts_with('.'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_wf_1_known_tokens_pass_unknown_ones_and_bad_syntax_fail() {
        assert!(validate_workflow_text("Hello {{ contact.first_name }} from {{ member.first_name }}").is_ok());
        assert!(validate_workflow_text("{{ contact.first_name | upper }}").is_ok());
        let e = validate_workflow_text("Hi {{ contact.frist_name }}");
        assert!(e.as_ref().is_err_and(|e| e.contains("contact.frist_name")), "{e:?}");
        assert!(validate_workflow_text("{% if %}").is_err());
        assert!(validate_workflow_text("{{ secret }}").is_err());
    }
}
