//! Personal API tokens (issue "Sign-in"): `GET/POST/DELETE /api/v1/tokens[/{id}]` and the
//! console's "My tokens". A token acts as its owner in one account, shows its secret once, and
//! dies when revoked, when it expires, or with its membership (R-DIS-1).
use reqwest::Method;
use roster_testkit::app::{Answer, Page, TestApp, TestUser, csrf_of, each_backend};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

/// An account made by the operator with one employee, Pat, and Pat's bearer session there
/// (their only membership, so it is the current account).
async fn pat_in_an_account(app: &TestApp) -> (Uuid, TestUser, String) {
    app.operator("op@example.test").await;
    let op = app.token("op@example.test", None).await;
    let account = app.create_account(&op, "Token Works").await;
    let pat = app.seed_members(account, "employee", &[("Pat", "Tokens", "pat@example.test")]).await.remove(0);
    let session = app.token(&pat.email, None).await;
    (account, pat, session)
}

/// Creates a token through the API; returns the 201 body.
async fn create(app: &TestApp, session: &str, name: &str) -> Value {
    let Answer { status, body } = app.post_json("/api/v1/tokens", Some(session), &json!({ "name": name })).await;
    assert_eq!(status, 201, "{body}");
    body
}

fn secret(created: &Value) -> String {
    created["token"].as_str().unwrap().to_owned()
}

async fn audit_actions(app: &TestApp, account: Uuid) -> Vec<String> {
    let rows = app.db.store.read().await.unwrap().audit_of_account(account, 100).await.unwrap();
    rows.into_iter().map(|r| r.action.as_str().to_owned()).collect()
}

#[tokio::test]
async fn a_personal_token_acts_in_its_account_and_its_secret_is_shown_once() {
    each_backend(|app| async move {
        let (account, pat, session) = pat_in_an_account(&app).await;
        let res = app
            .client
            .post(app.at("/api/v1/tokens"))
            .bearer_auth(&session)
            .json(&json!({ "name": "Nightly export" }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        assert_eq!(res.headers()["cache-control"], "no-store");
        let created: Value = res.json().await.unwrap();
        let token = secret(&created);
        assert!(token.starts_with("roster_pat_"), "{token}");
        assert_eq!(token.len(), "roster_pat_".len() + 64, "256 random bits in hex");
        assert_eq!(created["prefix"].as_str(), Some(&token[..15]));
        assert_eq!(created["name"], "Nightly export");
        assert_eq!(created["expires_at"], Value::Null);

        let Answer { status, body: me } = app.get_json("/api/v1/me", Some(&token)).await;
        assert_eq!(status, 200, "{me}");
        assert_eq!(me["user"]["id"], pat.id.to_string());
        assert_eq!(me["current_account_id"], account.to_string());
        let Answer { status, body: team } = app.get_json(&format!("/api/v1/accounts/{account}"), Some(&token)).await;
        assert_eq!(status, 200, "{team}");

        // The list never shows the secret; the last use is recorded.
        let res = app.client.get(app.at("/api/v1/tokens")).bearer_auth(&session).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let text = res.text().await.unwrap();
        assert!(!text.contains(&token), "the secret is shown once only");
        let list: Value = serde_json::from_str(&text).unwrap();
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["id"], created["id"]);
        assert_eq!(items[0]["prefix"], created["prefix"]);
        assert!(items[0].get("token").is_none());
        assert!(items[0]["last_used_at"].is_string(), "used just now: {}", items[0]);

        // A personal token is a bearer token only: not a console cookie.
        let cookie = format!("roster_session={token}");
        let res = app.client.get(app.at("/api/v1/me")).header("cookie", cookie).send().await.unwrap();
        assert_eq!(res.status(), 401);
        assert!(audit_actions(&app, account).await.contains(&"api_token.created".to_owned()));
    })
    .await;
}

#[tokio::test]
async fn the_database_holds_only_the_hash() {
    each_backend(|app| async move {
        let (account, pat, session) = pat_in_an_account(&app).await;
        let token = secret(&create(&app, &session, "CI").await);
        let rows = app.db.store.read().await.unwrap().api_tokens_of(account, pat.id).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].token_hash, roster_service::hash_token(&token), "SHA-256 of the secret");
        assert_ne!(rows[0].token_hash, token.as_bytes());
        assert!(token.starts_with(&rows[0].prefix) && rows[0].prefix.len() < 20, "only a short prefix is kept");
        assert_eq!(rows[0].name, "CI");
    })
    .await;
}

