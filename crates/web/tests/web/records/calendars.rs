//! Calendars and events through HTTP (R-CAL-1): a member's journey, validation answers, the
//! reach of `calendars.view_all` (see, not change) and the default calendar that stays.
use roster_testkit::app::{TestApp, each_backend};
use serde_json::json;

#[tokio::test]
async fn r_cal_1_a_member_keeps_a_calendar_of_events_and_a_viewer_only_sees_it() {
    each_backend(|app: TestApp| async move {
        let owner = app.owner("Acme").await;
        let a = owner.account();
        let emp = app.member_with(&owner, "employee").await;
        let base = format!("/api/v1/accounts/{a}");
        // No calendar yet: the first event makes the default one (decision 0086).
        let made = app
            .post_json(
                &format!("{base}/events"),
                Some(emp.bearer()),
                &json!({ "title": "Site visit", "starts_at": "2030-03-04T09:00:00+01:00", "ends_at": "2030-03-04T10:30:00+01:00" }),
            )
            .await;
        made.assert_status(201);
        assert_eq!(made["starts_at"], "2030-03-04T08:00:00Z");
        let ev = made.id();
        let cals = app.get_json(&format!("{base}/calendars"), Some(emp.bearer())).await;
        cals.assert_status(200);
        assert_eq!(cals.items().len(), 1);
        assert_eq!(cals.items()[0]["is_default"], true);
        let cal = cals.items()[0]["id"].as_str().unwrap().to_owned();
        // An all-day event, by dates.
        let day = app
            .post_json(
                &format!("{base}/events"),
                Some(emp.bearer()),
                &json!({ "title": "Holiday", "all_day": true, "starts_at": "2030-03-05", "ends_at": "2030-03-06", "calendar_id": cal }),
            )
            .await;
        day.assert_status(201);
        assert_eq!((day["starts_at"].as_str(), day["ends_at"].as_str()), (Some("2030-03-05"), Some("2030-03-06")));
        let week = app.get_json(&format!("{base}/events?from=2030-03-04&to=2030-03-11"), Some(emp.bearer())).await;
        let titles: Vec<&str> = week.items().iter().map(|e| e["title"].as_str().unwrap()).collect();
        assert_eq!(titles, vec!["Site visit", "Holiday"]);

        // Validation: named fields, never a 500.
        let bad = app
            .post_json(
                &format!("{base}/events"),
                Some(emp.bearer()),
                &json!({ "title": "x", "starts_at": "2030-03-04T10:00:00Z", "ends_at": "2030-03-04T09:00:00Z" }),
            )
            .await;
        bad.assert_status(422);
        assert!(bad.body.to_string().contains("ends_at"), "{bad}");
        let bad = app
            .post_json(
                &format!("{base}/events"),
                Some(emp.bearer()),
                &json!({ "title": "x", "starts_at": "2300-01-01T10:00:00Z", "ends_at": "2300-01-01T11:00:00Z", "contact_id": uuid::Uuid::now_v7() }),
            )
            .await;
        bad.assert_status(422);
        let s = bad.body.to_string();
        assert!(s.contains("starts_at") && s.contains("ends_at"), "{bad}");
        let bad = app
            .post_json(
                &format!("{base}/events"),
                Some(emp.bearer()),
                &json!({ "title": "x", "starts_at": "2030-03-04T10:00:00Z", "ends_at": "2030-03-04T11:00:00Z", "contact_id": uuid::Uuid::now_v7() }),
            )
            .await;
        bad.assert_status(422);
        assert!(bad.body.to_string().contains("contact_id"), "{bad}");
        app.get_json(&format!("{base}/events/not-a-uuid"), Some(emp.bearer())).await.assert_status(404);

        // The default calendar stays; it can be renamed.
        let del = app.send(reqwest::Method::DELETE, &format!("{base}/calendars/{cal}"), emp.bearer(), None).await;
        del.assert_status(409);
        assert_eq!(del.code(), Some("default_record"));
        let renamed =
            app.send(reqwest::Method::PATCH, &format!("{base}/calendars/{cal}"), emp.bearer(), Some(json!({ "name": "Field work" }))).await;
        renamed.assert_status(200);
        assert_eq!(renamed["name"], "Field work");

        // The owner (calendars.view_all) sees it and may not change it; a salesperson's peer
        // without view_all does not see it at all.
        app.get_json(&format!("{base}/events/{ev}"), Some(owner.bearer())).await.assert_status(200);
        let refused =
            app.send(reqwest::Method::PATCH, &format!("{base}/events/{ev}"), owner.bearer(), Some(json!({ "title": "Mine" }))).await;
        refused.assert_status(403);
        assert_eq!(refused.rule(), Some("R-CAL-1"));
        let vendor = app.member_with(&owner, "vendor").await;
        app.get_json(&format!("{base}/events/{ev}"), Some(vendor.bearer())).await.assert_status(404);
        let none = app.get_json(&format!("{base}/events?from=2030-03-01&to=2030-04-01"), Some(vendor.bearer())).await;
        assert!(none.items().is_empty());

        // The member deletes their own event.
        app.send(reqwest::Method::DELETE, &format!("{base}/events/{ev}"), emp.bearer(), None).await.assert_status(204);
        app.get_json(&format!("{base}/events/{ev}"), Some(emp.bearer())).await.assert_status(404);
    })
    .await;
}

