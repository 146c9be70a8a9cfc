//! The console's email pages (R-MAIL-1, R-MAIL-2, R-MAIL-4) over plain HTTP: forms with the
//! CSRF field, field errors, sandboxed previews, and who may see them.
use std::time::Duration;

use roster_testkit::app::{Page, TestApp, csrf_of, each_backend};
use roster_testkit::db::backends;
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(15);

/// Posts a form; answers the status, the `Location` (if any) and the page.
async fn post_form(app: &TestApp, path: &str, cookie: &str, form: &[(&str, &str)]) -> (u16, String, String) {
    let res = app.client.post(app.at(path)).header("cookie", cookie).form(form).send().await.unwrap();
    let status = res.status().as_u16();
    let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, location, res.text().await.unwrap())
}

/// As askama escapes text and attribute values.
fn esc(s: &str) -> String {
    s.replace('&', "&#38;").replace('<', "&#60;").replace('>', "&#62;").replace('"', "&#34;").replace('\'', "&#39;")
}

/// The text between `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let at = html.find(start).unwrap_or_else(|| panic!("{start} not in {html}")) + start.len();
    let rest = &html[at..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The content of the textarea named `name`.
fn textarea<'a>(html: &'a str, name: &str) -> &'a str {
    let from = between(html, &format!("<textarea id=\"{name}\""), "</textarea>");
    &from[from.find('>').unwrap() + 1..]
}

/// An operator who owns a new account, signed in to the console: (cookie, account, csrf).
async fn owner_signed_in(app: &TestApp, email: &str, name: &str) -> (String, Uuid, String) {
    app.operator(email).await;
    let token = app.token(email, None).await;
    let account = app.create_account(&token, name).await;
    let cookie = app.console_sign_in(email).await;
    let Page { status, html } = app.page(&format!("/accounts/{account}/email-templates"), &cookie).await;
    assert_eq!(status, 200, "{html}");
    (cookie, account, csrf_of(&html))
}

