//! Clear words in the emails (issue 15, decision 0053), each through a real SMTP exchange: the
//! restore email says a new password must be set (R-ARC-2); the welcome to a member given a
//! password says so, and its button is a link to choose their own, not the sign-in page (R-ADD-2,
//! R-MAIL-4); the first password set from a welcome link sends no "password changed" alarm,
//! a later change does.
use std::time::Duration;

use reqwest::Method;
use roster_testkit::app::{PASSWORD, TestApp, each_backend};
use roster_testkit::smtp::Received;
use serde_json::{Value, json};
use uuid::Uuid;

const OWN_PASSWORD: &str = "violet harbor lantern";
const LATER_PASSWORD: &str = "copper meadow kestrel";
const WAIT: Duration = Duration::from_secs(15);

/// An owner (Olga) with an account; her token there and the account id.
async fn owner_with_account(app: &TestApp) -> (String, Uuid) {
    app.operator("olga@example.test").await;
    let t = app.token("olga@example.test", None).await;
    let acme = app.create_account(&t, "Acme").await;
    (app.token("olga@example.test", Some(acme)).await, acme)
}

async fn add(app: &TestApp, token: &str, account: Uuid, body: Value) -> Value {
    let roster_testkit::app::Answer { status, body } =
        app.send(Method::POST, &format!("/api/v1/accounts/{account}/users"), token, Some(body)).await;
    assert_eq!(status, 201, "{body}");
    body
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> u16 {
    app.post_json("/api/v1/auth/token", None, &json!({ "login": email, "password": password })).await.status
}

/// The text body, with the CRLF line ends of SMTP made `\n`.
fn text(m: &Received) -> String {
    m.part("text/plain").expect("a text part").replace("\r\n", "\n")
}

fn html(m: &Received) -> String {
    m.part("text/html").expect("an HTML part")
}

/// The secret of the set-password link in `m`.
fn link_token(m: &Received) -> String {
    let text = text(m);
    let at = text.find("token=reset_").expect("a set-password link") + "token=".len();
    text[at..at + "reset_".len() + 64].to_owned()
}

/// Where the HTML body's button (the one styled as a button) leads.
fn button_href(html: &str) -> String {
    let button = html.find("display:inline-block").expect("a button");
    let start = html[..button].rfind("href=\"").expect("the button's link") + "href=\"".len();
    let end = start + html[start..].find('"').expect("a closing quote");
    html[start..end].to_owned()
}

async fn use_link(app: &TestApp, token: &str, password: &str) {
    let body = json!({ "token": token, "password": password });
    let roster_testkit::app::Answer { status, body: res } =
        app.post_json("/api/v1/auth/password-reset/confirm", None, &body).await;
    assert_eq!(status, 204, "{res}");
}

/// Waits for the `n`-th email, then a moment more, and answers everything received: so a test
/// can tell that an email it expects not to see did not come.
async fn settled(app: &TestApp, n: usize) -> Vec<Received> {
    app.smtp.wait_for(n, WAIT).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    app.smtp.received()
}

fn is_password_changed(m: &Received) -> bool {
    m.header("Subject").is_some_and(|s| s.contains("Your password was changed"))
}

#[tokio::test]
async fn r_arc_2_the_restore_email_says_a_new_password_must_be_set() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        let pat = app.seed_members(acme, "employee", &[("Pat", "Member", "pat@example.test")]).await.remove(0);
        let act = |what: &'static str| {
            let (app, t) = (&app, &t);
            async move {
                let path = format!("/api/v1/accounts/{acme}/users/{}/{what}", pat.id);
                let roster_testkit::app::Answer { status, body } = app.send(Method::POST, &path, t, None).await;
                assert_eq!(status, 200, "{what}: {body}");
            }
        };
        act("archive").await;
        act("restore").await;

        let mail = app.smtp.wait_for(1, WAIT).await.remove(0);
        assert_eq!(mail.to, vec![pat.email.clone()]);
        let subject = mail.header("Subject").unwrap();
        assert!(subject.contains("Acme") && subject.contains("set a new password"), "{subject}");
        let (text, html) = (text(&mail), html(&mail));
        for body in [&text, &html] {
            assert!(body.contains("Olga Operator has restored your access to Acme."), "{body}");
            assert!(body.contains("you must set a new password before you can sign in"), "{body}");
            // Not the words of a reset the person asked for.
            assert!(!body.contains("We received a request") && !body.contains("stays as it is"), "{body}");
        }
        assert!(button_href(&html).starts_with(&format!("{}/password-reset?token=reset_", app.url)), "{html}");
        assert_ne!(sign_in(&app, &pat.email, PASSWORD).await, 200, "the old password is gone");

        use_link(&app, &link_token(&mail), OWN_PASSWORD).await;
        assert_eq!(sign_in(&app, &pat.email, OWN_PASSWORD).await, 200);
        let all = settled(&app, 1).await;
        assert_eq!(all.len(), 1, "setting the password asked for sends no alarm: {:?}", all.last().map(|m| &m.data));
    })
    .await;
}

