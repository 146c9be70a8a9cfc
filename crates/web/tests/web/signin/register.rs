//! Open registration (R-AUTH-3, R-AUTH-8).
use std::time::Duration;

use roster_testkit::app::{Answer, PASSWORD, TestApp};
use roster_testkit::db::backends;
use serde_json::json;

fn registration(email: &str) -> serde_json::Value {
    json!({ "email": email, "password": PASSWORD, "first_name": "Mary", "last_name": "Jackson",
            "account_name": "Jackson Engineering" })
}

#[tokio::test]
async fn r_auth_3_registration_creates_a_login_and_an_account_it_owns() {
    for backend in backends().await {
        let app = TestApp::builder().backend(backend).open_registration().build().await;
        let Answer { status, body } =
            app.post_json("/api/v1/auth/register", None, &registration("mary@example.test")).await;
        assert_eq!(status, 202, "{body}");
        let mail = app.smtp.wait_for(1, Duration::from_secs(15)).await.remove(0);
        assert_eq!(mail.to, vec!["mary@example.test".to_owned()]);
        let text = mail.part("text/plain").unwrap();
        let at = text.find("token=confirm_").expect("a confirmation link") + "token=".len();
        let secret = text[at..].split(char::is_whitespace).next().unwrap().to_owned();
        assert!(text.contains(&format!("{}/confirm-email?token=", app.url)), "{text}");
        let Answer { status, body } =
            app.post_json("/api/v1/auth/confirm-email", None, &json!({ "token": secret, "password": PASSWORD })).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["user"]["email"], "mary@example.test");
        assert_eq!(body["user"]["email_verified"], true);
        assert_eq!(body["account"]["name"], "Jackson Engineering");
        assert_eq!(body["account"]["membership"]["is_owner"], true);
        assert_eq!(body["account"]["owner_id"], body["user"]["id"]);
        let token = app.token("mary@example.test", None).await;
        let me = app.get_json("/api/v1/me", Some(&token)).await.body;
        assert_eq!(me["memberships"].as_array().unwrap().len(), 1, "{me}");

        // A taken address: the same answer, never `email_taken` (R-AUTH-3).
        let Answer { status, body } =
            app.post_json("/api/v1/auth/register", None, &registration("mary@example.test")).await;
        assert_eq!((status, body["code"].as_str()), (202, None), "{body}");
        let bad = json!({ "email": "nope", "password": "password", "first_name": "", "last_name": "J",
                          "account_name": "" });
        let Answer { status, body } = app.post_json("/api/v1/auth/register", None, &bad).await;
        assert_eq!(status, 422);
        let fields: Vec<&str> =
            body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        for f in ["email", "password", "first_name", "account_name"] {
            assert!(fields.contains(&f), "{f} in {body}");
        }

        // The console: "check your email", then the link's page confirms by a POST and signs in.
        let res = app
            .client
            .post(app.at("/register"))
            .form(&[
                ("first_name", "Dorothy"),
                ("last_name", "Vaughan"),
                ("email", "dorothy@example.test"),
                ("password", PASSWORD),
                ("account_name", "Vaughan & Co"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains("Check your email"));
        let mails = app.smtp.wait_for(3, Duration::from_secs(15)).await;
        let mail = mails.iter().find(|m| m.to.contains(&"dorothy@example.test".to_owned())).unwrap();
        let text = mail.part("text/plain").unwrap();
        let at = text.find("token=confirm_").expect("a confirmation link") + "token=".len();
        let secret = text[at..].split(char::is_whitespace).next().unwrap().to_owned();
        let res = app
            .client
            .post(app.at("/confirm-email"))
            .form(&[("token", secret.as_str()), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "signed in and sent to the new account");
        assert!(res.headers()["set-cookie"].to_str().unwrap().contains("roster_session="));
    }
}

#[tokio::test]
async fn r_auth_3_registration_is_closed_by_default() {
    for backend in backends().await {
        let app = TestApp::builder().backend(backend).build().await;
        let Answer { status, body } =
            app.post_json("/api/v1/auth/register", None, &registration("x@example.test")).await;
        assert_eq!((status, body["code"].as_str()), (403, Some("registration_closed")), "{body}");
        // Closed also stops links already sent.
        let Answer { status, body } =
            app.post_json("/api/v1/auth/confirm-email", None, &json!({ "token": "confirm_anything" })).await;
        assert_eq!((status, body["code"].as_str()), (403, Some("registration_closed")), "{body}");
        let res = app.client.get(app.at("/register")).send().await.unwrap();
        assert_eq!(res.status(), 403);
        assert!(res.text().await.unwrap().contains("Registration is closed"));
    }
}
