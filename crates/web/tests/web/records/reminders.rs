//! The daily reminder through a real SMTP exchange (R-MAIL-5): at 07:00 in the member's own
//! time zone, one email with their day, to them only; nothing before, nothing twice.
use std::time::Duration;

use reqwest::Method;
use roster_testkit::app::{PASSWORD, each_backend};
use serde_json::json;
use time::macros::datetime;
use uuid::Uuid;

#[tokio::test]
async fn r_mail_5_daily_reminder_arrives_by_smtp_at_seven_in_the_members_zone() {
    each_backend(|app| async move {
        let olga = app.operator("olga@example.test").await;
        let t = app.token(&olga.email, None).await;
        let acme = app.create_account(&t, "Acme").await;
        let t = app.token(&olga.email, Some(acme)).await;
        let body = json!({ "email": "tomo@example.test", "first_name": "Tomo", "last_name": "Sato",
                           "password": PASSWORD, "send_welcome": false, "role": "employee",
                           "preferences": { "daily_reminders": true } });
        let added = app.send(Method::POST, &format!("/api/v1/accounts/{acme}/users"), &t, Some(body)).await;
        assert_eq!(added.status, 201, "{}", added.body);
        let tomo = app.token("tomo@example.test", Some(acme)).await;
        let tz = app.send(Method::PATCH, "/api/v1/me", &tomo, Some(json!({ "time_zone": "Asia/Tokyo" }))).await;
        assert_eq!(tz.status, 200, "{}", tz.body);
        let lists = app.send(Method::GET, &format!("/api/v1/accounts/{acme}/todo-lists"), &tomo, None).await;
        let list: Uuid = lists.body["items"][0]["id"].as_str().unwrap().parse().unwrap();
        let todo = json!({ "title": "Call the printer", "due_on": "2031-05-06" });
        let made = app
            .send(Method::POST, &format!("/api/v1/accounts/{acme}/todo-lists/{list}/todos"), &tomo, Some(todo))
            .await;
        assert_eq!(made.status, 201, "{}", made.body);
        app.smtp.forget();

        // 06:50 in Tokyo (21:50 UTC the day before): not yet.
        let early = app.service.run_daily_reminders(datetime!(2031-05-05 21:50 UTC)).await.unwrap();
        assert_eq!(early.sent, 0, "{early:?}");
        // 07:10 in Tokyo: Tomo's day, once, to Tomo.
        let run = app.service.run_daily_reminders(datetime!(2031-05-05 22:10 UTC)).await.unwrap();
        assert_eq!(run.sent, 1, "{run:?}");
        let mail = app.smtp.wait_for(1, Duration::from_secs(15)).await.remove(0);
        assert_eq!(mail.to, vec!["tomo@example.test".to_owned()]);
        assert_eq!(mail.header("Subject").as_deref(), Some("Your day in Acme: 2031-05-06"));
        let text = mail.part("text/plain").unwrap();
        assert!(text.contains("- Call the printer"), "{text}");
        let again = app.service.run_daily_reminders(datetime!(2031-05-06 02:00 UTC)).await.unwrap();
        assert_eq!(again.sent, 0, "once per member per local day");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(app.smtp.count(), 1, "nothing else was sent");
    })
    .await;
}

/// `preferences` on POST …/users (API.md): taken as given; an unknown contact tab is 422 naming
/// `preferences.contact_tab`, and nobody is added.
#[tokio::test]
async fn r_add_1_preferences_given_when_adding_are_kept_and_checked() {
    each_backend(|app| async move {
        let olga = app.operator("olga@example.test").await;
        let t = app.token(&olga.email, None).await;
        let acme = app.create_account(&t, "Acme").await;
        let t = app.token(&olga.email, Some(acme)).await;
        let users = format!("/api/v1/accounts/{acme}/users");
        let bad = json!({ "email": "ann@example.test", "first_name": "Ann", "last_name": "Lee", "send_welcome": false,
                          "preferences": { "contact_tab": "gossip" } });
        let refused = app.send(Method::POST, &users, &t, Some(bad)).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert_eq!(refused.body["errors"][0]["field"], "preferences.contact_tab");
        let list = app.send(Method::GET, &users, &t, None).await;
        assert!(!list.body.to_string().contains("ann@example.test"), "nobody was added");
        let good = json!({ "email": "ann@example.test", "first_name": "Ann", "last_name": "Lee", "send_welcome": false,
                           "preferences": { "contact_tab": "todos", "show_calendar": true, "daily_reminders": true } });
        let added = app.send(Method::POST, &users, &t, Some(good)).await;
        assert_eq!(added.status, 201, "{}", added.body);
        let prefs = &added.body["preferences"];
        assert_eq!((prefs["contact_tab"].as_str(), prefs["show_calendar"].as_bool()), (Some("todos"), Some(true)));
        assert_eq!(prefs["daily_reminders"], true);
    })
    .await;
}
