//! Clear words (issue 15): a disabled member is told so after the right password (R-DIS-1), the
//! audit log names people (R-AUD-1), times in the viewer's zone, time zones from the IANA list,
//! sessions by browser and system, sign-in links, and the operator's users page.
use reqwest::Method;
use roster_testkit::app::{AppOptions, PASSWORD, TestApp, csrf_of, each_backend};
use serde_json::{Value, json};
use uuid::Uuid;

const FIREFOX_ON_WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

/// An account "Acme Works" owned by Olga (operator), with Sam (standard), whom Olga disabled.
async fn acme_with_disabled_sam(app: &TestApp) -> (Uuid, String, Uuid) {
    app.operator("olga@example.test").await;
    let token = app.token("olga@example.test", None).await;
    let account = app.create_account(&token, "Acme Works").await;
    let sam = app.seed_members(account, "standard", &[("Sam", "Staff", "sam@example.test")]).await.remove(0);
    let disable = format!("/api/v1/accounts/{account}/users/{}/disable", sam.id);
    assert_eq!(app.send(Method::POST, &disable, &token, None).await.status, 200);
    (account, token, sam.id)
}

async fn console_post(app: &TestApp, path: &str, form: &[(&str, &str)], cookie: Option<&str>) -> (u16, String) {
    let mut req = app.client.post(app.at(path)).form(form);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn r_dis_1_a_disabled_member_with_the_right_password_is_told_their_access_is_disabled() {
    each_backend(|app| async move {
        let (account, _, _) = acme_with_disabled_sam(&app).await;

        // API: the right password answers 403 access_disabled, naming the account.
        let right = json!({ "login": "sam@example.test", "password": PASSWORD });
        let roster_testkit::app::Answer { status, body } = app.post_json("/api/v1/auth/token", None, &right).await;
        assert_eq!((status, body["code"].as_str()), (403, Some("access_disabled")), "{body}");
        assert!(body["detail"].as_str().unwrap().contains("“Acme Works” is disabled"), "{body}");
        // Asking for that account by id says the same.
        let in_acme = json!({ "login": "sam@example.test", "password": PASSWORD, "account_id": account });
        let roster_testkit::app::Answer { status, body } = app.post_json("/api/v1/auth/token", None, &in_acme).await;
        assert_eq!((status, body["code"].as_str()), (403, Some("access_disabled")), "{body}");

        // A wrong password says exactly what an unknown login says: a stranger learns nothing.
        let wrong = json!({ "login": "sam@example.test", "password": "not the password at all" });
        let unknown = json!({ "login": "nobody@example.test", "password": "not the password at all" });
        let roster_testkit::app::Answer { status: ws, body: wb } =
            app.post_json("/api/v1/auth/token", None, &wrong).await;
        let roster_testkit::app::Answer { status: us, body: ub } =
            app.post_json("/api/v1/auth/token", None, &unknown).await;
        assert_eq!((ws, &wb), (us, &ub), "wrong password and unknown login answer alike");
        assert_eq!(ws, 401);
        assert!(!wb.to_string().contains("disabled"));

        // Console: the same, on the sign-in page, with the login kept.
        let (status, html) =
            console_post(&app, "/sign-in", &[("login", "sam@example.test"), ("password", PASSWORD)], None).await;
        assert_eq!(status, 403);
        assert!(html.contains("your access to “Acme Works” is disabled"), "{html}");
        assert!(html.contains("value=\"sam@example.test\""));
        let (status, html) = console_post(
            &app,
            "/sign-in",
            &[("login", "sam@example.test"), ("password", "not the password at all")],
            None,
        )
        .await;
        assert_eq!(status, 401);
        assert!(html.contains("The login or password is wrong.") && !html.contains("disabled"));
    })
    .await;
}

#[tokio::test]
async fn r_aud_1_the_audit_log_names_actor_target_and_impersonator_by_name_and_email() {
    each_backend(|app| async move {
        let (account, token, sam) = acme_with_disabled_sam(&app).await;
        let pat = app.seed_members(account, "employee", &[("Pat", "Member", "pat@example.test")]).await.remove(0);
        let owner_token = app.token("olga@example.test", Some(account)).await;
        let path = format!("/api/v1/accounts/{account}/users/{}/impersonate", pat.id);
        let roster_testkit::app::Answer { status, body } =
            app.send(Method::POST, &path, &owner_token, Some(json!({ "reason": "Ticket 7" }))).await;
        assert_eq!(status, 200, "{body}");
        let acting = body["access_token"].as_str().unwrap().to_owned();
        assert_eq!(app.post_json("/api/v1/auth/logout", Some(&acting), &Value::Null).await.status, 204);

        let roster_testkit::app::Answer { status, body: page } =
            app.get_json(&format!("/api/v1/accounts/{account}/audit"), Some(&token)).await;
        assert_eq!(status, 200, "{page}");
        let items = page["items"].as_array().unwrap();
        let disabled = items.iter().find(|e| e["action"] == "member.disabled").unwrap();
        assert_eq!(disabled["actor_name"], "Olga Operator");
        assert_eq!(disabled["actor_email"], "olga@example.test");
        assert_eq!(disabled["target_id"], sam.to_string(), "the ids stay");
        assert_eq!(disabled["target_name"], "Sam Staff");
        assert_eq!(disabled["target_email"], "sam@example.test");
        let ended = items.iter().find(|e| e["action"] == "member.impersonation_ended").unwrap();
        assert_eq!(ended["actor_name"], "Pat Member");
        assert_eq!(ended["impersonator_name"], "Olga Operator");
        assert_eq!(ended["impersonator_email"], "olga@example.test");

        let cookie = app.console_sign_in("olga@example.test").await;
        let roster_testkit::app::Page { status, html } = app.page(&format!("/accounts/{account}/audit"), &cookie).await;
        assert_eq!(status, 200);
        let html = html.replace("&#60;", "&lt;").replace("&#62;", "&gt;");
        assert!(html.contains("Olga Operator &lt;olga@example.test&gt;"), "{html}");
        assert!(html.contains("Sam Staff &lt;sam@example.test&gt;"), "{html}");
        assert!(html.contains("Pat Member &lt;pat@example.test&gt;"), "{html}");
        assert!(!html.contains(&sam.to_string()), "no raw ids for people: {html}");
    })
    .await;
}

/// `HH:MM` followed by `:SS` or a fraction would be a time with seconds or microseconds.
fn has_seconds(html: &str) -> bool {
    let b = html.as_bytes();
    b.windows(9).any(|w| {
        w[0].is_ascii_digit()
            && w[1].is_ascii_digit()
            && w[2] == b':'
            && w[3].is_ascii_digit()
            && w[4].is_ascii_digit()
            && (w[5] == b':' || w[5] == b'.')
            && w[6].is_ascii_digit()
            && w[7].is_ascii_digit()
    })
}

#[tokio::test]
async fn times_are_shown_in_the_viewers_time_zone_to_the_minute() {
    each_backend(|app| async move {
        let (account, token, _) = acme_with_disabled_sam(&app).await;
        let roster_testkit::app::Answer { status, body: me } =
            app.send(Method::PATCH, "/api/v1/me", &token, Some(json!({ "time_zone": "Asia/Kolkata" }))).await;
        assert_eq!((status, me["time_zone"].as_str()), (200, Some("Asia/Kolkata")), "{me}");
        let cookie = app.console_sign_in("olga@example.test").await;
        for path in [format!("/accounts/{account}/audit"), "/me/sessions".to_owned()] {
            let roster_testkit::app::Page { status, html } = app.page(&path, &cookie).await;
            assert_eq!(status, 200, "{path}");
            assert!(html.contains(" IST<"), "{path} in India time: {html}");
            assert!(!html.contains(" UTC<") && !has_seconds(&html), "{path}: {html}");
        }
    })
    .await;
}

#[tokio::test]
async fn time_zones_outside_the_iana_list_are_refused_naming_the_field() {
    each_backend(|app| async move {
        let (_, token, _) = acme_with_disabled_sam(&app).await;
        let roster_testkit::app::Answer { status, body } =
            app.send(Method::PATCH, "/api/v1/me", &token, Some(json!({ "time_zone": "Mars/Olympus_Mons" }))).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("time_zone")), "{body}");
        let roster_testkit::app::Answer { status, body } =
            app.send(Method::PATCH, "/api/v1/me", &token, Some(json!({ "time_zone": "europe/paris" }))).await;
        assert_eq!((status, body["time_zone"].as_str()), (200, Some("Europe/Paris")), "canonical spelling: {body}");

        let cookie = app.console_sign_in("olga@example.test").await;
        let roster_testkit::app::Page { html, .. } = app.page("/me", &cookie).await;
        assert!(html.contains("<option value=\"America/New_York\">"), "the form suggests the IANA names");
        let csrf = csrf_of(&html);
        let form = [
            ("csrf", csrf.as_str()),
            ("first_name", "Olga"),
            ("last_name", "Operator"),
            ("time_zone", "Europe/Pariss"),
        ];
        let (status, html) = console_post(&app, "/me", &form, Some(&cookie)).await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"time_zone-error\""), "{html}");
    })
    .await;
}

