//! The email templates (R-MAIL-4): snapshots of every built-in template with its sample data,
//! the base layout, escaping, the password section of seed 004, validation errors and the
//! sandbox's limits.
//!
//! Snapshots (insta) live in `tests/snapshots/templates__<name>.snap`: subject, text and HTML of
//! one email in one file. A missing or different snapshot fails the test; outside CI insta also
//! writes the new one next to it as `.snap.new` for review (`cargo insta review`, or
//! `INSTA_UPDATE=always cargo test -p roster-mail` to accept all). Under `CI=true` nothing is
//! written. Each part is followed directly by the next marker, so a lost or extra final newline
//! shows.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use roster_mail::{
    Limits, Location, MAX_SUBJECT_CHARS, Part, RenderError, RenderedEmail, TemplateError, TemplateName, TemplateSource,
    UnknownTemplate, render, render_with_limits, validate,
};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Snapshots

/// The three parts of `email` as one document, in the order a reader meets them.
fn document(email: &RenderedEmail) -> String {
    format!("--- subject ---\n{}\n--- text ---\n{}--- html ---\n{}--- end ---\n", email.subject, email.text, email.html)
}

fn render_sample(name: TemplateName) -> RenderedEmail {
    render(&name.builtin(), &name.sample_context()).unwrap()
}

macro_rules! snapshot_tests {
    ($($test:ident => $name:expr),* $(,)?) => {$(
        #[test]
        fn $test() {
            let name: TemplateName = $name;
            insta::assert_snapshot!(name.as_str(), document(&render_sample(name)));
        }
    )*};
}

snapshot_tests! {
    r_mail_4_snapshot_welcome => TemplateName::Welcome,
    r_mail_4_snapshot_invitation => TemplateName::Invitation,
    r_mail_4_snapshot_password_reset => TemplateName::PasswordReset,
    r_mail_4_snapshot_password_changed => TemplateName::PasswordChanged,
    r_mail_4_snapshot_impersonation_notice => TemplateName::ImpersonationNotice,
    r_mail_4_snapshot_portal_link => TemplateName::PortalLink,
    r_mail_4_snapshot_invitation_request => TemplateName::InvitationRequest,
    r_mail_4_snapshot_email_confirmation => TemplateName::EmailConfirmation,
    r_mail_4_snapshot_registration_attempt => TemplateName::RegistrationAttempt,
    r_arc_2_snapshot_access_restored => TemplateName::AccessRestored,
    r_mail_5_snapshot_daily_reminder => TemplateName::DailyReminder,
    r_tkt_1_snapshot_ticket_reply => TemplateName::TicketReply,
    r_wf_1_snapshot_workflow_email => TemplateName::WorkflowEmail,
}

#[test]
fn r_mail_4_snapshot_portal_link_without_a_password() {
    insta::assert_snapshot!("portal_link_without_password", document(&render_portal_link(Some(Value::Null))));
}

/// The welcome to a member whose creator set a password (R-ADD-2, decision 0053).
fn render_welcome_with_password() -> RenderedEmail {
    let mut ctx = TemplateName::Welcome.sample_context();
    ctx["password_set"] = json!(true);
    render(&TemplateName::Welcome.builtin(), &ctx).unwrap()
}

#[test]
fn r_add_2_snapshot_welcome_with_a_password() {
    insta::assert_snapshot!("welcome_with_password", document(&render_welcome_with_password()));
}

#[test]
fn every_template_has_a_snapshot_test() {
    // The list above is written out (one test per template, named in failures); this keeps it
    // whole when a template is added.
    let listed = include_str!("templates.rs")
        .lines()
        .filter(|l| l.trim_start().starts_with("r_") && l.contains(" => TemplateName::"))
        .count();
    assert_eq!(listed, TemplateName::ALL.len());
}

/// Every built-in body extends the layout (decision 0053): the page around the content is
/// written once, in `templates/base.{html,txt}`.
#[test]
fn builtin_bodies_extend_the_base_layout() {
    for name in TemplateName::ALL {
        let source = name.builtin();
        assert!(source.html.starts_with("{% extends \"base.html\" %}\n"), "{name}");
        assert!(source.text.starts_with("{% extends \"base.txt\" %}\n"), "{name}");
        assert!(!source.html.contains("<html") && !source.html.contains("<body"), "{name}");
        let email = render_sample(name);
        assert!(email.html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">\n"), "{name}");
        assert!(email.html.ends_with("</div>\n</body>\n</html>\n"), "{name}");
        assert!(email.text.ends_with('\n') && !email.text.ends_with("\n\n"), "{name}: {:?}", email.text);
    }
}

