//! Adding a user (R-ADD-1, R-ADD-2): welcome email with a set-password link, known emails are
//! invited instead (R-ADD-3), no escalation (R-PERM-1), customer by default (R-ROLE-1).
use std::time::Duration;

use reqwest::Method;
use roster_testkit::app::{Answer, PASSWORD, TestApp, each_backend};
use roster_testkit::smtp::Received;
use serde_json::{Value, json};
use uuid::Uuid;

const NEW_PASSWORD: &str = "violet harbor lantern";

/// An owner (Olga) with an account; returns her token and the account id.
async fn owner_with_account(app: &TestApp) -> (String, Uuid) {
    app.operator("olga@example.test").await;
    let t = app.token("olga@example.test", None).await;
    let acme = app.create_account(&t, "Acme").await;
    (app.token("olga@example.test", Some(acme)).await, acme)
}

async fn add(app: &TestApp, token: &str, account: Uuid, body: Value) -> Answer {
    app.send(Method::POST, &format!("/api/v1/accounts/{account}/users"), token, Some(body)).await
}

fn reset_token(m: &Received) -> String {
    let text = m.part("text/plain").expect("a text part");
    let at = text.find("token=reset_").expect("a set-password link") + "token=".len();
    text[at..at + "reset_".len() + 64].to_owned()
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> u16 {
    app.post_json("/api/v1/auth/token", None, &json!({ "login": email, "password": password })).await.status
}

#[tokio::test]
async fn r_add_1_adding_a_user_sends_a_welcome_with_a_set_password_link() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        let Answer { status, body } =
            add(&app, &t, acme, json!({ "email": "ann@example.test", "first_name": "Ann", "last_name": "New" })).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["email"], "ann@example.test");
        assert_eq!(body["warning"], Value::Null);
        assert_eq!(body["existing_user"], false);

        let mail = app.smtp.wait_for(1, Duration::from_secs(15)).await.remove(0);
        assert_eq!(mail.to, vec!["ann@example.test".to_owned()]);
        let text = mail.part("text/plain").unwrap();
        assert!(text.contains(&format!("{}/password-reset?token=", app.url)), "{text}");
        assert!(text.contains("Olga Operator"), "the inviter is named: {text}");
        assert!(mail.header("Subject").unwrap().contains("Acme"));
        assert_eq!(sign_in(&app, "ann@example.test", NEW_PASSWORD).await, 401, "no password yet");

        let confirm = json!({ "token": reset_token(&mail), "password": NEW_PASSWORD });
        let Answer { status, body } = app.post_json("/api/v1/auth/password-reset/confirm", None, &confirm).await;
        assert_eq!(status, 204, "{body}");
        assert_eq!(sign_in(&app, "ann@example.test", NEW_PASSWORD).await, 200);
    })
    .await;
}

#[tokio::test]
async fn r_add_2_custom_subject_and_bcc_to_the_creator() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        let body = json!({ "email": "ben@example.test", "first_name": "Ben", "last_name": "New",
            "welcome_subject": "Your Acme login", "bcc_me": true });
        let Answer { status, body } = add(&app, &t, acme, body).await;
        assert_eq!(status, 201, "{body}");
        // R-MAIL-6: the welcome carries a set-password link, so the creator's copy is an email
        // of its own with the link hidden, never a Bcc of the original.
        let got = app.smtp.wait_for(2, Duration::from_secs(15)).await;
        let mail = got.iter().find(|m| m.to == ["ben@example.test"]).expect("the welcome");
        assert_eq!(mail.header("Subject").as_deref(), Some("Your Acme login"));
        assert!(mail.header("Bcc").is_none(), "Bcc never in the headers");
        let copy = got.iter().find(|m| m.to == ["olga@example.test"]).expect("the creator's copy");
        assert_eq!(copy.header("Subject").as_deref(), Some("Your Acme login"));
        assert!(!copy.data.contains("token=reset_"), "the copy carries no link");
    })
    .await;
}

#[tokio::test]
async fn r_add_3_a_known_email_is_invited_and_joins_only_by_accepting() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        let other = app.create_account(&t, "Other").await;
        let carol = app.seed_members(other, "customer", &[("Carol", "Known", "carol@example.test")]).await;
        let body = json!({ "email": "CAROL@example.test", "first_name": "Changed", "last_name": "Name",
            "password": NEW_PASSWORD, "role": "employee" });
        let Answer { status, body } = add(&app, &t, acme, body).await;
        assert_eq!(status, 202, "{body}");
        assert_eq!(body["invitation"]["email"], "carol@example.test");
        assert_eq!(body["invitation"]["status"], "pending");
        assert!(!body.to_string().contains(&carol[0].id.to_string()), "nothing of the login: {body}");
        assert_eq!(sign_in(&app, "carol@example.test", PASSWORD).await, 200, "their password is unchanged");
        assert_eq!(sign_in(&app, "carol@example.test", NEW_PASSWORD).await, 401, "the typed one is dropped");
        let ct = app.token("carol@example.test", None).await;
        let me = app.get_json("/api/v1/me", Some(&ct)).await.body;
        assert_eq!(me["memberships"].as_array().unwrap().len(), 1, "not joined yet: {me}");

        // The invitation email; accepting it signed in joins with the role chosen.
        let mail = app.smtp.wait_for(1, Duration::from_secs(15)).await.remove(0);
        let text = mail.part("text/plain").unwrap();
        let at = text.find("token=invite_").expect("an invitation link") + "token=".len();
        let secret = text[at..].split(char::is_whitespace).next().unwrap().to_owned();
        let Answer { status, body: member } =
            app.post_json("/api/v1/invitations/accept", Some(&ct), &json!({ "token": secret })).await;
        assert_eq!(status, 200, "{member}");
        assert_eq!(member["role"], "employee", "{member}");
        assert_eq!(member["first_name"], "Carol", "their name is unchanged");
        let me = app.get_json("/api/v1/me", Some(&ct)).await.body;
        assert_eq!(me["memberships"].as_array().unwrap().len(), 2, "{me}");
    })
    .await;
}

