//! Forgotten passwords (R-AUTH-5): the link arrives by email through the real SMTP sink.
use std::time::Duration;

use roster_testkit::app::{Answer, PASSWORD, TestApp, each_backend};
use roster_testkit::smtp::Received;
use serde_json::json;

const NEW_PASSWORD: &str = "violet harbor lantern";

/// The reset secret in an email's text part.
fn reset_token(m: &Received) -> String {
    let text = m.part("text/plain").expect("a text part");
    let at = text.find("token=reset_").expect("a reset link") + "token=".len();
    text[at..at + "reset_".len() + 64].to_owned()
}

async fn ask_for_reset(app: &TestApp, email: &str) -> u16 {
    app.post_json("/api/v1/auth/password-reset", None, &json!({ "email": email })).await.status
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> u16 {
    let body = json!({ "login": email, "password": password });
    app.post_json("/api/v1/auth/token", None, &body).await.status
}

#[tokio::test]
async fn r_auth_5_the_emailed_link_sets_a_new_password_once_and_ends_sessions() {
    each_backend(|app| async move {
        app.operator("ada@example.test").await;
        let old_token = app.token("ada@example.test", None).await;
        assert_eq!(ask_for_reset(&app, "ada@example.test").await, 202);
        let mail = app.smtp.wait_for(1, Duration::from_secs(15)).await.remove(0);
        assert_eq!(mail.to, vec!["ada@example.test".to_owned()]);
        let token = reset_token(&mail);
        assert!(mail.part("text/plain").unwrap().contains(&format!("{}/password-reset?token=", app.url)));

        let common = json!({ "token": token, "password": "password1" });
        let Answer { status, body } = app.post_json("/api/v1/auth/password-reset/confirm", None, &common).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("password")), "{body}");

        let good = json!({ "token": token, "password": NEW_PASSWORD });
        let status = app.post_json("/api/v1/auth/password-reset/confirm", None, &good).await.status;
        assert_eq!(status, 204, "a refused password left the link usable");
        let Answer { status, body } = app.post_json("/api/v1/auth/password-reset/confirm", None, &good).await;
        assert_eq!((status, body["code"].as_str()), (410, Some("gone")), "single use: {body}");

        assert_eq!(sign_in(&app, "ada@example.test", PASSWORD).await, 401);
        assert_eq!(sign_in(&app, "ada@example.test", NEW_PASSWORD).await, 200);
        let status = app.get_json("/api/v1/me", Some(&old_token)).await.status;
        assert_eq!(status, 401, "the sessions from before the reset ended");

        let changed = app.smtp.wait_for(2, Duration::from_secs(15)).await.remove(1);
        assert!(changed.header("Subject").unwrap().to_lowercase().contains("password"), "{}", changed.data);
        assert!(!changed.data.contains(NEW_PASSWORD), "passwords are never emailed");
    })
    .await;
}

#[tokio::test]
async fn r_auth_5_unknown_addresses_get_the_same_answer_and_no_email() {
    each_backend(|app| async move {
        assert_eq!(ask_for_reset(&app, "nobody@example.test").await, 202);
        let Answer { status, body } =
            app.post_json("/api/v1/auth/password-reset", None, &json!({ "email": "not an email" })).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("email")));
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(app.smtp.received().is_empty());
        let bogus = json!({ "token": "reset_0000", "password": NEW_PASSWORD });
        app.post_json("/api/v1/auth/password-reset/confirm", None, &bogus).await.assert_status(410);
    })
    .await;
}

#[tokio::test]
async fn r_auth_5_two_confirmations_racing_exactly_one_wins() {
    each_backend(|app| async move {
        app.operator("race@example.test").await;
        ask_for_reset(&app, "race@example.test").await;
        let token = reset_token(&app.smtp.wait_for(1, Duration::from_secs(15)).await[0]);
        let body = json!({ "token": token, "password": NEW_PASSWORD });
        let (a, b) = tokio::join!(
            app.post_json("/api/v1/auth/password-reset/confirm", None, &body),
            app.post_json("/api/v1/auth/password-reset/confirm", None, &body),
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [204, 410]);
    })
    .await;
}

#[tokio::test]
async fn r_auth_5_console_forgot_and_reset_pages() {
    each_backend(|app| async move {
        app.operator("grace@example.test").await;
        let res = app.client.get(app.at("/sign-in")).send().await.unwrap();
        assert!(res.text().await.unwrap().contains("href=\"/forgot-password\""));
        let res =
            app.client.post(app.at("/forgot-password")).form(&[("email", "grace@example.test")]).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let same = res.text().await.unwrap();
        let res =
            app.client.post(app.at("/forgot-password")).form(&[("email", "ghost@example.test")]).send().await.unwrap();
        assert_eq!(res.text().await.unwrap(), same, "the same page either way");
        let token = reset_token(&app.smtp.wait_for(1, Duration::from_secs(15)).await[0]);
        let res = app.client.get(app.at(&format!("/password-reset?token={token}"))).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let res = app
            .client
            .post(app.at("/password-reset"))
            .form(&[("token", token.as_str()), ("password", "12345678")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("too common"));
        let res = app
            .client
            .post(app.at("/password-reset"))
            .form(&[("token", token.as_str()), ("password", NEW_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains("Password changed"));
        let res = app.client.get(app.at(&format!("/password-reset?token={token}"))).send().await.unwrap();
        assert_eq!(res.status(), 410);
        assert!(res.text().await.unwrap().contains("/forgot-password"));
        assert_eq!(sign_in(&app, "grace@example.test", NEW_PASSWORD).await, 200);
    })
    .await;
}
