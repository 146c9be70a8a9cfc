//! Email end to end (R-MAIL-1..4): the outbox, the delivery worker and a real SMTP sink.
use std::time::Duration;

use roster_mail::TemplateName;
use roster_service::{Mail, Sender};
use roster_testkit::app::{Answer, TestApp, each_backend, test_delivery};
use roster_testkit::db::backends;
use serde_json::{Value, json};
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(15);

async fn owner_with_account(app: &TestApp, email: &str, name: &str) -> (String, Uuid) {
    app.operator(email).await;
    let token = app.token(email, None).await;
    let account = app.create_account(&token, name).await;
    (token, account)
}

/// Polls an email until it reaches `status`.
async fn email_when(app: &TestApp, token: &str, account: Uuid, id: &str, status: &str) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let Answer { status: code, body: email } =
            app.get_json(&format!("/api/v1/accounts/{account}/emails/{id}"), Some(token)).await;
        assert_eq!(code, 200, "{email}");
        if email["status"] == status {
            return email;
        }
        assert!(tokio::time::Instant::now() < deadline, "email never became {status}: {email}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn send_test(app: &TestApp, token: &str, account: Uuid, template: &str) -> String {
    let path = format!("/api/v1/accounts/{account}/email-templates/{template}/test");
    let Answer { status, body: email } = app.send(reqwest::Method::POST, &path, token, None).await;
    assert_eq!(status, 202, "{email}");
    assert_eq!(email["status"], "queued");
    email["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn r_mail_4_a_test_email_arrives_as_multipart_alternative_with_its_headers() {
    each_backend(|app| async move {
        let (token, account) = owner_with_account(&app, "owner@example.test", "Acme Studio").await;
        let id = send_test(&app, &token, account, "password_reset").await;
        let got = app.smtp.wait_for(1, WAIT).await;
        let m = &got[0];
        assert_eq!(m.to, vec!["owner@example.test".to_owned()]);
        assert_eq!(m.from, "roster@example.test");
        let from = m.header("From").unwrap();
        assert!(from.contains("Acme Studio") && from.contains("<roster@example.test>"), "{from}");
        assert!(m.header("Content-Type").unwrap().starts_with("multipart/alternative"), "{}", m.data);
        assert!(m.data.contains("Content-Type: text/plain; charset=utf-8"), "{}", m.data);
        assert!(m.data.contains("Content-Type: text/html; charset=utf-8"), "{}", m.data);
        assert_eq!(m.header("Auto-Submitted").as_deref(), Some("auto-generated"));
        assert!(m.header("Date").is_some());
        let email = email_when(&app, &token, account, &id, "sent").await;
        assert_eq!(email["attempts"], 1);
        assert_eq!(m.header("Message-ID").unwrap(), email["message_id"].as_str().unwrap());
        assert!(email["message_id"].as_str().unwrap().ends_with("@127.0.0.1>"));
        assert!(email["html"].as_str().unwrap().contains("<a "), "{}", email["html"]);
        let list = app.get_json(&format!("/api/v1/accounts/{account}/emails"), Some(&token)).await.body;
        assert_eq!(list["items"][0]["id"], id.as_str());
        assert_eq!(list["items"][0]["to"], "owner@example.test");
        assert_eq!(list["items"][0]["status"], "sent");
    })
    .await;
}

#[tokio::test]
async fn r_mail_1_a_refusal_421_is_retried_and_delivered_once() {
    each_backend(|app| async move {
        let (token, account) = owner_with_account(&app, "owner@example.test", "Retry Co").await;
        app.smtp.refuse_next(1, "421 4.3.0 try again later");
        let id = send_test(&app, &token, account, "welcome").await;
        let email = email_when(&app, &token, account, &id, "sent").await;
        assert_eq!(email["attempts"], 2, "{email}");
        assert_eq!(email["last_error"], Value::Null);
        tokio::time::sleep(Duration::from_millis(300)).await;
        let got = app.smtp.received();
        assert_eq!(got.len(), 1, "delivered exactly once");
        assert_eq!(got[0].header("Message-ID").unwrap(), email["message_id"].as_str().unwrap());
    })
    .await;
}

#[tokio::test]
async fn r_mail_1_a_permanent_refusal_fails_at_once_and_retry_now_sends_it() {
    each_backend(|app| async move {
        let (token, account) = owner_with_account(&app, "owner@example.test", "Bounce Co").await;
        app.smtp.refuse_next(1, "550 5.1.1 no such user");
        let id = send_test(&app, &token, account, "welcome").await;
        let email = email_when(&app, &token, account, &id, "failed").await;
        assert_eq!(email["attempts"], 1);
        assert!(email["last_error"].as_str().unwrap().contains("550"), "{email}");
        assert!(app.smtp.received().is_empty());
        let retry = format!("/api/v1/accounts/{account}/emails/{id}/retry");
        let Answer { status, body } = app.send(reqwest::Method::POST, &retry, &token, None).await;
        assert_eq!(status, 202, "{body}");
        assert_eq!(body["status"], "queued");
        email_when(&app, &token, account, &id, "sent").await;
        assert_eq!(app.smtp.wait_for(1, WAIT).await.len(), 1);
        let Answer { status, body } = app.send(reqwest::Method::POST, &retry, &token, None).await;
        assert_eq!((status, body["code"].as_str()), (409, Some("not_failed")), "{body}");
    })
    .await;
}

#[tokio::test]
async fn r_mail_1_a_rolled_back_change_sends_nothing() {
    each_backend(|app| async move {
        let mut tx = app.db.store.begin().await.unwrap();
        let mail = Mail {
            account: None,
            template: TemplateName::PasswordChanged,
            to: "nobody@example.test",
            context: TemplateName::PasswordChanged.sample_context(),
            sender: Sender::Installation,
            bcc: None,
        };
        let row = app.service.enqueue_email(tx.as_mut(), mail).await.unwrap();
        drop(tx);
        app.service.mail_enqueued();
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(app.smtp.received().is_empty());
        assert!(app.db.store.read().await.unwrap().email_by_id(row.id).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn r_mail_3_mail_sent_as_a_user_carries_their_name_and_reply_to() {
    each_backend(|app| async move {
        let (_, account_id) = owner_with_account(&app, "owner@example.test", "Harbor Design").await;
        let account = app.db.store.read().await.unwrap().account_by_id(account_id).await.unwrap().unwrap();
        let mut tx = app.db.store.begin().await.unwrap();
        // A template without a secret: a portal link's Bcc would copy the link (R-MAIL-6), so
        // that one goes as a separate copy instead (mail_security.rs).
        let mail = Mail {
            account: Some(&account),
            template: TemplateName::InvitationRequest,
            to: "grace@client.test",
            context: TemplateName::InvitationRequest.sample_context(),
            sender: Sender::User { name: "Ada Lovelace", email: "ada@harbor.test" },
            bcc: Some("ada@harbor.test"),
        };
        app.service.enqueue_email(tx.as_mut(), mail).await.unwrap();
        tx.commit().await.unwrap();
        app.service.mail_enqueued();
        let m = &app.smtp.wait_for(1, WAIT).await[0];
        let from = m.header("From").unwrap();
        assert!(from.contains("Ada Lovelace") && from.contains("<roster@example.test>"), "{from}");
        assert_eq!(m.header("Reply-To").as_deref(), Some("ada@harbor.test"));
        assert_eq!(m.header("Bcc"), None, "Bcc stays out of the headers");
        let mut to = m.to.clone();
        to.sort();
        assert_eq!(to, vec!["ada@harbor.test".to_owned(), "grace@client.test".to_owned()]);
    })
    .await;
}

#[tokio::test]
async fn r_mail_4_values_are_escaped_in_html_and_templates_cannot_reach_python_like_internals() {
    each_backend(|app| async move {
        let (token, account_id) = owner_with_account(&app, "owner@example.test", "Escapes").await;
        let path = format!("/api/v1/accounts/{account_id}/email-templates/welcome");
        let evil = json!({"subject": "{{ ''.__class__ }}", "text": "x", "html": "<p>x</p>"});
        let Answer { status, body } = app.send(reqwest::Method::PUT, &path, &token, Some(evil)).await;
        assert!(status == 422 || status == 200, "{body}");
        if status == 200 {
            let preview = app.send(reqwest::Method::POST, &format!("{path}/preview"), &token, None).await.body;
            assert_eq!(preview["subject"], "", "nothing leaks: {preview}");
        }
        // An override that saved is replaced by the built-in one to check the escaping.
        app.send(reqwest::Method::DELETE, &path, &token, None).await;
        let account = app.db.store.read().await.unwrap().account_by_id(account_id).await.unwrap().unwrap();
        let mut ctx = TemplateName::Welcome.sample_context();
        ctx["user"]["first_name"] = json!("<script>alert(1)</script>");
        let mut tx = app.db.store.begin().await.unwrap();
        let mail = Mail {
            account: Some(&account),
            template: TemplateName::Welcome,
            to: "new@example.test",
            context: ctx,
            sender: Sender::Account,
            bcc: None,
        };
        let row = app.service.enqueue_email(tx.as_mut(), mail).await.unwrap();
        tx.commit().await.unwrap();
        assert!(!row.html_body.contains("<script>"), "{}", row.html_body);
        assert!(row.html_body.contains("&lt;script&gt;"), "{}", row.html_body);
        assert!(row.text_body.contains("<script>alert(1)</script>"), "text stays as typed");
    })
    .await;
}

#[tokio::test]
async fn r_mail_4_overrides_are_validated_previewed_used_and_reset() {
    each_backend(|app| async move {
        let (token, account) = owner_with_account(&app, "owner@example.test", "Templated").await;
        let path = format!("/api/v1/accounts/{account}/email-templates/welcome");
        let Answer { status, body: list } =
            app.get_json(&format!("/api/v1/accounts/{account}/email-templates"), Some(&token)).await;
        assert_eq!(status, 200);
        assert_eq!(list.as_array().unwrap().len(), roster_mail::TemplateName::ALL.len());
        let builtin = app.get_json(&path, Some(&token)).await.body;
        assert_eq!(builtin["customized"], false);
        assert!(builtin["tokens"].as_array().unwrap().iter().any(|t| t["name"] == "user.first_name"));

        let broken = json!({"subject": "Hi", "text": "Hello", "html": "<p>Hello</p>\n<p>{{ user.first_name </p>"});
        let Answer { status, body } = app.send(reqwest::Method::PUT, &path, &token, Some(broken.clone())).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["errors"][0]["field"], "html");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("line 2"), "{body}");
        let Answer { status, body } =
            app.send(reqwest::Method::POST, &format!("{path}/preview"), &token, Some(broken)).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("html")), "{body}");
        let still = app.get_json(&path, Some(&token)).await.body;
        assert_eq!(still["customized"], false, "a refused template is not saved");

        let typo = json!({"subject": "Hi {{ user.frist_name }}", "text": "t", "html": "<p>h</p>"});
        let Answer { status, body } = app.send(reqwest::Method::PUT, &path, &token, Some(typo)).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("subject")), "{body}");

        let good = json!({
            "subject": "Welcome aboard, {{ user.first_name }}",
            "text": "Set your password: {{ link }}",
            "html": "<p>Set your password: <a href=\"{{ link }}\">here</a></p>"
        });
        let Answer { status, body: saved } = app.send(reqwest::Method::PUT, &path, &token, Some(good)).await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!(saved["customized"], true);
        let preview = app.send(reqwest::Method::POST, &format!("{path}/preview"), &token, None).await.body;
        assert_eq!(preview["subject"], "Welcome aboard, Ada");
        send_test(&app, &token, account, "welcome").await;
        let m = &app.smtp.wait_for(1, WAIT).await[0];
        assert_eq!(m.header("Subject").as_deref(), Some("Welcome aboard, Ada"));

        let Answer { status, body: reset } = app.send(reqwest::Method::DELETE, &path, &token, None).await;
        assert_eq!((status, &reset["customized"]), (200, &json!(false)));
        let status =
            app.get_json(&format!("/api/v1/accounts/{account}/email-templates/nope"), Some(&token)).await.status;
        assert_eq!(status, 404);
    })
    .await;
}