#[tokio::test]
async fn r_cal_1_the_console_week_adds_events_shows_errors_by_their_fields_and_compares() {
    each_backend(|app: TestApp| async move {
        let owner = app.owner("Acme").await;
        let a = owner.account();
        let emp = app.member_with(&owner, "employee").await;
        let cookie = app.console_sign_in(&emp.email).await;
        let page = app.page(&format!("/accounts/{a}/calendar?week=2030-03-06"), &cookie).await;
        page.assert_status(200);
        assert!(page.html.contains("Week of 2030-03-04"), "Monday of that week");
        assert!(page.html.contains("href=\"/accounts/") && page.html.contains("/calendar\""), "nav entry");
        let csrf = roster_testkit::app::csrf_of(&page.html);
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let post = |form: Vec<(&'static str, String)>| {
            client.post(app.at(&format!("/accounts/{a}/calendar"))).header("cookie", cookie.clone()).form(&form).send()
        };
        let bad = post(vec![
            ("csrf", csrf.clone()),
            ("title", "<b>Stand-up</b>".into()),
            ("day", "2030-03-05".into()),
            ("start", "10:00".into()),
            ("end", "09:00".into()),
        ])
        .await
        .unwrap();
        assert_eq!(bad.status(), 422);
        let html = bad.text().await.unwrap();
        assert!(html.contains("id=\"end-error\""), "the error sits by the end field");
        assert!(html.contains("Stand-up") && !html.contains("<b>Stand-up"), "what was typed, escaped");
        let ok = post(vec![
            ("csrf", csrf.clone()),
            ("title", "Stand-up".into()),
            ("day", "2030-03-05".into()),
            ("start", "09:00".into()),
            ("end", "09:15".into()),
        ])
        .await
        .unwrap();
        assert_eq!(ok.status(), 303);
        let page = app.page(&format!("/accounts/{a}/calendar?week=2030-03-04"), &cookie).await;
        assert!(page.html.contains("Stand-up"));
        let next = app.page(&format!("/accounts/{a}/calendar?week=2030-03-11"), &cookie).await;
        assert!(!next.html.contains("Stand-up"), "another week");
        // The owner (view_all) compares: the employee shows their calendar by default.
        let owner_cookie = app.console_sign_in(&owner.email).await;
        let cmp = app.page(&format!("/accounts/{a}/calendar/compare?week=2030-03-04"), &owner_cookie).await;
        cmp.assert_status(200);
        assert!(cmp.html.contains("Stand-up"), "{}", cmp.html);
        // Another account's calendar page is not found.
        let other = app.create_account(owner.bearer(), "Other").await;
        let page = app.page(&format!("/accounts/{other}/calendar"), &cookie).await;
        assert_eq!(page.status, 404);
    })
    .await;
}