/// Polls an email's page until its status badge reads `status`.
async fn email_page_when(app: &TestApp, path: &str, cookie: &str, status: &str) -> String {
    let deadline = tokio::time::Instant::now() + WAIT;
    let badge = format!("<span class=\"badge mail-{status}\">{status}</span>");
    loop {
        let Page { status: code, html } = app.page(path, cookie).await;
        assert_eq!(code, 200, "{html}");
        if html.contains(&badge) {
            return html;
        }
        assert!(tokio::time::Instant::now() < deadline, "email never became {status}: {html}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn r_mail_4_console_test_email_shows_in_the_outbox_with_headers_and_sandboxed_html() {
    each_backend(|app| async move {
        let (cookie, account, csrf) = owner_signed_in(&app, "owner@example.test", "Acme Studio").await;
        let (status, location, _) =
            post_form(&app, &format!("/accounts/{account}/email-templates/welcome/test"), &cookie, &[("csrf", &csrf)])
                .await;
        assert_eq!(status, 303);
        let prefix = format!("/accounts/{account}/emails/");
        assert!(location.starts_with(&prefix), "{location}");
        let email_id = &location[prefix.len()..];

        let got = app.smtp.wait_for(1, WAIT).await;
        assert_eq!(got[0].to, vec!["owner@example.test".to_owned()]);
        let subject = got[0].header("Subject").unwrap();

        let Page { status, html: outbox } = app.page(&format!("/accounts/{account}/emails"), &cookie).await;
        assert_eq!(status, 200);
        assert!(outbox.contains(&format!("href=\"{location}\"")), "each row links to its email: {outbox}");
        assert!(outbox.contains("owner@example.test"));
        assert!(outbox.contains(&esc(&subject)), "{subject} in {outbox}");
        for link in ["emails\">Outbox", "email-templates\">Email templates", "settings/email\">Email settings"] {
            assert!(outbox.contains(link), "nav link {link}");
        }

        let res = app.client.get(app.at(&location)).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let csp = res.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("script-src"), "{csp}");
        let html = email_page_when(&app, &location, &cookie, "sent").await;
        for header in ["From", "To", "Reply-To", "Message-ID", "Status", "Attempts", "Last error"] {
            assert!(html.contains(&format!("<th scope=\"row\">{header}</th>")), "{header} shown");
        }
        assert!(html.contains(&esc(&got[0].header("Message-ID").unwrap())), "the Message-ID sent");
        assert!(html.contains("<iframe class=\"mail-html\" title=\"The email's HTML\" sandbox=\"\" srcdoc=\""));
        let srcdoc = between(&html, "srcdoc=\"", "\"");
        assert!(srcdoc.contains("&#60;a ") && !srcdoc.contains('<'), "the HTML body is escaped into srcdoc");
        assert!(html.contains("<pre class=\"mail-text\">"), "text body in a pre");
        assert!(!html.contains("Retry now"), "only a failed email can be retried");
        assert!(!email_id.is_empty());
    })
    .await;
}

#[tokio::test]
async fn r_mail_1_console_retries_a_failed_email_and_the_operator_sees_every_outbox() {
    each_backend(|app| async move {
        let (cookie, account, csrf) = owner_signed_in(&app, "owner@example.test", "Bounce Co").await;
        app.smtp.refuse_next(1, "550 5.1.1 no such user");
        let (_, location, _) = post_form(
            &app,
            &format!("/accounts/{account}/email-templates/password_reset/test"),
            &cookie,
            &[("csrf", &csrf)],
        )
        .await;
        let html = email_page_when(&app, &location, &cookie, "failed").await;
        assert!(html.contains("550 5.1.1 no such user"), "the last error is shown");
        assert!(html.contains("Retry now"));
        let Page { status, html: outbox } = app.page(&format!("/accounts/{account}/emails"), &cookie).await;
        assert_eq!(status, 200);
        assert!(outbox.contains("550 5.1.1 no such user"), "last error in the list");

        let (status, to, _) = post_form(&app, &format!("{location}/retry"), &cookie, &[("csrf", &csrf)]).await;
        assert_eq!((status, to.as_str()), (303, location.as_str()));
        assert_eq!(app.smtp.wait_for(1, WAIT).await.len(), 1);
        email_page_when(&app, &location, &cookie, "sent").await;
        let (status, _, html) = post_form(&app, &format!("{location}/retry"), &cookie, &[("csrf", &csrf)]).await;
        assert_eq!(status, 409, "a sent email cannot be retried: {html}");

        let email_id = location.rsplit('/').next().unwrap();
        let Page { status, html: all } = app.page("/emails", &cookie).await;
        assert_eq!(status, 200);
        assert!(all.contains(&format!("href=\"/emails/{email_id}\"")), "{all}");
        assert!(all.contains(&account.to_string()), "the account column");
        let Page { status, html: one } = app.page(&format!("/emails/{email_id}"), &cookie).await;
        assert_eq!(status, 200);
        assert!(one.contains("sandbox=\"\""));
    })
    .await;
}

#[tokio::test]
async fn r_mail_4_console_refuses_a_broken_template_with_line_and_column() {
    each_backend(|app| async move {
        let (cookie, account, csrf) = owner_signed_in(&app, "owner@example.test", "Templated").await;
        let editor = format!("/accounts/{account}/email-templates/welcome");
        let Page { status, html } = app.page(&editor, &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains("{{ user.first_name }}"), "the tokens are listed");
        assert!(html.contains("built-in"));
        assert!(!html.contains("Reset to built-in"), "nothing to reset yet");

        let broken_html = "<p>Draft \"kept\" & typed</p>\n<p>{{ user.first_name </p>";
        let form = [("csrf", csrf.as_str()), ("subject", "Hi there"), ("text", "Hello"), ("html", broken_html)];
        let (status, _, html) = post_form(&app, &editor, &cookie, &form).await;
        assert_eq!(status, 422);
        let error = between(&html, "<p class=\"field-error\" id=\"html-error\">", "</p>");
        assert!(error.contains("line 2") && error.contains("column"), "{error}");
        assert!(html.contains("aria-describedby=\"html-error\""));
        assert_eq!(textarea(&html, "html").trim_start_matches('\n'), esc(broken_html), "the draft is kept");
        assert!(html.contains("value=\"Hi there\""));
        let list = app.page(&format!("/accounts/{account}/email-templates"), &cookie).await.html;
        assert!(!list.contains(">customized<"), "a refused template is not saved");

        // Preview of a broken draft: the same error, the draft kept, no preview.
        let (status, _, html) = post_form(&app, &format!("{editor}/preview"), &cookie, &form).await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"html-error\"") && !html.contains("id=\"preview\""));

        // Preview of a good draft renders the sample values.
        let good = [
            ("csrf", csrf.as_str()),
            ("subject", "Welcome aboard, {{ user.first_name }}"),
            ("text", "Set your password: {{ link }}\r\n"),
            ("html", "<p>Set your password: <a href=\"{{ link }}\">here</a></p>\r\n"),
        ];
        let (status, _, html) = post_form(&app, &format!("{editor}/preview"), &cookie, &good).await;
        assert_eq!(status, 200, "{html}");
        assert_eq!(between(&html, "<span class=\"preview-subject\">", "</span>"), "Welcome aboard, Ada");
        assert!(html.contains("value=\"Welcome aboard, {{ user.first_name }}\""), "the draft is kept");
        assert!(between(&html, "srcdoc=\"", "\"").contains("set-password?token=setup_sample"));
        let list = app.page(&format!("/accounts/{account}/email-templates"), &cookie).await.html;
        assert!(!list.contains(">customized<"), "a preview saves nothing");

        let (status, location, _) = post_form(&app, &editor, &cookie, &good).await;
        assert_eq!((status, location.as_str()), (303, format!("{editor}?saved=1").as_str()));
        let html = app.page(&location, &cookie).await.html;
        assert!(html.contains("Saved."));
        assert!(html.contains(">customized<"));
        assert!(textarea(&html, "text").contains("Set your password: {{ link }}\n"));
        assert!(!textarea(&html, "text").contains('\r'), "stored with LF line ends");
        let list = app.page(&format!("/accounts/{account}/email-templates"), &cookie).await.html;
        assert!(list.contains(">customized<"));

        let (status, location, _) = post_form(&app, &format!("{editor}/reset"), &cookie, &[("csrf", &csrf)]).await;
        assert_eq!((status, location.as_str()), (303, format!("{editor}?reset=1").as_str()));
        let list = app.page(&format!("/accounts/{account}/email-templates"), &cookie).await.html;
        assert!(!list.contains(">customized<"), "built-in again");
    })
    .await;
}

