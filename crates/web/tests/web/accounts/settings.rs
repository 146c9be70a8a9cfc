//! Account settings, public sign-up (R-AUTH-4) and an admin on a member's password (R-AUTH-5/6).
use std::time::Duration;

use roster_store::MembershipRow;
use roster_testkit::app::{Answer, PASSWORD, Page, TestApp, each_backend};
use serde_json::{Value, json};
use uuid::Uuid;

async fn owner_account(app: &TestApp) -> (String, Uuid) {
    let owner = app.owner("Open House").await;
    let token = owner.bearer().to_owned();
    let account = owner.account();
    (token, account)
}

fn newcomer(email: &str) -> Value {
    json!({ "email": email, "password": PASSWORD, "first_name": "Kay", "last_name": "Newcomer" })
}

#[tokio::test]
async fn r_auth_4_public_signup_is_off_by_default_then_joins_as_customer() {
    each_backend(|app| async move {
        let (token, account) = owner_account(&app).await;
        let path = format!("/api/v1/accounts/{account}/signup");
        let Answer { status, body } = app.post_json(&path, None, &newcomer("kay@example.test")).await;
        assert_eq!((status, body["code"].as_str()), (403, Some("signup_closed")), "{body}");
        let ghost = format!("/api/v1/accounts/{}/signup", Uuid::now_v7());
        let Answer { status, body: ghost_body } = app.post_json(&ghost, None, &newcomer("kay@example.test")).await;
        assert_eq!((status, ghost_body["code"].as_str()), (403, Some("signup_closed")), "no probing of ids");
        assert_eq!(app.client.get(app.at("/signup/open-house")).send().await.unwrap().status(), 403);

        let patch = json!({ "public_signup": true });
        let Answer { status, body: view } =
            app.send(reqwest::Method::PATCH, &format!("/api/v1/accounts/{account}"), &token, Some(patch)).await;
        assert_eq!((status, &view["public_signup"]), (200, &json!(true)), "{view}");
        let Answer { status, body } = app.post_json(&path, None, &newcomer("kay@example.test")).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["account"]["membership"]["role"], "customer");
        let Answer { status, body } = app.post_json(&path, None, &newcomer("kay@example.test")).await;
        assert_eq!((status, body["code"].as_str()), (409, Some("email_taken")));
        let kay = app.token("kay@example.test", None).await;
        let me = app.get_json("/api/v1/me", Some(&kay)).await.body;
        assert_eq!(me["current_account_id"], account.to_string());

        let html = app.client.get(app.at("/signup/open-house")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Sign up to Open House"));
        let res = app
            .client
            .post(app.at("/signup/open-house"))
            .form(&[
                ("first_name", "Lee"),
                ("last_name", "Form"),
                ("email", "lee@example.test"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], format!("/accounts/{account}"), "a customer lands on the account's home");
        let cookie = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
        let home =
            app.client.get(app.at(&format!("/accounts/{account}"))).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(home.status(), 200);
        assert!(home.text().await.unwrap().contains("a member (customer)"));
    })
    .await;
}

#[tokio::test]
async fn account_settings_are_validated_and_need_account_settings() {
    each_backend(|app| async move {
        let (token, account) = owner_account(&app).await;
        let path = format!("/api/v1/accounts/{account}");
        let bad = json!({ "invite_policy": "everyone", "invitation_ttl_days": 0, "name": "" });
        let Answer { status, body } = app.send(reqwest::Method::PATCH, &path, &token, Some(bad)).await;
        assert_eq!(status, 422);
        let fields: Vec<&str> =
            body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields.len(), 3, "{body}");
        let good = json!({ "name": "Open House Ltd", "invite_policy": "permission", "invitation_ttl_days": 14 });
        let Answer { status, body: view } = app.send(reqwest::Method::PATCH, &path, &token, Some(good)).await;
        assert_eq!(status, 200);
        assert_eq!((view["name"].as_str(), view["invitation_ttl_days"].as_i64()), (Some("Open House Ltd"), Some(14)));
        let customer = app.seed_members(account, "customer", &[("Cu", "Stomer", "cu@example.test")]).await.remove(0);
        let ct = app.token(&customer.email, None).await;
        app.send(reqwest::Method::PATCH, &path, &ct, Some(json!({ "name": "Mine" }))).await.assert_status(403);
        let other = app.create_account(&token, "Elsewhere").await;
        app.send(reqwest::Method::PATCH, &format!("/api/v1/accounts/{other}"), &ct, Some(json!({ "name": "x" })))
            .await
            .assert_status(404);
    })
    .await;
}