#[tokio::test]
async fn revoking_a_token_ends_it_at_once() {
    each_backend(|app| async move {
        let (account, _, session) = pat_in_an_account(&app).await;
        let created = create(&app, &session, "Laptop").await;
        let token = secret(&created);
        let keep = secret(&create(&app, &session, "Server").await);
        assert_eq!(app.get_json("/api/v1/me", Some(&token)).await.status, 200);
        let path = format!("/api/v1/tokens/{}", created["id"].as_str().unwrap());
        assert_eq!(app.send(Method::DELETE, &path, &session, None).await.status, 204);
        let Answer { status, body } = app.get_json("/api/v1/me", Some(&token)).await;
        assert_eq!((status, body["code"].as_str()), (401, Some("unauthenticated")));
        assert_eq!(app.send(Method::DELETE, &path, &session, None).await.status, 404, "already revoked");
        assert_eq!(app.get_json("/api/v1/me", Some(&keep)).await.status, 200, "the other token still works");
        let list = app.get_json("/api/v1/tokens", Some(&session)).await.body;
        assert_eq!(list["next_cursor"], serde_json::Value::Null, "the list shape: {list}");
        let names: Vec<&str> = list["items"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Server"]);
        assert!(audit_actions(&app, account).await.contains(&"api_token.revoked".to_owned()));
        assert_eq!(app.send(Method::DELETE, "/api/v1/tokens/not-an-id", &session, None).await.status, 404);
    })
    .await;
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    each_backend(|app| async move {
        let (account, pat, session) = pat_in_an_account(&app).await;
        let past = (OffsetDateTime::now_utc() - time::Duration::minutes(1)).format(&Rfc3339).unwrap();
        let Answer { status, body } =
            app.post_json("/api/v1/tokens", Some(&session), &json!({ "name": "old", "expires_at": past })).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("expires_at")), "{body}");

        let soon = OffsetDateTime::now_utc() + time::Duration::seconds(2);
        let body = json!({ "name": "brief", "expires_at": soon.format(&Rfc3339).unwrap() });
        let Answer { status, body: created } = app.post_json("/api/v1/tokens", Some(&session), &body).await;
        assert_eq!(status, 201, "{created}");
        assert!(created["expires_at"].is_string());
        let token = secret(&created);
        assert_eq!(app.get_json("/api/v1/me", Some(&token)).await.status, 200, "not expired yet");

        // One that expired a minute ago, straight through the store.
        let expired = format!("roster_pat_{}", "ab".repeat(32));
        let t = OffsetDateTime::now_utc();
        let row = roster_store::ApiTokenRow {
            id: Uuid::now_v7(),
            user_id: pat.id,
            account_id: account,
            name: "expired".into(),
            token_hash: roster_service::hash_token(&expired),
            prefix: expired[..15].to_owned(),
            created_at: t - time::Duration::days(1),
            expires_at: Some(t - time::Duration::minutes(1)),
            last_used_at: None,
            revoked_at: None,
        };
        let mut tx = app.db.store.begin().await.unwrap();
        tx.insert_api_token(&row).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(app.get_json("/api/v1/me", Some(&expired)).await.status, 401);

        tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
        assert_eq!(app.get_json("/api/v1/me", Some(&token)).await.status, 401, "expired now");
        let list = app.get_json("/api/v1/tokens", Some(&session)).await.body;
        assert_eq!(list["items"].as_array().unwrap().len(), 2, "expired tokens stay listed until revoked");
    })
    .await;
}

#[tokio::test]
async fn another_person_cannot_revoke_my_token() {
    each_backend(|app| async move {
        let (account, _, session) = pat_in_an_account(&app).await;
        let created = create(&app, &session, "mine").await;
        let path = format!("/api/v1/tokens/{}", created["id"].as_str().unwrap());
        app.seed_members(account, "admin", &[("Alex", "Admin", "alex@example.test")]).await;
        let alex = app.token("alex@example.test", None).await;
        assert_eq!(app.send(Method::DELETE, &path, &alex, None).await.status, 404, "not theirs: not found");
        let list = app.get_json("/api/v1/tokens", Some(&alex)).await.body;
        assert_eq!(list["items"], json!([]), "nobody sees another person's tokens");

        // The operator owns the account, but the token is still not theirs.
        let op = app.token("op@example.test", Some(account)).await;
        assert_eq!(app.send(Method::DELETE, &path, &op, None).await.status, 404);
        assert_eq!(app.get_json("/api/v1/me", Some(&secret(&created))).await.status, 200, "still alive");
    })
    .await;
}

