//! Property-based fuzz of template validation (issue 18): any subject and body an admin may type
//! is accepted or refused with a typed error (`TemplateError`, or one sentence for a workflow
//! step), never a panic or a hang, and what validation accepts renders.
#![allow(clippy::unwrap_used)]

use std::borrow::Cow;

use proptest::prelude::*;
use roster_mail::{TemplateName, TemplateSource, render_workflow_text, validate, validate_workflow_text};

/// Template-like text: tags, tokens and filters made likely.
fn template() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "([a-z ]{0,8}|\\{\\{ ?[a-z_.]{0,20} ?\\}\\}|\\{% ?(if|for|set|raw|include|macro|endif|endfor) ?[a-z_ =.|]{0,20} ?%\\}|\\{#|#\\}|\\|[a-z]{0,8}|\\x00){0,12}",
        "(Hello|\\{\\{ contact.first_name \\}\\}|\\{\\{ member.first_name \\}\\}|\\{\\{ contact.nope \\}\\}| ){0,8}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn account_templates_validate_or_refuse(subject in template(), text in template(), which in 0..TemplateName::ALL.len()) {
        let name = TemplateName::ALL[which];
        let source = TemplateSource {
            subject: Cow::Owned(subject),
            text: Cow::Owned(text.clone()),
            html: Cow::Owned(format!("<p>{text}</p>")),
        };
        let _ = validate(name, &source);
    }

    #[test]
    fn workflow_text_validates_or_refuses_and_what_passes_renders(text in template()) {
        if validate_workflow_text(&text).is_ok() {
            let context = serde_json::json!({
                "contact": { "first_name": "Ann", "last_name": "Lee", "company": "Acme", "email": "ann@example.test" },
                "member": { "first_name": "Sam", "last_name": "Cole" },
                "account": { "name": "Studio" },
            });
            let _ = render_workflow_text(&text, &context);
        }
    }
}