#[tokio::test]
async fn r_mail_2_without_a_server_mail_waits_and_an_account_server_delivers_it() {
    for backend in backends().await {
        let app = TestApp::builder().backend(backend).installation_smtp(false).build().await;
        let (token, account) = owner_with_account(&app, "owner@example.test", "Own Server").await;
        let id = send_test(&app, &token, account, "welcome").await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(app.smtp.received().is_empty(), "no installation server: mail waits");
        let email = app.get_json(&format!("/api/v1/accounts/{account}/emails/{id}"), Some(&token)).await.body;
        assert_eq!((email["status"].as_str(), email["attempts"].as_i64()), (Some("queued"), Some(0)));

        let smtp = format!("/api/v1/accounts/{account}/smtp");
        let Answer { status, body: none } = app.get_json(&smtp, Some(&token)).await;
        assert_eq!((status, none), (200, Value::Null));
        let with_secret = json!({"host": "127.0.0.1", "port": app.smtp.port, "security": "none",
            "username": "mailer", "password": "s3cret-Pa55", "from_address": "team@own.test"});
        let Answer { status, body: view } = app.send(reqwest::Method::PUT, &smtp, &token, Some(with_secret)).await;
        assert_eq!(status, 200, "{view}");
        assert_eq!(view["password_set"], true);
        assert!(!view.to_string().contains("s3cret"), "the password is never shown back");
        let row = app.db.store.read().await.unwrap().smtp_settings(account).await.unwrap().unwrap();
        let sealed = row.password_enc.unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"s3cret"), "stored encrypted");
        let bad = json!({"host": "", "port": 0, "security": "sometimes", "from_address": "nope"});
        let Answer { status, body } = app.send(reqwest::Method::PUT, &smtp, &token, Some(bad)).await;
        assert_eq!(status, 422);
        let fields: Vec<&str> =
            body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        for f in ["host", "port", "security", "from_address"] {
            assert!(fields.contains(&f), "{f} in {body}");
        }
        // The sink takes no AUTH: drop the credentials, keep the server.
        let plain = json!({"host": "127.0.0.1", "port": app.smtp.port, "security": "none",
            "password": "", "from_address": "team@own.test"});
        let Answer { status, body: view } = app.send(reqwest::Method::PUT, &smtp, &token, Some(plain)).await;
        assert_eq!((status, &view["password_set"]), (200, &json!(false)), "{view}");

        email_when(&app, &token, account, &id, "sent").await;
        let m = &app.smtp.wait_for(1, WAIT).await[0];
        assert_eq!(m.from, "team@own.test", "the account's own server and address");

        let Answer { status, body: answer } =
            app.send(reqwest::Method::POST, &format!("{smtp}/test"), &token, Some(json!({}))).await;
        assert_eq!((status, &answer["ok"]), (200, &json!(true)), "{answer}");
        // R-MAIL-7: test emails go only to the caller's own (proved) address.
        let to = json!({"to": "check@own.test"});
        let Answer { status, body } = app.send(reqwest::Method::POST, &format!("{smtp}/test"), &token, Some(to)).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("to")), "{body}");
        let to = json!({"to": "owner@example.test"});
        let answer = app.send(reqwest::Method::POST, &format!("{smtp}/test"), &token, Some(to)).await.body;
        assert_eq!(answer["ok"], true, "{answer}");
        assert!(answer["message"].as_str().unwrap().contains("250"), "the server's own answer: {answer}");
        app.smtp.refuse_next(1, "554 5.7.1 relay denied");
        let to = json!({"to": "owner@example.test"});
        let answer = app.send(reqwest::Method::POST, &format!("{smtp}/test"), &token, Some(to)).await.body;
        assert_eq!(answer["ok"], false);
        assert!(answer["message"].as_str().unwrap().contains("554 5.7.1 relay denied"), "{answer}");

        app.send(reqwest::Method::DELETE, &smtp, &token, None).await.assert_status(204);
        let after = app.get_json(&smtp, Some(&token)).await.body;
        assert_eq!(after, Value::Null);
    }
}