#[tokio::test]
async fn r_dis_1_a_token_dies_with_its_membership() {
    each_backend(|app| async move {
        let (account, pat, session) = pat_in_an_account(&app).await;
        let token = secret(&create(&app, &session, "script").await);
        assert_eq!(app.get_json("/api/v1/me", Some(&token)).await.status, 200);
        for status in [roster_core::MembershipStatus::Disabled, roster_core::MembershipStatus::Archived] {
            let mut tx = app.db.store.begin().await.unwrap();
            tx.set_membership_status(account, pat.id, status).await.unwrap();
            tx.commit().await.unwrap();
            assert_eq!(app.get_json("/api/v1/me", Some(&token)).await.status, 401, "{status} membership");
        }
        let mut tx = app.db.store.begin().await.unwrap();
        tx.set_membership_status(account, pat.id, roster_core::MembershipStatus::Active).await.unwrap();
        assert!(tx.delete_membership(account, pat.id).await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(app.get_json("/api/v1/me", Some(&token)).await.status, 401, "deleted membership");
        let rows = app.db.store.read().await.unwrap().api_tokens_of(account, pat.id).await.unwrap();
        assert!(rows.is_empty(), "deleted with the membership, so a new membership does not revive it");
    })
    .await;
}

#[tokio::test]
async fn a_token_cannot_switch_account_and_logging_out_with_it_revokes_it() {
    each_backend(|app| async move {
        let (account, _, session) = pat_in_an_account(&app).await;
        let token = secret(&create(&app, &session, "deploy").await);
        let Answer { status, body } =
            app.post_json("/api/v1/auth/switch", Some(&token), &json!({ "account_id": account })).await;
        assert_eq!((status, body["code"].as_str()), (409, Some("token_bound_to_account")), "{body}");
        let Answer { status, body } = app.post_json("/api/v1/tokens", Some(&token), &json!({ "name": "child" })).await;
        assert_eq!((status, body["code"].as_str()), (403, Some("token_cannot_create_tokens")), "{body}");
        let Answer { status, body: list } = app.get_json("/api/v1/tokens", Some(&token)).await;
        assert_eq!((status, list["items"].as_array().map(Vec::len)), (200, Some(1)), "a token may list its siblings");

        assert_eq!(app.send(Method::POST, "/api/v1/auth/logout", &token, None).await.status, 204);
        assert_eq!(app.get_json("/api/v1/me", Some(&token)).await.status, 401, "revoked by logging out");
        assert_eq!(app.get_json("/api/v1/me", Some(&session)).await.status, 200, "the password session lives on");
        let list = app.get_json("/api/v1/tokens", Some(&session)).await.body;
        assert_eq!(list, json!({ "items": [], "next_cursor": null }));
    })
    .await;
}

#[tokio::test]
async fn creating_a_token_needs_a_chosen_account_and_a_valid_name() {
    each_backend(|app| async move {
        let (account, _, session) = pat_in_an_account(&app).await;
        // The operator owns two accounts: signing in chooses neither.
        let op = app.token("op@example.test", None).await;
        app.create_account(&op, "Second Works").await;
        let op = app.token("op@example.test", None).await;
        let Answer { status, body } = app.post_json("/api/v1/tokens", Some(&op), &json!({ "name": "x" })).await;
        assert_eq!((status, body["code"].as_str()), (409, Some("account_not_chosen")), "{body}");
        assert_eq!(app.get_json("/api/v1/tokens", Some(&op)).await.status, 409);
        let op = app.token("op@example.test", Some(account)).await;
        assert_eq!(app.post_json("/api/v1/tokens", Some(&op), &json!({ "name": "x" })).await.status, 201);

        for name in ["", "   ", &"n".repeat(101)] {
            let Answer { status, body } =
                app.post_json("/api/v1/tokens", Some(&session), &json!({ "name": name })).await;
            assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("name")), "{name:?}: {body}");
        }
        app.post_json("/api/v1/tokens", Some(&session), &json!({ "name": "n".repeat(100) })).await.assert_status(201);
        let status = app.post_json("/api/v1/tokens", Some(&session), &json!({ "nom": "x" })).await.status;
        assert_eq!(status, 422, "unknown fields are refused");
        assert_eq!(app.get_json("/api/v1/tokens", None).await.status, 401);
    })
    .await;
}