#[test]
fn r_mail_4_an_override_may_extend_the_base_or_stand_alone() {
    let ctx = json!({ "user": { "first_name": "<Ada>" }, "account": { "name": "Acme" } });
    let extending = TemplateSource::new(
        "Hi",
        "{% extends \"base.txt\" %}{% block content %}Hi {{ user.first_name }}\n{% endblock %}",
        "{% extends \"base.html\" %}{% block title %}{{ account.name }}{% endblock %}\
         {% block content %}<p>Hi {{ user.first_name }}</p>\n{% endblock %}",
    );
    let email = render(&extending, &ctx).unwrap();
    assert_eq!(email.text, "Hi <Ada>\n");
    assert!(email.html.starts_with("<!DOCTYPE html>"), "{}", email.html);
    assert!(email.html.contains("<title>Acme</title>") && email.html.contains("<p>Hi &lt;Ada&gt;</p>\n</div>"));
    assert_eq!(validate(TemplateName::Welcome, &extending), Ok(()));

    let whole = TemplateSource::new("Hi", "Hi {{ user.first_name }}", "<p>{{ user.first_name }}</p>");
    assert_eq!(render(&whole, &ctx).unwrap().html, "<p>&lt;Ada&gt;</p>");
    assert_eq!(validate(TemplateName::Welcome, &whole), Ok(()));

    // The layouts are the only names there are: no other template, no file.
    for name in ["body.html", "subject.txt", "/etc/passwd", "../templates/base.html", "welcome/body.html"] {
        let source = TemplateSource::new("s", format!("{{% include \"{name}\" %}}"), "h");
        assert!(matches!(render(&source, &ctx), Err(RenderError::Failed { part: Part::Text, .. })), "{name}");
    }
}

// ---------------------------------------------------------------------------------------------
// The catalogue

#[test]
fn template_names_round_trip_through_their_ids() {
    for name in TemplateName::ALL {
        assert_eq!(name.as_str().parse::<TemplateName>(), Ok(name));
        assert_eq!(name.to_string(), name.as_str());
        assert_eq!(serde_json::to_value(name).unwrap(), json!(name.as_str()));
    }
}

#[test]
fn unknown_template_name_does_not_parse() {
    assert_eq!("nope".parse::<TemplateName>(), Err(UnknownTemplate("nope".to_owned())));
    assert_eq!("Welcome".parse::<TemplateName>(), Err(UnknownTemplate("Welcome".to_owned())));
    assert_eq!(UnknownTemplate("nope".to_owned()).to_string(), "unknown email template `nope`");
}

/// The JSON value at a dotted path, if any.
fn lookup<'a>(ctx: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(ctx, |v, key| v.get(key))
}

#[test]
fn r_mail_4_every_token_is_described_and_filled_by_the_sample() {
    for name in TemplateName::ALL {
        let ctx = name.sample_context();
        for (i, token) in name.tokens().iter().enumerate() {
            assert!(!token.description.trim().is_empty(), "{name}: {} has no description", token.name);
            assert!(name.tokens()[..i].iter().all(|t| t.name != token.name), "{name}: {} is listed twice", token.name);
            let value = lookup(&ctx, token.name);
            assert!(value.is_some_and(|v| !v.is_null()), "{name}: the sample has no {}", token.name);
        }
    }
}

#[test]
fn r_mail_4_builtin_templates_pass_their_own_validation() {
    for name in TemplateName::ALL {
        assert_eq!(validate(name, &name.builtin()), Ok(()), "{name}");
    }
}

#[test]
fn r_mail_4_builtin_templates_take_links_from_the_context() {
    for name in TemplateName::ALL {
        let source = name.builtin();
        for part in Part::ALL {
            let text = source.part(part);
            assert!(!text.contains("http:") && !text.contains("https:"), "{name} {part} hard-codes a link");
        }
    }
}