#[tokio::test]
async fn r_auth_6_an_admin_sets_a_members_password_and_their_sessions_end() {
    each_backend(|app| async move {
        let (token, account) = owner_account(&app).await;
        let people = app
            .seed_members(
                account,
                "standard",
                &[("Sam", "Staff", "sam@example.test"), ("Bo", "Both", "bo@example.test")],
            )
            .await;
        let (sam, bo) = (&people[0], &people[1]);
        let sam_token = app.token(&sam.email, None).await;
        let set = |user: Uuid| format!("/api/v1/accounts/{account}/users/{user}/password");
        let new_pw = json!({ "password": "plum garden whistle" });
        app.send(reqwest::Method::POST, &set(sam.id), &token, Some(new_pw.clone())).await.assert_status(204);
        assert_eq!(app.get_json("/api/v1/me", Some(&sam_token)).await.status, 401, "their sessions ended");
        let body = json!({ "login": sam.email, "password": "plum garden whistle" });
        assert_eq!(app.post_json("/api/v1/auth/token", None, &body).await.status, 200);

        let other = app.create_account(&token, "Second").await;
        let mut tx = app.db.store.begin().await.unwrap();
        tx.insert_membership(&MembershipRow::new(
            other,
            bo.id,
            roster_core::RoleKind::Customer,
            time::OffsetDateTime::now_utc(),
        ))
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let Answer { status, body } = app.send(reqwest::Method::POST, &set(bo.id), &token, Some(new_pw.clone())).await;
        assert_eq!((status, body["code"].as_str()), (409, Some("shared_login")), "{body}");

        let Answer { status, body } =
            app.send(reqwest::Method::POST, &set(Uuid::now_v7()), &token, Some(new_pw.clone())).await;
        assert_eq!(status, 404, "{body}");
        let body = json!({ "login": sam.email, "password": "plum garden whistle" });
        let signed = app.post_json("/api/v1/auth/token", None, &body).await.body;
        let sam_token = signed["access_token"].as_str().unwrap().to_owned();
        let status = app.send(reqwest::Method::POST, &set(bo.id), &sam_token, Some(new_pw)).await.status;
        assert_eq!(status, 403, "a standard member lacks users.manage");

        let reset = format!("/api/v1/accounts/{account}/users/{}/password-reset", bo.id);
        app.send(reqwest::Method::POST, &reset, &token, None).await.assert_status(202);
        let mail = &app.smtp.wait_for(1, Duration::from_secs(15)).await[0];
        assert_eq!(mail.to, vec![bo.email.clone()]);
        assert!(mail.header("From").unwrap().contains("Open House"), "sent by the account");
        assert!(mail.part("text/plain").unwrap().contains("/password-reset?token=reset_"));
    })
    .await;
}

#[tokio::test]
async fn r_auth_4_console_settings_page_turns_public_signup_on() {
    each_backend(|app| async move {
        let (_, account) = owner_account(&app).await;
        let cookie = app.console_sign_in("owner@example.test").await;
        let Page { status, html } = app.page(&format!("/accounts/{account}/settings"), &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains("/signup/open-house"), "the sign-up address is shown");
        let csrf = roster_testkit::app::csrf_of(&html);
        let form = [
            ("csrf", csrf.as_str()),
            ("name", "Open House"),
            ("invite_policy", "owner_only"),
            ("invitation_ttl_days", "100"),
            ("public_signup", "on"),
        ];
        let res =
            app.client.post(app.at(&format!("/accounts/{account}/settings"))).header("cookie", &cookie).form(&form);
        let res = res.send().await.unwrap();
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("ttl-error") && html.contains("value=\"100\""), "error shown, typed value kept");
        let form = [
            ("csrf", csrf.as_str()),
            ("name", "Open House"),
            ("invite_policy", "owner_only"),
            ("invitation_ttl_days", "7"),
            ("public_signup", "on"),
        ];
        let res =
            app.client.post(app.at(&format!("/accounts/{account}/settings"))).header("cookie", &cookie).form(&form);
        assert_eq!(res.send().await.unwrap().status(), 303);
        assert_eq!(app.client.get(app.at("/signup/open-house")).send().await.unwrap().status(), 200);
    })
    .await;
}