#[tokio::test]
async fn r_mail_2_console_sets_an_own_server_never_shows_its_password_and_tests_it() {
    each_backend(|app| async move {
        let (cookie, account, csrf) = owner_signed_in(&app, "owner@example.test", "Own Server Co").await;
        let settings = format!("/accounts/{account}/settings/email");
        let Page { status, html } = app.page(&settings, &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains("goes through the installation's server"), "{html}");
        assert!(!html.contains("Stop using own server"));

        // Invalid host and port: field errors, typed values kept, the password not.
        let bad = [
            ("csrf", csrf.as_str()),
            ("host", "not a host/"),
            ("port", "seventy"),
            ("security", "none"),
            ("username", "mailer"),
            ("password", "hunter2-very-secret"),
            ("from_address", "hello@own.test"),
        ];
        let (status, _, html) = post_form(&app, &settings, &cookie, &bad).await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"host-error\"") && html.contains("id=\"port-error\""), "{html}");
        assert!(html.contains("value=\"not a host/\"") && html.contains("value=\"seventy\""));
        assert!(html.contains("value=\"mailer\"") && html.contains("value=\"hello@own.test\""));
        assert!(html.contains("<option value=\"none\" selected>"));
        assert!(!html.contains("hunter2-very-secret"), "a password is never sent back");
        let html = app.page(&settings, &cookie).await.html;
        assert!(!html.contains("Stop using own server"), "nothing was saved");

        let good = [
            ("csrf", csrf.as_str()),
            ("host", "127.0.0.1"),
            ("port", &app.smtp.port.to_string()),
            ("security", "none"),
            ("username", "mailer"),
            ("password", "hunter2-very-secret"),
            ("from_address", "hello@own.test"),
        ];
        let (status, location, _) = post_form(&app, &settings, &cookie, &good).await;
        assert_eq!((status, location.as_str()), (303, format!("{settings}?saved=1").as_str()));
        let html = app.page(&location, &cookie).await.html;
        assert!(html.contains("Saved."));
        assert!(!html.contains("hunter2-very-secret"), "the stored password is never shown");
        assert!(html.contains("leave empty to keep the stored password"));
        assert!(html.contains("name=\"remove_password\""));
        assert!(html.contains("value=\"127.0.0.1\"") && html.contains("Stop using own server"));

        // Keep everything but drop the username and the stored password.
        let mut plain = good.to_vec();
        plain.retain(|(k, _)| !matches!(*k, "username" | "password"));
        plain.push(("remove_password", "1"));
        let (status, _, _) = post_form(&app, &settings, &cookie, &plain).await;
        assert_eq!(status, 303);
        let html = app.page(&settings, &cookie).await.html;
        assert!(!html.contains("name=\"remove_password\""), "no password stored any more");

        // "Send test email" shows the server's real answer; it goes only to the caller (R-MAIL-7).
        let test = format!("{settings}/test");
        let (status, _, html) = post_form(&app, &test, &cookie, &[("csrf", &csrf), ("to", "x@own.test")]).await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"to-error\"") && html.contains("only to your own address"), "{html}");
        let own = [("csrf", csrf.as_str()), ("to", "owner@example.test")];
        let (status, _, html) = post_form(&app, &test, &cookie, &own).await;
        assert_eq!(status, 200);
        let answer = between(&html, "smtp-answer", "</p>");
        assert!(answer.contains("accepted") && answer.contains("250"), "{answer}");
        let got = app.smtp.wait_for(1, WAIT).await;
        assert_eq!(got[0].to, vec!["owner@example.test".to_owned()]);
        assert_eq!(got[0].from, "hello@own.test");

        app.smtp.refuse_next(1, "554 5.7.1 relay denied");
        let (_, _, html) = post_form(&app, &test, &cookie, &own).await;
        assert!(between(&html, "smtp-answer", "</p>").contains("554 5.7.1 relay denied"), "{html}");
        let (status, _, html) = post_form(&app, &test, &cookie, &[("csrf", &csrf), ("to", "not an address")]).await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"to-error\"") && html.contains("value=\"not an address\""));

        let (status, location, _) = post_form(&app, &format!("{settings}/delete"), &cookie, &[("csrf", &csrf)]).await;
        assert_eq!((status, location.as_str()), (303, format!("{settings}?removed=1").as_str()));
        let html = app.page(&settings, &cookie).await.html;
        assert!(html.contains("goes through the installation's server") && !html.contains("Stop using own server"));
    })
    .await;
}