#[tokio::test]
async fn r_add_2_r_mail_4_the_welcome_to_a_member_given_a_password_does_not_ask_for_one() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        add(
            &app,
            &t,
            acme,
            json!({ "email": "gil@example.test", "first_name": "Gil", "last_name": "Given",
            "password": PASSWORD }),
        )
        .await;

        let mail = app.smtp.wait_for(1, WAIT).await.remove(0);
        assert_eq!(mail.to, vec!["gil@example.test".to_owned()]);
        let (text, html) = (text(&mail), html(&mail));
        for body in [&text, &html] {
            assert!(body.contains("Olga Operator has set a password for you"), "{body}");
            assert!(body.contains("passwords are never sent by email"), "{body}");
            assert!(!body.contains("choose a password") && !body.contains("Choose a password"), "{body}");
            assert!(!body.contains(PASSWORD), "never the password: {body}");
        }
        let sign_in_page = format!("{}/sign-in", app.url);
        assert!(text.contains(&format!("\n{sign_in_page}\n")), "where to sign in: {text}");
        assert!(html.contains(&format!("href=\"{sign_in_page}\"")), "{html}");
        // The button is the set-password link (R-ADD-2), offered, not the sign-in page.
        let button = button_href(&html);
        assert!(button.starts_with(&format!("{}/password-reset?token=reset_", app.url)), "{button}");
        assert!(html.contains(">Choose my own password</a>"), "{html}");

        // The password given works; the link, if they want it, gives them their own.
        assert_eq!(sign_in(&app, "gil@example.test", PASSWORD).await, 200);
        use_link(&app, &link_token(&mail), OWN_PASSWORD).await;
        assert_eq!(sign_in(&app, "gil@example.test", OWN_PASSWORD).await, 200);
    })
    .await;
}

#[tokio::test]
async fn r_add_2_the_first_password_from_a_welcome_link_sends_no_alarm_and_a_later_change_does() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        add(&app, &t, acme, json!({ "email": "ann@example.test", "first_name": "Ann", "last_name": "New" })).await;
        let welcome = app.smtp.wait_for(1, WAIT).await.remove(0);
        assert!(text(&welcome).contains("To get started, choose a password and sign in:"), "{}", text(&welcome));
        use_link(&app, &link_token(&welcome), PASSWORD).await;
        let all = settled(&app, 1).await;
        assert_eq!(all.len(), 1, "no alarm for the first password: {:?}", all.last().map(|m| &m.data));

        // A later change alarms, once.
        let ann = app.token("ann@example.test", Some(acme)).await;
        let change = json!({ "current_password": PASSWORD, "password": LATER_PASSWORD });
        let roster_testkit::app::Answer { status, body } =
            app.send(Method::POST, "/api/v1/me/password", &ann, Some(change)).await;
        assert_eq!(status, 204, "{body}");
        let all = settled(&app, 2).await;
        assert_eq!(all.len(), 2);
        assert!(is_password_changed(&all[1]), "{}", all[1].data);
        assert_eq!(all[1].to, vec!["ann@example.test".to_owned()]);

        // And so does a reset after that: the address is proved and a password was there.
        let roster_testkit::app::Answer { status, .. } =
            app.post_json("/api/v1/auth/password-reset", None, &json!({ "email": "ann@example.test" })).await;
        assert_eq!(status, 202);
        let reset = app.smtp.wait_for(3, WAIT).await.remove(2);
        use_link(&app, &link_token(&reset), OWN_PASSWORD).await;
        let all = settled(&app, 4).await;
        assert_eq!(all.iter().filter(|m| is_password_changed(m)).count(), 2, "one alarm per later change");
    })
    .await;
}
