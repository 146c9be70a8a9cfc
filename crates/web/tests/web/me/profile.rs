//! The caller's own profile, password and sessions (issue "Sign-in": my profile, my sessions).
use std::time::Duration;

use roster_testkit::app::{Answer, PASSWORD, each_backend};
use serde_json::json;

const NEW_PASSWORD: &str = "amber kettle meadow";

#[tokio::test]
async fn my_sessions_lists_and_ends_them_at_once() {
    each_backend(|app| async move {
        app.operator("ada@example.test").await;
        let laptop = app.token("ada@example.test", None).await;
        let phone = app.token("ada@example.test", None).await;
        let spare = app.token("ada@example.test", None).await;
        let Answer { status, body: list } = app.get_json("/api/v1/me/sessions", Some(&laptop)).await;
        assert_eq!(status, 200);
        let list = list.as_array().unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
        let mine = app.get_json("/api/v1/me/sessions", Some(&phone)).await.body;
        let phone_id = mine.as_array().unwrap().iter().find(|s| s["current"] == true).unwrap()["id"].clone();
        let path = format!("/api/v1/me/sessions/{}", phone_id.as_str().unwrap());
        app.send(reqwest::Method::DELETE, &path, &laptop, None).await.assert_status(204);
        assert_eq!(app.get_json("/api/v1/me", Some(&phone)).await.status, 401, "ended at once");
        app.send(reqwest::Method::DELETE, &path, &laptop, None).await.assert_status(404);
        let Answer { status, body } =
            app.send(reqwest::Method::POST, "/api/v1/me/sessions/end-others", &laptop, None).await;
        assert_eq!((status, body["ended"].as_u64()), (200, Some(1)));
        assert_eq!(app.get_json("/api/v1/me", Some(&spare)).await.status, 401);
        assert_eq!(app.get_json("/api/v1/me", Some(&laptop)).await.status, 200, "this session stays");
    })
    .await;
}

#[tokio::test]
async fn changing_my_password_checks_the_current_one_and_ends_other_sessions() {
    each_backend(|app| async move {
        app.operator("grace@example.test").await;
        let here = app.token("grace@example.test", None).await;
        let elsewhere = app.token("grace@example.test", None).await;
        let wrong = json!({ "current_password": "not it at all", "password": NEW_PASSWORD });
        let Answer { status, body } = app.send(reqwest::Method::POST, "/api/v1/me/password", &here, Some(wrong)).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("current_password")), "{body}");
        let common = json!({ "current_password": PASSWORD, "password": "qwerty123" });
        let Answer { status, body } = app.send(reqwest::Method::POST, "/api/v1/me/password", &here, Some(common)).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("password")), "{body}");
        let good = json!({ "current_password": PASSWORD, "password": NEW_PASSWORD });
        app.send(reqwest::Method::POST, "/api/v1/me/password", &here, Some(good)).await.assert_status(204);
        assert_eq!(app.get_json("/api/v1/me", Some(&elsewhere)).await.status, 401);
        assert_eq!(app.get_json("/api/v1/me", Some(&here)).await.status, 200);
        let body = json!({ "login": "grace@example.test", "password": NEW_PASSWORD });
        assert_eq!(app.post_json("/api/v1/auth/token", None, &body).await.status, 200);
        let notice = &app.smtp.wait_for(1, Duration::from_secs(15)).await[0];
        assert!(notice.header("Subject").unwrap().to_lowercase().contains("password"));
        assert!(!notice.data.contains(NEW_PASSWORD));
    })
    .await;
}

#[tokio::test]
async fn my_profile_changes_the_name_everywhere_and_checks_the_time_zone() {
    each_backend(|app| async move {
        let owner = app.owner("Profiles").await;
        let token = owner.bearer().to_owned();
        let account = owner.account();
        app.seed_members(account, "standard", &[("Zed", "Zulu", "zed@example.test")]).await;
        let change = json!({ "first_name": "Aaron", "time_zone": "Europe/Paris" });
        let Answer { status, body: me } = app.send(reqwest::Method::PATCH, "/api/v1/me", &token, Some(change)).await;
        assert_eq!(status, 200, "{me}");
        assert_eq!((me["first_name"].as_str(), me["time_zone"].as_str()), (Some("Aaron"), Some("Europe/Paris")));
        let team = app.get_json(&format!("/api/v1/accounts/{account}/users"), Some(&token)).await.body;
        assert_eq!(team["items"][0]["first_name"], "Aaron", "the team list sorts by the new name: {team}");
        let bad = json!({ "time_zone": "../../etc" });
        let Answer { status, body } = app.send(reqwest::Method::PATCH, "/api/v1/me", &token, Some(bad)).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("time_zone")));
    })
    .await;
}

#[tokio::test]
async fn console_profile_and_sessions_pages() {
    each_backend(|app| async move {
        app.operator("con@example.test").await;
        let res = app
            .client
            .post(app.at("/sign-in"))
            .form(&[("login", "con@example.test"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        let cookie = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
        let html = app.client.get(app.at("/me")).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("con@example.test"));
        let csrf = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let res = app
            .client
            .post(app.at("/me"))
            .header("cookie", &cookie)
            .form(&[("csrf", csrf.as_str()), ("first_name", "Connie"), ("last_name", ""), ("time_zone", "UTC")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("value=\"Connie\""), "what was typed stays");
        assert!(html.contains("last_name-error"));
        let html = app
            .client
            .get(app.at("/me/sessions"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("this session"));
        let res = app
            .client
            .post(app.at("/me/sessions/end-others"))
            .header("cookie", &cookie)
            .form(&[("csrf", "wrong")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
    })
    .await;
}