#[tokio::test]
async fn console_mail_forms_without_the_csrf_token_are_refused() {
    each_backend(|app| async move {
        let (cookie, account, _) = owner_signed_in(&app, "owner@example.test", "Csrf Co").await;
        let editor = format!("/accounts/{account}/email-templates/welcome");
        let settings = format!("/accounts/{account}/settings/email");
        let template = [("subject", "Hi"), ("text", "t"), ("html", "<p>h</p>")];
        let smtp = [("host", "127.0.0.1"), ("port", "25"), ("security", "none"), ("from_address", "a@own.test")];
        let posts: [(String, &[(&str, &str)]); 6] = [
            (editor.clone(), &template),
            (format!("{editor}/preview"), &template),
            (format!("{editor}/test"), &[]),
            (settings.clone(), &smtp),
            (format!("{settings}/test"), &[("to", "x@own.test")]),
            (format!("{editor}/reset"), &[("csrf", "wrong")]),
        ];
        for (path, form) in posts {
            let (status, _, html) = post_form(&app, &path, &cookie, form).await;
            assert_eq!(status, 403, "{path}");
            assert!(html.contains("Form expired"), "{path}: {html}");
        }
        let list = app.page(&format!("/accounts/{account}/email-templates"), &cookie).await.html;
        assert!(!list.contains(">customized<"));
        let html = app.page(&settings, &cookie).await.html;
        assert!(!html.contains("Stop using own server"), "nothing was saved");
        let outbox = app.page(&format!("/accounts/{account}/emails"), &cookie).await.html;
        assert!(outbox.contains("No mail yet."), "no test was sent");
    })
    .await;
}