#[tokio::test]
async fn r_perm_3_another_accounts_outbox_and_templates_answer_404_and_need_account_settings() {
    each_backend(|app| async move {
        let (token_a, a) = owner_with_account(&app, "a@example.test", "Alpha").await;
        let id = send_test(&app, &token_a, a, "welcome").await;
        app.smtp.wait_for(1, WAIT).await;
        let b_owner = app.seed_members(a, "customer", &[("Cu", "Stomer", "cust@example.test")]).await;
        let other = {
            let res = app
                .client
                .post(app.at("/api/v1/accounts"))
                .bearer_auth(&token_a)
                .json(&json!({"name": "Beta"}))
                .send()
                .await
                .unwrap();
            let v: Value = res.json().await.unwrap();
            Uuid::parse_str(v["id"].as_str().unwrap()).unwrap()
        };
        let stranger = app.seed_members(other, "admin", &[("St", "Ranger", "stranger@example.test")]).await;
        let stranger_token = app.token(&stranger[0].email, Some(other)).await;
        for path in [
            format!("/api/v1/accounts/{a}/emails"),
            format!("/api/v1/accounts/{a}/emails/{id}"),
            format!("/api/v1/accounts/{a}/email-templates"),
            format!("/api/v1/accounts/{a}/email-templates/welcome"),
            format!("/api/v1/accounts/{a}/smtp"),
            format!("/api/v1/accounts/{other}/emails/{id}"),
            "/api/v1/emails".to_owned(),
        ] {
            let Answer { status, body } = app.get_json(&path, Some(&stranger_token)).await;
            assert_eq!(status, 404, "{path}: {body}");
        }
        let customer = app.token(&b_owner[0].email, Some(a)).await;
        let Answer { status, body } = app.get_json(&format!("/api/v1/accounts/{a}/emails"), Some(&customer)).await;
        assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")), "{body}");
        let Answer { status, body: all } = app.get_json("/api/v1/emails", Some(&token_a)).await;
        assert_eq!(status, 200, "the operator sees every outbox");
        assert!(all["items"].as_array().unwrap().iter().any(|e| e["id"] == id.as_str()));
    })
    .await;
}