#[tokio::test]
async fn openapi_documents_the_token_endpoints() {
    each_backend(|app| async move {
        let doc = app.get_json("/api/v1/openapi.json", None).await.body;
        for (path, method) in
            [("/api/v1/tokens", "get"), ("/api/v1/tokens", "post"), ("/api/v1/tokens/{token_id}", "delete")]
        {
            let op = &doc["paths"][path][method];
            assert!(op.is_object(), "{method} {path} missing");
            assert_eq!(op["tags"][0], "sign-in");
        }
    })
    .await;
}

// ---- console ----

#[tokio::test]
async fn console_my_tokens_shows_the_secret_once_and_revokes_with_csrf() {
    each_backend(|app| async move {
        let (_, _, _) = pat_in_an_account(&app).await;
        let cookie = app.console_sign_in("pat@example.test").await;
        let Page { status, html } = app.page("/tokens", &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains("My tokens") && html.contains("You have no tokens in this account."));
        assert!(html.contains("href=\"/tokens\""), "linked from the user menu");
        let csrf = csrf_of(&html);

        let form = [("name", "Spreadsheet <sync>"), ("expires_on", "")];
        let res = app.client.post(app.at("/tokens")).header("cookie", &cookie).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 403, "the CSRF token is required");

        let bad = [("csrf", csrf.as_str()), ("name", ""), ("expires_on", "2001-01-01")];
        let res = app.client.post(app.at("/tokens")).header("cookie", &cookie).form(&bad).send().await.unwrap();
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"name-error\"") && html.contains("id=\"expires_on-error\""), "{html}");

        let good = [("csrf", csrf.as_str()), ("name", "Spreadsheet <sync>"), ("expires_on", "2099-12-31")];
        let res = app.client.post(app.at("/tokens")).header("cookie", &cookie).form(&good).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["cache-control"], "no-store");
        let html = res.text().await.unwrap();
        let token = html.split("value=\"roster_pat_").nth(1).unwrap().split('"').next().unwrap();
        let token = format!("roster_pat_{token}");
        assert!(html.contains("Spreadsheet &#60;sync&#62;") || html.contains("Spreadsheet &lt;sync&gt;"), "escaped");
        assert!(!html.contains("<sync>"));
        assert_eq!(app.get_json("/api/v1/me", Some(&token)).await.status, 200);

        let html = app.page("/tokens", &cookie).await.html;
        assert!(!html.contains(&token), "shown once only");
        assert!(html.contains(&format!("{}…", &token[..15])), "the prefix is listed");
        assert!(html.contains("2099-12-31 00:00 UTC"));
        let action = html.split("action=\"/tokens/").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let res = app
            .client
            .post(app.at(&format!("/tokens/{action}")))
            .header("cookie", &cookie)
            .form(&[("csrf", "wrong")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        let res = app
            .client
            .post(app.at(&format!("/tokens/{action}")))
            .header("cookie", &cookie)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/tokens?done=revoked");
        assert_eq!(app.get_json("/api/v1/me", Some(&token)).await.status, 401);
        let html = app.page("/tokens?done=revoked", &cookie).await.html;
        assert!(html.contains("Token revoked.") && html.contains("You have no tokens in this account."));
    })
    .await;
}

#[tokio::test]
async fn console_my_tokens_asks_to_choose_an_account_first() {
    each_backend(|app| async move {
        app.operator("op@example.test").await;
        let op = app.token("op@example.test", None).await;
        app.create_account(&op, "One").await;
        app.create_account(&op, "Two").await;
        let cookie = app.console_sign_in("op@example.test").await;
        let Page { status, html } = app.page("/tokens", &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains("Choose an account first"), "{html}");
        assert!(!html.contains("action=\"/tokens\""), "no create form without an account");
    })
    .await;
}
