//! The job runner through the running app (decision 0096): the operator's `/jobs` page (failed
//! jobs with their reason, "Retry"; nobody else finds it), `/metrics`, and the reminder sweep
//! (R-MAIL-5) run as a job once per minute whatever the replicas.
use std::time::Duration;

use reqwest::Method;
use roster_core::{JobKind, JobState};
use roster_store::JobRow;
use roster_testkit::app::{PASSWORD, Page, TestApp, csrf_of, each_backend};
use serde_json::json;
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

async fn post_form(app: &TestApp, path: &str, cookie: &str, form: &[(&str, &str)]) -> (u16, String) {
    let res = app.client.post(app.at(path)).header("cookie", cookie).form(form).send().await.unwrap();
    let status = res.status().as_u16();
    let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, location)
}

/// A job of `account` that failed for good with `reason`.
async fn failed_job(app: &TestApp, account: Option<Uuid>, reason: &str) -> Uuid {
    let now = OffsetDateTime::now_utc();
    let job =
        JobRow::new(account, JobKind::RemindersSweep, "{}".into(), format!("broken-{}", Uuid::now_v7()), now, now);
    let mut tx = app.db.store.begin().await.unwrap();
    assert!(tx.enqueue_job(&job).await.unwrap());
    let claimed = tx.claim_jobs(Uuid::now_v7(), now, now + time::Duration::minutes(5), 10).await.unwrap();
    let mine = claimed.iter().find(|j| j.id == job.id).unwrap();
    assert!(tx.fail_job(job.id, mine.claimed_by.unwrap(), mine.lease_until.unwrap(), reason, None).await.unwrap());
    tx.commit().await.unwrap();
    job.id
}

#[tokio::test]
async fn r_wf_1_the_operator_sees_failed_jobs_with_their_reason_and_retries_them_and_nobody_else_finds_the_page() {
    each_backend(|app| async move {
        let olga = app.operator("olga@example.test").await;
        let token = app.token(&olga.email, None).await;
        let account = app.create_account(&token, "Acme").await;
        // Ada owns the account (olga hands it over) and is no operator.
        let ada = app.seed_members(account, "admin", &[("Ada", "Owner", "ada@example.test")]).await.remove(0);
        let olga_here = app.token(&olga.email, Some(account)).await;
        let body = json!({ "user_id": ada.id, "password": PASSWORD });
        let moved = app
            .send(Method::POST, &format!("/api/v1/accounts/{account}/transfer-ownership"), &olga_here, Some(body))
            .await;
        assert_eq!(moved.status, 200, "{}", moved.body);
        let id = failed_job(&app, Some(account), "template <b>exploded</b>").await;

        let cookie = app.console_sign_in(&olga.email).await;
        let Page { status, html } = app.page("/jobs", &cookie).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("<dd id=\"jobs-failed\">1</dd>"), "{html}");
        assert!(html.contains("reminders.sweep") && html.contains(&account.to_string()), "{html}");
        assert!(html.contains("template &#60;b&#62;exploded&#60;/b&#62;"), "escaped reason: {html}");
        assert!(html.contains(&format!("action=\"/jobs/{id}/retry\"")), "{html}");
        assert!(html.contains("href=\"/jobs\""), "in the Installation area: {html}");
        let olga_csrf = csrf_of(&html);

        // The account's owner: no such page, no such action.
        let owner = app.console_sign_in("ada@example.test").await;
        let Page { status, html } = app.page("/jobs", &owner).await;
        assert_eq!(status, 404, "{html}");
        let owner_csrf = csrf_of(&app.page(&format!("/accounts/{account}/settings"), &owner).await.html);
        let (status, _) = post_form(&app, &format!("/jobs/{id}/retry"), &owner, &[("csrf", &owner_csrf)]).await;
        assert_eq!(status, 404);
        let job = app.db.store.read().await.unwrap().job_by_id(id).await.unwrap().unwrap();
        assert_eq!(job.state, JobState::Failed, "the owner changed nothing");

        let metrics = app.client.get(app.at("/metrics")).send().await.unwrap().text().await.unwrap();
        assert!(metrics.contains("roster_jobs{state=\"failed\"} 1"), "{metrics}");

        // The operator's retry: due again now, attempts from zero; a second retry is a conflict.
        let (status, location) = post_form(&app, &format!("/jobs/{id}/retry"), &cookie, &[("csrf", &olga_csrf)]).await;
        assert_eq!((status, location.as_str()), (303, "/jobs"));
        let job = app.db.store.read().await.unwrap().job_by_id(id).await.unwrap().unwrap();
        assert_eq!((job.state, job.attempts), (JobState::Due, 0));
        let (status, _) = post_form(&app, &format!("/jobs/{id}/retry"), &cookie, &[("csrf", &olga_csrf)]).await;
        assert_eq!(status, 409);
        let Page { html, .. } = app.page("/jobs", &cookie).await;
        assert!(html.contains("<dd id=\"jobs-failed\">0</dd>") && html.contains("No failed jobs."), "{html}");
    })
    .await;
}