#[test]
fn builtin_templates_render_well_within_the_fuel_budget() {
    let tenth = Limits { fuel: Limits::default().fuel / 10, ..Limits::default() };
    for name in TemplateName::ALL {
        render_with_limits(&name.builtin(), &name.sample_context(), tenth).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// Escaping

#[test]
fn r_mail_4_html_body_escapes_values_and_text_does_not() {
    let mut ctx = TemplateName::Welcome.sample_context();
    ctx["user"]["first_name"] = json!("<script>alert(1)</script>");
    ctx["account"]["name"] = json!("O'Brien & \"Sons\" <Ltd>");
    let email = render(&TemplateName::Welcome.builtin(), &ctx).unwrap();

    assert!(email.html.contains("Hello &lt;script&gt;alert(1)&lt;/script&gt;,"), "{}", email.html);
    assert!(email.html.contains("O&#39;Brien &amp; &quot;Sons&quot; &lt;Ltd&gt;"), "{}", email.html);
    assert!(!email.html.contains("<script>"));

    assert!(email.text.contains("Hello <script>alert(1)</script>,"), "{}", email.text);
    assert!(email.text.contains("O'Brien & \"Sons\" <Ltd>"), "{}", email.text);
    assert_eq!(email.subject, "Welcome to O'Brien & \"Sons\" <Ltd>");
}

#[test]
fn r_mail_4_links_keep_their_slashes_and_escape_ampersands_in_html() {
    let mut ctx = TemplateName::PasswordReset.sample_context();
    ctx["link"] = json!("https://roster.example.com/reset?token=a&next=/home");
    let email = render(&TemplateName::PasswordReset.builtin(), &ctx).unwrap();
    assert!(email.html.contains(r#"href="https://roster.example.com/reset?token=a&amp;next=/home""#), "{}", email.html);
    assert!(email.text.contains("\nhttps://roster.example.com/reset?token=a&next=/home\n"), "{}", email.text);
}

#[test]
fn r_mail_4_an_override_cannot_turn_html_escaping_off() {
    let ctx = json!({ "user": { "first_name": "<b>x</b>" } });
    let source = TemplateSource::new(
        "s",
        "t",
        "{% autoescape false %}{{ user.first_name }}{% endautoescape %}|{{ user.first_name|e }}",
    );
    assert_eq!(render(&source, &ctx).unwrap().html, "&lt;b&gt;x&lt;/b&gt;|&lt;b&gt;x&lt;&#x2f;b&gt;");

    let safe = TemplateSource::new("s", "t", "{{ user.first_name|safe }}");
    assert!(
        matches!(render(&safe, &ctx), Err(RenderError::Failed { part: Part::Html, ref message, .. }) if message.contains("safe")),
        "{:?}",
        render(&safe, &ctx)
    );
    assert!(matches!(validate(TemplateName::Welcome, &safe_override()), Err(TemplateError::Render(_))));
}

fn safe_override() -> TemplateSource {
    let builtin = TemplateName::Welcome.builtin();
    TemplateSource::new(builtin.subject, builtin.text, "<p>{{ user.first_name|safe }}</p>")
}

// ---------------------------------------------------------------------------------------------
// Missing values (seed 004)

/// The portal email with `portal.password` set to `password` (`None`: the key is absent).
fn render_portal_link(password: Option<Value>) -> RenderedEmail {
    let mut ctx = TemplateName::PortalLink.sample_context();
    let portal = ctx["portal"].as_object_mut().unwrap();
    match password {
        Some(value) => portal.insert("password".to_owned(), value),
        None => portal.remove("password"),
    };
    render(&TemplateName::PortalLink.builtin(), &ctx).unwrap()
}

#[test]
fn r_mail_4_password_section_disappears_without_a_password() {
    let with = render_portal_link(Some(json!("harbor-violet-42")));
    assert!(with.text.contains("\nYour password: harbor-violet-42\n"), "{}", with.text);
    assert!(with.html.contains("Your password: <strong"), "{}", with.html);

    for missing in [None, Some(Value::Null), Some(json!(""))] {
        let without = render_portal_link(missing.clone());
        for body in [&without.text, &without.html] {
            assert!(!body.to_lowercase().contains("password"), "{missing:?}:\n{body}");
        }
        // The section leaves no gap behind.
        assert!(!without.text.contains("\n\n\n"), "{missing:?}:\n{}", without.text);
        assert!(
            without.text.contains(&format!("\n{}\n\nKeep this email", "https://roster.example.com/portal/p_sample"))
        );
        assert_eq!(without.subject, with.subject);
    }
}

#[test]
fn r_mail_4_missing_values_render_as_nothing() {
    let email = render(&TemplateName::Welcome.builtin(), &json!({})).unwrap();
    assert!(email.text.starts_with("Hello there,\n\nYou have been added to .\n"), "{}", email.text);
    assert_eq!(email.subject, "Welcome to");
    let deep = TemplateSource::new("{{ a.b.c.d }}x", "{{ none }}{{ a }}", "{% if a.b %}no{% endif %}");
    assert_eq!(
        render(&deep, &json!({ "a": null })).unwrap(),
        RenderedEmail { subject: "x".into(), text: String::new(), html: String::new() }
    );
}

// ---------------------------------------------------------------------------------------------
// The subject

#[test]
fn r_mail_4_subject_is_a_single_line() {
    let source = TemplateSource::new("\n  Hello\n{{ user.first_name }}\r\nBcc: evil@example.com\n", "t", "h");
    let ctx = json!({ "user": { "first_name": "Ada\r\nX-Injected: yes\t" } });
    assert_eq!(render(&source, &ctx).unwrap().subject, "Hello Ada X-Injected: yes Bcc: evil@example.com");
}

#[test]
fn r_mail_4_subject_is_capped() {
    let source = TemplateSource::new("{{ s }}", "t", "h");
    let subject = render(&source, &json!({ "s": "é".repeat(1000) })).unwrap().subject;
    assert_eq!(subject.chars().count(), MAX_SUBJECT_CHARS);
    assert!(subject.ends_with('…'));
}

// ---------------------------------------------------------------------------------------------
// Validation of overrides

fn welcome_with(part: Part, text: &str) -> TemplateSource {
    let mut source = TemplateName::Welcome.builtin();
    match part {
        Part::Subject => source.subject = text.to_owned().into(),
        Part::Text => source.text = text.to_owned().into(),
        Part::Html => source.html = text.to_owned().into(),
    }
    source
}

#[test]
fn r_mail_4_syntax_error_names_part_line_and_column() {
    let source = welcome_with(Part::Html, "<p>Hello</p>\n  <p>{{ user.first_name }</p>\n");
    let err = validate(TemplateName::Welcome, &source).unwrap_err();
    let TemplateError::Syntax { part, location, ref message } = err else { panic!("{err:?}") };
    assert_eq!(part, Part::Html);
    assert_eq!(location, Some(Location { line: 2, column: 25 }));
    assert!(message.contains("unexpected"), "{message}");
    assert_eq!(err.to_string(), format!("HTML body, line 2, column 25: {message}"));
    assert_eq!((err.part(), err.location()), (Part::Html, location));

    let unclosed = welcome_with(Part::Text, "Hello\n\n{% if user.first_name %}\nhi\n");
    let err = validate(TemplateName::Welcome, &unclosed).unwrap_err();
    assert!(matches!(err, TemplateError::Syntax { part: Part::Text, location: Some(_), .. }), "{err:?}");
    assert!(err.to_string().starts_with("text body, line "), "{err}");
}

#[test]
fn r_mail_4_broken_override_fails_to_render_with_a_syntax_error() {
    let source = welcome_with(Part::Subject, "Hi {{ user.first_name ");
    let err = render(&source, &TemplateName::Welcome.sample_context()).unwrap_err();
    assert!(matches!(err, RenderError::Syntax { part: Part::Subject, location: Some(_), .. }), "{err:?}");
}

#[test]
fn r_mail_4_unknown_tokens_are_refused() {
    let typo = welcome_with(Part::Subject, "Welcome,\n {{ user.frist_name }}");
    assert_eq!(
        validate(TemplateName::Welcome, &typo),
        Err(TemplateError::UnknownToken {
            part: Part::Subject,
            token: "user.frist_name".to_owned(),
            location: Some(Location { line: 2, column: 5 }),
            known: TemplateName::Welcome.tokens(),
        })
    );
    let message = validate(TemplateName::Welcome, &typo).unwrap_err().to_string();
    assert!(
        message.starts_with(
            "subject, line 2, column 5: unknown token `user.frist_name`; this template can use `user.first_name`, "
        ),
        "{message}"
    );

    // The first unknown token in the source is the one reported.
    let two = welcome_with(Part::Text, "{{ zzz }}\n{{ aaa }}");
    assert!(matches!(
        validate(TemplateName::Welcome, &two),
        Err(TemplateError::UnknownToken { ref token, location: Some(Location { line: 1, column: 4 }), .. }) if token == "zzz"
    ));

    // A token of another template.
    let foreign = welcome_with(Part::Text, "{{ portal.link }}");
    assert!(matches!(
        validate(TemplateName::Welcome, &foreign),
        Err(TemplateError::UnknownToken { part: Part::Text, ref token, .. }) if token == "portal.link"
    ));

    // Objects holding tokens, set variables, loops and harmless globals are fine.
    let fine = welcome_with(
        Part::Text,
        "{% if user %}{% set n = user.first_name %}{{ n }}{% endif %}{% for i in range(2) %}{{ loop.index }}{% endfor %}",
    );
    assert_eq!(validate(TemplateName::Welcome, &fine), Ok(()));
}

#[test]
fn r_mail_4_empty_and_oversized_overrides_are_refused() {
    assert_eq!(
        validate(TemplateName::Welcome, &welcome_with(Part::Subject, "  \n")),
        Err(TemplateError::Empty { part: Part::Subject })
    );
    let huge = "x".repeat(roster_mail::MAX_SOURCE_BYTES + 1);
    assert!(matches!(
        validate(TemplateName::Welcome, &welcome_with(Part::Html, &huge)),
        Err(TemplateError::SourceTooLarge { part: Part::Html, .. })
    ));
}

#[test]
fn r_mail_4_override_failing_on_the_sample_is_refused() {
    let err = validate(TemplateName::Welcome, &welcome_with(Part::Text, "{{ user.first_name + 1 }}")).unwrap_err();
    assert!(matches!(err, TemplateError::Render(RenderError::Failed { part: Part::Text, .. })), "{err:?}");
    assert_eq!(err.location(), Some(Location { line: 1, column: 4 }));
}

// ---------------------------------------------------------------------------------------------
// The sandbox

#[test]
fn r_mail_4_rendering_is_bounded_in_work() {
    let start = Instant::now();
    let loops = TemplateSource::new(
        "s",
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        "h",
    );
    assert_eq!(
        render(&loops, &json!({})),
        Err(RenderError::OutOfFuel { part: Part::Text, fuel: Limits::default().fuel })
    );

    let big_string = TemplateSource::new("{{ 'x' * 100000000 }}", "t", "h");
    assert!(matches!(render(&big_string, &json!({})), Err(RenderError::OutOfFuel { part: Part::Subject, .. })));
    assert!(start.elapsed() < Duration::from_secs(10), "took {:?}", start.elapsed());
}

#[test]
fn r_mail_4_rendering_is_bounded_in_size() {
    let limit = Limits::default().max_part_bytes;
    let large = TemplateSource::new("s", "t", "{{ 'x' * 300000 }}");
    assert_eq!(render(&large, &json!({})), Err(RenderError::TooLarge { part: Part::Html, limit }));

    let small = Limits { max_part_bytes: 10, ..Limits::default() };
    let source = TemplateSource::new("s", "{{ text }}", "h");
    assert!(render_with_limits(&source, &json!({ "text": "0123456789" }), small).is_ok());
    assert_eq!(
        render_with_limits(&source, &json!({ "text": "0123456789!" }), small),
        Err(RenderError::TooLarge { part: Part::Text, limit: 10 })
    );
    assert_eq!(
        RenderError::TooLarge { part: Part::Text, limit: 10 }.to_string(),
        "text body: the rendered text is larger than 10 bytes"
    );
}

#[test]
fn r_mail_4_python_style_injection_renders_harmlessly() {
    let tricks = [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ self.__init__.__globals__ }}",
        "{{ config }}{{ request }}{{ lipsum }}{{ cycler }}{{ joiner }}",
        "{{ namespace.__init__ }}",
        "{{ debug() }}",
        "{{ range(999999999) }}",
        "{{ range(999999999)|list|length }}",
        "{% for x in range(99999) %}{{ x }}{% endfor %}",
        "{{ [1] * 999999999 }}",
        "{% include '/etc/passwd' %}",
        "{% import 'x' as y %}",
        "{% extends '/etc/passwd' %}",
        "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    ];
    let ctx = json!({ "user": { "first_name": "Ada" } });
    for trick in tricks {
        let source = TemplateSource::new("s", trick, trick);
        match render(&source, &ctx) {
            Ok(email) => {
                for out in [&email.text, &email.html] {
                    assert!(out.len() < 1000 && !out.contains("class") && !out.contains("root:"), "{trick}: {out}");
                }
            }
            Err(
                RenderError::Syntax { .. }
                | RenderError::Failed { .. }
                | RenderError::OutOfFuel { .. }
                | RenderError::TooLarge { .. },
            ) => {}
            Err(other) => panic!("{trick}: {other:?}"),
        }
        // Validation answers too (some tricks are harmless and pass), without panicking.
        let _ = validate(TemplateName::Welcome, &welcome_with(Part::Text, trick));
    }
    for name in ["config", "request", "lipsum"] {
        let err = validate(TemplateName::Welcome, &welcome_with(Part::Html, &format!("{{{{ {name} }}}}")));
        assert!(matches!(err, Err(TemplateError::UnknownToken { ref token, .. }) if token == name), "{err:?}");
    }
}

#[test]
fn deep_nesting_fails_cleanly() {
    let deep = format!("{{{{ {}1{} }}}}", "(".repeat(10_000), ")".repeat(10_000));
    let source = TemplateSource::new("s", deep, "h");
    assert!(matches!(render(&source, &json!({})), Err(RenderError::Syntax { part: Part::Text, .. })));
}
