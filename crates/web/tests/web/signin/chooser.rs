//! The account chooser and switching account (R-AUTH-2, R-TEN-1).
use roster_store::MembershipRow;
use roster_testkit::app::{Answer, PASSWORD, TestApp, each_backend};
use serde_json::{Value, json};
use uuid::Uuid;

async fn two_accounts(app: &TestApp) -> (Uuid, Uuid, String) {
    app.operator("op@example.test").await;
    let token = app.token("op@example.test", None).await;
    let a = app.create_account(&token, "Alpha Works").await;
    let b = app.create_account(&token, "Beta Works").await;
    let person = app.seed_members(a, "admin", &[("Sam", "Both", "sam@example.test")]).await.remove(0);
    let mut tx = app.db.store.begin().await.unwrap();
    let now = time::OffsetDateTime::now_utc();
    tx.insert_membership(&MembershipRow::new(b, person.id, roster_core::RoleKind::Customer, now)).await.unwrap();
    tx.commit().await.unwrap();
    (a, b, person.email)
}

#[tokio::test]
async fn r_auth_2_one_email_in_two_accounts_chooses_and_switches() {
    each_backend(|app| async move {
        let (a, b, email) = two_accounts(&app).await;
        let token = app.token(&email, None).await;
        let me = app.get_json("/api/v1/me", Some(&token)).await.body;
        assert_eq!(me["current_account_id"], Value::Null, "two active memberships: nothing chosen yet");
        let Answer { status, body } =
            app.post_json("/api/v1/auth/switch", Some(&token), &json!({ "account_id": b })).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!((body["account_name"].as_str(), body["role"].as_str()), (Some("Beta Works"), Some("customer")));
        let me = app.get_json("/api/v1/me", Some(&token)).await.body;
        assert_eq!(me["current_account_id"], b.to_string());
        let status =
            app.post_json("/api/v1/auth/switch", Some(&token), &json!({ "account_id": Uuid::now_v7() })).await.status;
        assert_eq!(status, 404, "not a member: not found");

        // Console: sign in → chooser (last used first) → choose → the account's page.
        let res = app
            .client
            .post(app.at("/sign-in"))
            .form(&[("login", email.as_str()), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["location"], "/choose-account");
        let cookie = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
        let html = app
            .client
            .get(app.at("/choose-account"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let (alpha, beta) = (html.find("Alpha Works").unwrap(), html.find("Beta Works").unwrap());
        assert!(beta < alpha, "Beta was used last, so it comes first");
        assert!(html.contains("last used"));
        let csrf = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let res = app
            .client
            .post(app.at("/choose-account"))
            .header("cookie", &cookie)
            .form(&[("csrf", csrf.as_str()), ("account_id", &a.to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], format!("/accounts/{a}/team"));
        let res = app
            .client
            .post(app.at("/choose-account"))
            .header("cookie", &cookie)
            .form(&[("account_id", a.to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "CSRF token required");
    })
    .await;
}

#[tokio::test]
async fn r_auth_2_a_disabled_membership_is_not_offered() {
    each_backend(|app| async move {
        let (a, b, email) = two_accounts(&app).await;
        let mut tx = app.db.store.begin().await.unwrap();
        let person = tx.user_by_email(&email).await.unwrap().unwrap();
        tx.set_membership_status(b, person.id, roster_core::MembershipStatus::Disabled).await.unwrap();
        tx.commit().await.unwrap();
        let body = json!({ "login": email, "password": PASSWORD });
        let Answer { status, body: v } = app.post_json("/api/v1/auth/token", None, &body).await;
        assert_eq!(status, 200);
        assert_eq!(v["account_id"], a.to_string(), "one active membership left: straight in");
        let token = v["access_token"].as_str().unwrap();
        app.post_json("/api/v1/auth/switch", Some(token), &json!({ "account_id": b })).await.assert_status(404);
    })
    .await;
}