#[tokio::test]
async fn r_mail_5_the_reminder_sweep_runs_as_one_job_per_minute_whatever_the_replicas() {
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
        let path = format!("/api/v1/accounts/{acme}/todo-lists/{list}/todos");
        assert_eq!(app.send(Method::POST, &path, &tomo, Some(todo)).await.status, 201);
        app.smtp.forget();

        // 07:10 in Tokyo. Two replicas schedule the minute's sweep: one job.
        let at = datetime!(2031-05-05 22:10:30 UTC);
        app.service.schedule_recurring_jobs(at).await.unwrap();
        app.service.schedule_recurring_jobs(at + time::Duration::seconds(20)).await.unwrap();
        let opts = roster_service::RunnerOptions::default();
        let first = app.service.run_jobs_once(Uuid::now_v7(), at, opts).await.unwrap();
        assert_eq!((first.claimed, first.done, first.failed), (1, 1, 0), "{first:?}");
        let second = app.service.run_jobs_once(Uuid::now_v7(), at, opts).await.unwrap();
        assert_eq!(second.claimed, 0, "the other replica finds nothing to do");
        let mail = app.smtp.wait_for(1, Duration::from_secs(15)).await.remove(0);
        assert_eq!(mail.to, vec!["tomo@example.test".to_owned()]);
        // The next minute's sweep runs, and sends nothing twice (the day is claimed).
        app.service.schedule_recurring_jobs(at + time::Duration::minutes(1)).await.unwrap();
        let next = app.service.run_jobs_once(Uuid::now_v7(), at + time::Duration::minutes(1), opts).await.unwrap();
        assert_eq!(next.done, 1, "{next:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(app.smtp.count(), 1, "once per member per local day");
        let counts = app.service.job_counts().await.unwrap();
        assert!(counts.contains(&(JobState::Done, 2)), "{counts:?}");
    })
    .await;
}

/// The loop `roster serve` runs: it schedules the minute's sweep, runs it, and stops when asked.
#[tokio::test]
async fn r_wf_1_the_runner_loop_runs_due_jobs_and_stops_cleanly_on_shutdown() {
    each_backend(|app| async move {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let opts = roster_service::RunnerOptions { poll: Duration::from_millis(50), ..Default::default() };
        let runner = tokio::spawn(app.service.clone().run_job_runner(opts, async move {
            let _ = stopped.await;
        }));
        let mut done = 0;
        for _ in 0..100 {
            let counts = app.service.job_counts().await.unwrap();
            done = counts.iter().find(|(s, _)| *s == JobState::Done).map_or(0, |(_, n)| *n);
            if done > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(done >= 1, "the minute's reminder sweep ran");
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(10), runner).await.expect("stops within 10 s").unwrap();
    })
    .await;
}
