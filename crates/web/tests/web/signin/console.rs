//! The console over plain HTTP: forms, cookies, CSRF, escaping, error pages.
use roster_testkit::app::{PASSWORD, Page, csrf_of, each_backend};
use serde_json::json;

#[tokio::test]
async fn session_cookie_has_safe_flags() {
    each_backend(|app| async move {
        app.operator("ada@example.com").await;
        let res = app
            .client
            .post(app.at("/sign-in"))
            .form(&[("login", "ada@example.com"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        let c = res.headers()["set-cookie"].to_str().unwrap();
        assert!(c.starts_with("roster_session=rst_"), "{c}");
        for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(c.contains(flag), "{flag} missing in {c}");
        }
        assert!(!c.contains("Secure"), "no Secure flag on plain http, or browsers drop the cookie");
    })
    .await;
}

#[tokio::test]
async fn failed_sign_in_keeps_the_login_but_not_the_password() {
    each_backend(|app| async move {
        app.operator("ada@example.com").await;
        let res = app
            .client
            .post(app.at("/sign-in"))
            .form(&[("login", "ada@example.com"), ("password", "not it at all")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        let html = res.text().await.unwrap();
        assert!(html.contains("The login or password is wrong."));
        assert!(html.contains("value=\"ada@example.com\""));
        assert!(!html.contains("not it at all"));
        assert!(
            html.contains("<label for=\"login\">") && html.contains("<label for=\"password\">"),
            "labels on every input"
        );
    })
    .await;
}

#[tokio::test]
async fn csrf_is_required_for_console_forms_and_cookie_api_calls() {
    each_backend(|app| async move {
        app.operator("ada@example.com").await;
        let cookie = app.console_sign_in("ada@example.com").await;

        // A console form without the token is refused with a page, and nothing is created.
        let res = app
            .client
            .post(app.at("/accounts/new"))
            .header("cookie", &cookie)
            .form(&[("name", "Acme")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        let html = app.page("/accounts", &cookie).await.html;
        assert!(!html.contains("Acme"), "nothing was written");

        // The cookie also works for the API, but unsafe methods need X-CSRF-Token.
        let res = app
            .client
            .post(app.at("/api/v1/accounts"))
            .header("cookie", &cookie)
            .json(&json!({"name": "Acme"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        assert_eq!(res.json::<serde_json::Value>().await.unwrap()["code"], "csrf_failed");
        let form = app.page("/accounts/new", &cookie).await.html;
        let csrf = csrf_of(&form);
        let res = app
            .client
            .post(app.at("/api/v1/accounts"))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .json(&json!({"name": "Acme"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        // Safe methods need no token.
        let res = app.client.get(app.at("/api/v1/me")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(res.status(), 200);
        // The console's session is not a bearer token.
        let secret = cookie.split_once('=').unwrap().1;
        let res = app.client.get(app.at("/api/v1/me")).bearer_auth(secret).send().await.unwrap();
        assert_eq!(res.status(), 401);
    })
    .await;
}

#[tokio::test]
async fn cross_site_sign_in_posts_are_refused() {
    each_backend(|app| async move {
        app.operator("ada@example.com").await;
        let res = app
            .client
            .post(app.at("/sign-in"))
            .header("sec-fetch-site", "cross-site")
            .form(&[("login", "ada@example.com"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        assert!(!res.headers().contains_key("set-cookie"));
        let res = app
            .client
            .post(app.at("/sign-in"))
            .header("origin", "https://evil.example")
            .form(&[("login", "ada@example.com"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
    })
    .await;
}

#[tokio::test]
async fn setup_link_works_once() {
    each_backend(|app| async move {
        let secret = app.service.issue_setup_token().await.unwrap().unwrap();
        let Page { status, html } = app.page(&format!("/setup?token={secret}"), "").await;
        assert_eq!(status, 200);
        assert!(html.contains("Set up Roster"));
        app.page("/setup?token=setup_wrong", "").await.assert_status(410);

        let form = [
            ("token", secret.as_str()),
            ("first_name", "Ada"),
            ("last_name", "Lovelace"),
            ("email", "bad"),
            ("password", "short"),
        ];
        let res = app.client.post(app.at("/setup")).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(
            html.contains("Enter a valid email address") && html.contains("Use at least 8 characters."),
            "field errors shown"
        );
        assert!(html.contains("value=\"Ada\""), "typed values kept");

        let form = [
            ("token", secret.as_str()),
            ("first_name", "Ada"),
            ("last_name", "Lovelace"),
            ("email", "ada@example.com"),
            ("password", PASSWORD),
        ];
        let res = app.client.post(app.at("/setup")).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/accounts");
        let res = app.client.post(app.at("/setup")).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 410, "the link is single use");
        assert!(app.service.issue_setup_token().await.unwrap().is_none(), "no new link once an operator exists");
    })
    .await;
}

#[tokio::test]
async fn names_are_escaped_in_pages() {
    each_backend(|app| async move {
        app.operator("ada@example.com").await;
        let token = app.token("ada@example.com", None).await;
        let account = app.create_account(&token, "<script>alert(1)</script>").await;
        let cookie = app.console_sign_in("ada@example.com").await;
        let Page { status, html } = app.page(&format!("/accounts/{account}/team"), &cookie).await;
        assert_eq!(status, 200);
        assert!(!html.contains("<script>alert(1)</script>"));
        assert!(html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"), "escaped");
    })
    .await;
}

#[tokio::test]
async fn console_pages_answer_helpfully_when_things_are_missing() {
    each_backend(|app| async move {
        app.operator("ada@example.com").await;
        let cookie = app.console_sign_in("ada@example.com").await;
        let Page { status, html } = app.page("/no/such/page", &cookie).await;
        assert_eq!(status, 404);
        assert!(html.contains("There is no page at this address."));
        app.page("/accounts/not-an-id/team", &cookie).await.assert_status(404);
        app.page(&format!("/accounts/{}/team", uuid::Uuid::now_v7()), &cookie).await.assert_status(404);
        // Not signed in: sent to sign in.
        let res = app.client.get(app.at("/accounts")).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/sign-in");
    })
    .await;
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    each_backend(|app| async move {
        app.operator("ada@example.com").await;
        let cookie = app.console_sign_in("ada@example.com").await;
        let html = app.page("/accounts", &cookie).await.html;
        let csrf = csrf_of(&html);
        let res = app
            .client
            .post(app.at("/sign-out"))
            .header("cookie", &cookie)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert!(res.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
        let res = app.client.get(app.at("/accounts")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(res.status(), 303, "the old cookie no longer works");
    })
    .await;
}