#[tokio::test]
async fn already_a_member_is_409() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        app.seed_members(acme, "standard", &[("Dan", "Member", "dan@example.test")]).await;
        let body = json!({ "email": "dan@example.test", "first_name": "Dan", "last_name": "Member" });
        let Answer { status, body } = add(&app, &t, acme, body).await;
        assert_eq!((status, body["code"].as_str()), (409, Some("already_member")), "{body}");
        assert!(body["detail"].as_str().unwrap_or_default().contains("already a member"), "{body}");
        let body = json!({ "email": "olga@example.test", "first_name": "Olga", "last_name": "Operator" });
        assert_eq!(add(&app, &t, acme, body).await.status, 409, "the owner too");
    })
    .await;
}

#[tokio::test]
async fn r_perm_1_nobody_grants_what_they_do_not_hold() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        // A team manager without account.settings, made through the feature itself.
        let body = json!({ "email": "mia@example.test", "first_name": "Mia", "last_name": "Manager",
            "password": PASSWORD, "send_welcome": false,
            "permissions": ["users.view", "users.manage", "time.track"] });
        let Answer { status, body } = add(&app, &t, acme, body).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["permissions"], json!(["users.view", "users.manage", "time.track"]));
        let mia = app.token("mia@example.test", Some(acme)).await;

        let grant = |perms: Value, email: &str| {
            json!({ "email": email, "first_name": "Eve", "last_name": "Target", "permissions": perms })
        };
        let Answer { status, body } = add(&app, &mia, acme, grant(json!(["account.settings"]), "eve@example.test")).await;
        assert_eq!(status, 403, "{body}");
        let Answer { status, body } = add(&app, &mia, acme, json!({ "email": "eve@example.test", "first_name": "Eve",
            "last_name": "Target", "role": "admin" })).await;
        assert_eq!(status, 403, "admin holds more than Mia: {body}");
        let Answer { status, body } = add(&app, &mia, acme, grant(json!(["time.track"]), "eve@example.test")).await;
        assert_eq!(status, 201, "what she holds she may give: {body}");

        // Nobody gives the owner role, the owner included.
        let Answer { status, body } = add(&app, &t, acme, json!({ "email": "fay@example.test", "first_name": "Fay",
            "last_name": "Target", "role": "owner" })).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("role")), "{body}");

        // Without users.manage: 403.
        app.seed_members(acme, "employee", &[("Gus", "Employee", "gus@example.test")]).await;
        let gus = app.token("gus@example.test", Some(acme)).await;
        assert_eq!(add(&app, &gus, acme, grant(json!([]), "hal@example.test")).await.status, 403);
    })
    .await;
}

#[tokio::test]
async fn r_role_1_customer_by_default() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        let body = json!({ "email": "cal@example.test", "first_name": "Cal", "last_name": "Customer",
            "send_welcome": false });
        let Answer { status, body } = add(&app, &t, acme, body).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["role"], "customer");
        assert_eq!(body["permissions"], json!([]));
        assert!(body["warning"].as_str().unwrap().contains("cannot sign in"), "{body}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(app.smtp.received().is_empty(), "no welcome asked for");

        let list = app.get_json(&format!("/api/v1/accounts/{acme}/users"), Some(&t)).await.body;
        assert!(list["items"].as_array().unwrap().iter().any(|m| m["email"] == "cal@example.test"));
    })
    .await;
}

#[tokio::test]
async fn add_member_validation_is_422_with_fields() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        let body = json!({ "email": "not an email", "first_name": "", "last_name": "Ok",
            "password": "password1", "role": "wizard", "welcome_subject": "two\nlines" });
        let Answer { status, body } = add(&app, &t, acme, body).await;
        assert_eq!(status, 422, "{body}");
        let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
        for f in ["email", "first_name", "password", "role", "welcome_subject"] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
        let long = "x".repeat(201);
        let body =
            json!({ "email": "ok@example.test", "first_name": "Ok", "last_name": "Ok", "welcome_subject": long });
        let Answer { status, body } = add(&app, &t, acme, body).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("welcome_subject")), "{body}");
        let body = json!({ "email": "ok@example.test", "first_name": "Ok", "last_name": "Ok",
            "permissions": ["no.such"] });
        let Answer { status, body } = add(&app, &t, acme, body).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("permissions")), "{body}");
    })
    .await;
}