#[tokio::test]
async fn r_perm_3_console_mail_pages_answer_404_to_other_accounts_and_403_without_account_settings() {
    each_backend(|app| async move {
        let (owner_cookie, a, csrf) = owner_signed_in(&app, "owner@example.test", "Alpha").await;
        let (_, location, _) =
            post_form(&app, &format!("/accounts/{a}/email-templates/welcome/test"), &owner_cookie, &[("csrf", &csrf)])
                .await;
        let email_id = location.rsplit('/').next().unwrap().to_owned();
        let customer = app.seed_members(a, "customer", &[("Cu", "Stomer", "cust@example.test")]).await;
        let token = app.token("owner@example.test", None).await;
        let b = app.create_account(&token, "Beta").await;
        let stranger = app.seed_members(b, "admin", &[("St", "Ranger", "stranger@example.test")]).await;

        let pages = [
            format!("/accounts/{a}/emails"),
            format!("/accounts/{a}/emails/{email_id}"),
            format!("/accounts/{a}/email-templates"),
            format!("/accounts/{a}/email-templates/welcome"),
            format!("/accounts/{a}/settings/email"),
        ];
        let cookie = app.console_sign_in(&stranger[0].email).await;
        for path in pages.iter().cloned().chain([
            format!("/accounts/{b}/emails/{email_id}"),
            "/emails".to_owned(),
            format!("/emails/{email_id}"),
            format!("/accounts/{b}/email-templates/no_such_template"),
        ]) {
            let Page { status, html } = app.page(&path, &cookie).await;
            assert_eq!(status, 404, "{path}: {html}");
        }
        let html = app.page(&format!("/accounts/{b}/email-templates"), &cookie).await.html;
        let stranger_csrf = csrf_of(&html);
        for path in [
            format!("/accounts/{a}/email-templates/welcome/test"),
            format!("/accounts/{a}/settings/email/delete"),
            format!("/accounts/{a}/emails/{email_id}/retry"),
        ] {
            let (status, _, html) = post_form(&app, &path, &cookie, &[("csrf", &stranger_csrf)]).await;
            assert_eq!(status, 404, "{path}: {html}");
        }

        let cookie = app.console_sign_in(&customer[0].email).await;
        for path in &pages {
            let Page { status, html } = app.page(path, &cookie).await;
            assert_eq!(status, 403, "{path}: {html}");
            assert!(html.contains("account.settings"), "{path}: names the permission: {html}");
        }
    })
    .await;
}

#[tokio::test]
async fn r_mail_2_console_says_mail_stays_queued_when_no_server_is_set() {
    for backend in backends().await {
        let app = TestApp::builder().backend(backend).installation_smtp(false).build().await;
        let (cookie, account, csrf) = owner_signed_in(&app, "owner@example.test", "Quiet Co").await;
        let settings = format!("/accounts/{account}/settings/email");
        let Page { status, html } = app.page(&settings, &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains("the installation has none either: its mail stays queued"), "{html}");
        let (status, _, html) =
            post_form(&app, &format!("{settings}/test"), &cookie, &[("csrf", &csrf), ("to", "owner@example.test")])
                .await;
        assert_eq!(status, 200);
        let answer = between(&html, "smtp-answer", "</p>");
        assert!(answer.contains("did not work") && answer.contains("mail stays queued"), "{answer}");
    }
}