#[tokio::test]
async fn sessions_show_browser_and_system_in_words() {
    each_backend(|app| async move {
        acme_with_disabled_sam(&app).await;
        let res = app
            .client
            .post(app.at("/sign-in"))
            .header("user-agent", FIREFOX_ON_WINDOWS)
            .form(&[("login", "olga@example.test"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let cookie = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
        let roster_testkit::app::Page { status, html } = app.page("/me/sessions", &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains(">Firefox on Windows</td>"), "{html}");
        assert!(html.contains(&format!("title=\"{FIREFOX_ON_WINDOWS}\"")), "the raw string only as a tooltip");
        assert_eq!(html.matches("Gecko/20100101").count(), 1, "{html}");
        let roster_testkit::app::Answer { body: sessions, .. } =
            app.get_json("/api/v1/me/sessions", Some(&app.token("olga@example.test", None).await)).await;
        let named: Vec<&str> = sessions
            .as_array()
            .or_else(|| sessions["items"].as_array())
            .unwrap()
            .iter()
            .map(|s| s["device_name"].as_str().unwrap())
            .collect();
        assert!(named.contains(&"Firefox on Windows"), "{sessions}");
    })
    .await;
}

#[tokio::test]
async fn r_auth_3_sign_in_links_to_register_only_when_registration_is_open_and_always_to_forgot_password() {
    for backend in roster_testkit::db::backends().await {
        for open in [true, false] {
            let app = TestApp::builder()
                .backend(backend)
                .options(AppOptions { open_registration: open, ..AppOptions::default() })
                .build()
                .await;
            let html = app.client.get(app.at("/sign-in")).send().await.unwrap().text().await.unwrap();
            assert!(html.contains("href=\"/forgot-password\""), "{html}");
            assert_eq!(html.contains("href=\"/register\""), open, "{html}");
        }
    }
}

#[tokio::test]
async fn the_operator_sees_every_login_on_the_users_page_with_search_and_paging_and_others_get_404() {
    each_backend(|app| async move {
        let (account, _, _) = acme_with_disabled_sam(&app).await;
        let people: Vec<(String, String, String)> =
            (0..52).map(|i| ("Member".to_owned(), format!("N{i:02}"), format!("m{i:02}@example.test"))).collect();
        let refs: Vec<(&str, &str, &str)> =
            people.iter().map(|(f, l, e)| (f.as_str(), l.as_str(), e.as_str())).collect();
        app.seed_members(account, "standard", &refs).await;
        let owner_of_other = app.seed_members(account, "admin", &[("Ada", "Admin", "ada@example.test")]).await;

        let cookie = app.console_sign_in("olga@example.test").await;
        let roster_testkit::app::Page { status, html: first } = app.page("/users", &cookie).await;
        assert_eq!(status, 200);
        assert!(first.contains("ada@example.test") && first.contains("m00@example.test"));
        assert!(!first.contains("sam@example.test"), "ordered by email, sam is on page 2");
        let next = first.split("cursor=").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let roster_testkit::app::Page { status, html: second } =
            app.page(&format!("/users?q=&cursor={next}"), &cookie).await;
        assert_eq!(status, 200);
        assert!(second.contains("sam@example.test") && second.contains("olga@example.test"), "{second}");
        assert!(!second.contains("ada@example.test"));

        let roster_testkit::app::Page { html: found, .. } = app.page("/users?q=STAFF", &cookie).await;
        assert!(found.contains("sam@example.test") && !found.contains("m01@example.test"), "{found}");
        let roster_testkit::app::Page { html: none, .. } = app.page("/users?q=%25", &cookie).await;
        assert!(none.contains("Nobody matches"), "a % is a character, not a wildcard");

        // The operator's accounts list links to each outbox; every outbox names accounts.
        let roster_testkit::app::Page { html: accounts, .. } = app.page("/accounts", &cookie).await;
        assert!(accounts.contains(&format!(" · <a href=\"/accounts/{account}/emails\">Outbox</a>")), "{accounts}");

        // Anyone else: there is no such page.
        let ada = app.console_sign_in(&owner_of_other[0].email).await;
        assert_eq!(app.page("/users", &ada).await.status, 404);
        let roster_testkit::app::Page { html: accounts, .. } = app.page("/accounts", &ada).await;
        assert!(!accounts.contains(">Outbox</a></td>"), "{accounts}");
    })
    .await;
}
