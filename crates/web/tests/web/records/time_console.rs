//! The time pages through the console (R-TIME-1): start and stop from the header form, a
//! second start shows the 409's sentence with a switch button, manual entries with errors next
//! to fields, edit and delete, the report's table, totals and SVG chart, its CSV.
use roster_testkit::app::{TestApp, csrf_of, each_backend};
use serde_json::json;

async fn post_form(app: &TestApp, path: &str, cookie: &str, form: &[(&str, &str)]) -> (u16, String, String) {
    let res = app.client.post(app.at(path)).header("cookie", cookie).form(form).send().await.unwrap();
    let status = res.status().as_u16();
    let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, location, res.text().await.unwrap())
}

#[tokio::test]
async fn r_time_1_console_timer_entries_and_report() {
    each_backend(|app: TestApp| async move {
        let owner = app.owner("Acme").await;
        let a = owner.account();
        let cookie = app.console_sign_in(&owner.email).await;
        let project = app
            .post_json(&format!("/api/v1/accounts/{a}/projects"), Some(owner.bearer()), &json!({ "name": "Garden" }))
            .await
            .id();
        // The header has the timer form on every account page.
        let home = app.page(&format!("/accounts/{a}/projects/{project}"), &cookie).await;
        home.assert_status(200);
        assert!(home.html.contains(&format!("action=\"/accounts/{a}/time/start\"")), "header form");
        assert!(home.html.contains("Start a timer on this project"));
        let csrf = csrf_of(&home.html);
        let back = format!("/accounts/{a}/projects/{project}");
        let pid = project.to_string();
        let (status, location, _) = post_form(
            &app,
            &format!("/accounts/{a}/time/start"),
            &cookie,
            &[("csrf", &csrf), ("project_id", &pid), ("back", &back)],
        )
        .await;
        assert_eq!((status, location.as_str()), (303, back.as_str()));
        // A second start: 409 with the sentence and a switch button; nothing stopped.
        let (status, _, html) =
            post_form(&app, &format!("/accounts/{a}/time/start"), &cookie, &[("csrf", &csrf), ("note", "Calls")]).await;
        assert_eq!(status, 409, "{html}");
        assert!(html.contains("is running since") && html.contains(&pid), "{html}");
        assert!(html.contains("name=\"switch\""));
        let (status, _, _) = post_form(
            &app,
            &format!("/accounts/{a}/time/start"),
            &cookie,
            &[("csrf", &csrf), ("note", "Calls"), ("switch", "1")],
        )
        .await;
        assert_eq!(status, 303);
        let page = app.page(&format!("/accounts/{a}/time"), &cookie).await;
        page.assert_status(200);
        assert!(page.html.contains("Your timer runs since") && page.html.contains(": Calls."), "{}", page.html);
        // The header offers Stop while it runs, Start once it stopped.
        assert!(page.html.contains("Timer running: Calls") && !page.html.contains("header-timer-note"));
        let (status, _, _) = post_form(&app, &format!("/accounts/{a}/time/stop"), &cookie, &[("csrf", &csrf)]).await;
        assert_eq!(status, 303);
        let page = app.page(&format!("/accounts/{a}/time"), &cookie).await;
        assert!(page.html.contains("header-timer-note") && !page.html.contains("Timer running"));
        let (status, _, html) = post_form(&app, &format!("/accounts/{a}/time/stop"), &cookie, &[("csrf", &csrf)]).await;
        assert_eq!(status, 404);
        assert!(html.contains("No timer of yours is running."));
        // A manual entry: errors next to their fields, then one that works.
        let (status, _, html) = post_form(
            &app,
            &format!("/accounts/{a}/time"),
            &cookie,
            &[("csrf", &csrf), ("day", "2026-03-02"), ("start", "10:00"), ("end", "09:00")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"ended_at-error\""), "{html}");
        let (status, _, html) = post_form(
            &app,
            &format!("/accounts/{a}/time"),
            &cookie,
            &[("csrf", &csrf), ("day", "2026-03-02"), ("start", "09:00"), ("minutes", "lots")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"minutes-error\""), "{html}");
        let (status, _, _) = post_form(
            &app,
            &format!("/accounts/{a}/time"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("day", "2026-03-02"),
                ("start", "09:00"),
                ("end", "11:30"),
                ("project_id", &pid),
                ("note", "<b>Beds</b>"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let page = app.page(&format!("/accounts/{a}/time"), &cookie).await;
        assert!(
            page.html.contains("2.50") && page.html.contains("Beds") && !page.html.contains("<b>Beds"),
            "{}",
            page.html
        );
        // Edit: an hour more.
        let list = app
            .get_json(&format!("/api/v1/accounts/{a}/time-entries?from=2026-03-02&to=2026-03-02"), Some(owner.bearer()))
            .await;
        let entry = list.items()[0]["id"].as_str().unwrap().to_owned();
        let edit = app.page(&format!("/accounts/{a}/time/{entry}/edit"), &cookie).await;
        edit.assert_status(200);
        assert!(edit.html.contains("value=\"11:30\""), "{}", edit.html);
        let (status, _, _) = post_form(
            &app,
            &format!("/accounts/{a}/time/{entry}/edit"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("day", "2026-03-02"),
                ("start", "09:00"),
                ("end", "12:30"),
                ("project_id", &pid),
                ("note", "Beds"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        // The report: table, total and chart.
        let report = app
            .page(&format!("/accounts/{a}/time/report?from=2026-03-01&to=2026-03-15&group=project,week"), &cookie)
            .await;
        report.assert_status(200);
        assert!(
            report.html.contains("<svg class=\"chart\"") && report.html.contains("Week of 03-02: 3.50 hours"),
            "{}",
            report.html
        );
        assert!(report.html.contains("<td>Garden</td>"));
        let bad = app.page(&format!("/accounts/{a}/time/report?from=2026-03-20&to=2026-03-01"), &cookie).await;
        bad.assert_status(422);
        assert!(bad.html.contains("id=\"to-error\""));
        let csv = app
            .client
            .get(app.at(&format!("/accounts/{a}/time/report.csv?from=2026-03-01&to=2026-03-15&group=project")))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), 200);
        let text = csv.text().await.unwrap();
        assert!(text.starts_with("project_id,project,hours,entries") && text.contains("Garden,3.50,1"), "{text}");
        // Delete.
        let (status, _, _) =
            post_form(&app, &format!("/accounts/{a}/time/{entry}/delete"), &cookie, &[("csrf", &csrf)]).await;
        assert_eq!(status, 303);
        app.get_json(&format!("/api/v1/accounts/{a}/time-entries/{entry}"), Some(owner.bearer()))
            .await
            .assert_status(404);
        // A customer (no time.track) has no header timer form.
        let customer = app.member_with(&owner, "customer").await;
        let theirs = app.console_sign_in(&customer.email).await;
        let page = app.page(&format!("/accounts/{a}/time"), &theirs).await;
        page.assert_status(200);
        assert!(!page.html.contains("header-timer"));
    })
    .await;
}