#[tokio::test]
async fn r_mail_1_two_workers_on_one_database_deliver_500_emails_exactly_once() {
    each_backend(|app| async move {
        let other_store = app.db.open_again().await;
        let second = roster_service::Service::new(
            other_store.clone(),
            roster_service::Hasher::for_tests().unwrap(),
            roster_service::SessionPolicy::default(),
        )
        .with_mail(app.service.mail_config().clone());
        let worker = second.delivery_worker(test_delivery()).unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let running = tokio::spawn(worker.run(async move {
            let _ = stopped.await;
        }));
        let mut tx = app.db.store.begin().await.unwrap();
        for i in 0..500 {
            let to = format!("bulk{i}@example.test");
            let mail = Mail {
                account: None,
                template: TemplateName::PasswordChanged,
                to: &to,
                context: TemplateName::PasswordChanged.sample_context(),
                sender: Sender::Installation,
                bcc: None,
            };
            app.service.enqueue_email(tx.as_mut(), mail).await.unwrap();
        }
        tx.commit().await.unwrap();
        app.service.mail_enqueued();
        second.mail_enqueued();
        app.smtp.wait_for(500, Duration::from_secs(60)).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let got = app.smtp.received();
        assert_eq!(got.len(), 500, "each exactly once");
        let mut ids: Vec<String> = got.iter().map(|m| m.header("Message-ID").unwrap()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 500);
        let _ = stop.send(());
        running.await.unwrap();
        other_store.close().await;
    })
    .await;
}
