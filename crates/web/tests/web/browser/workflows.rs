//! Work records II in headless Chromium (issue 17, "Done when"): the owner builds a 3-step
//! template in the console (to-do, email upon approval, event) → starts it on a contact → the
//! runner's pass makes the to-do on the assignee's list → the email waits in her queue (counted
//! in the header) → she edits and approves it → it arrives in the SMTP sink → the event is on the
//! owner's calendar. Then two members start a timer at once (both run), and a ticket is opened
//! and answered (the reply reaches the contact). SQLite only, like the other journeys; skipped
//! when no Chromium is installed. The test runs the job runner's passes itself (the server's
//! runner loop is not started by the test app), a few days ahead so every step is due.
use std::time::Duration;

use roster_service::RunnerOptions;
use roster_testkit::app::{PASSWORD, TestApp};
use serde_json::json;
use uuid::Uuid;

use crate::browser::{Browser, ChromeDriver, browser_or_skip, fail};

const SIGN_IN_BUTTON: &str = "form[action='/sign-in'] button[type='submit']";

async fn sign_in(b: &Browser, app: &TestApp, email: &str) {
    b.goto(&app.at("/sign-in")).await;
    b.type_into("#login", email).await;
    b.type_into("#password", PASSWORD).await;
    b.click(SIGN_IN_BUTTON).await;
}

async fn select(b: &Browser, css: &str, value: &str) {
    if let Err(e) = b.find(css).await.select_by_value(value).await {
        fail!(b, "choosing {value} in `{css}` failed: {e}");
    }
}

/// The job runner's passes, as `roster serve` runs them, `days` ahead.
async fn run_jobs(app: &TestApp, days: i64) -> usize {
    let at = time::OffsetDateTime::now_utc() + time::Duration::days(days);
    let runner = Uuid::now_v7();
    let mut done = 0;
    loop {
        let pass = app.service.run_jobs_once(runner, at, RunnerOptions::default()).await.expect("a pass");
        done += pass.done;
        if pass.claimed == 0 {
            return done;
        }
    }
}

#[tokio::test]
async fn r_wf_1_r_time_1_r_tkt_1_browser_template_run_approval_timers_and_a_ticket() {
    let Some(chromedriver) =
        browser_or_skip("r_wf_1_r_time_1_r_tkt_1_browser_template_run_approval_timers_and_a_ticket")
    else {
        return;
    };
    let app = TestApp::builder().build().await;
    let owner = app.owner("Action Plans").await;
    let account = owner.account();
    let token = app.token(&owner.email, Some(account)).await;
    // Sally joins through the use case (her default list and calendar are made, R-JOIN-1).
    let sally = json!({ "email": "sally@example.test", "first_name": "Sally", "last_name": "Seller",
        "role": "salesperson", "password": PASSWORD, "send_welcome": false });
    let sally = app.post_json(&format!("/api/v1/accounts/{account}/users"), Some(&token), &sally).await;
    sally.assert_status(201);
    let sally_id = sally["user_id"].as_str().unwrap_or_default().to_owned();
    let grace = json!({ "first_name": "Grace", "last_name": "Hopper", "emails": ["grace@example.org"],
        "assigned_to": sally_id });
    let grace = app.post_json(&format!("/api/v1/accounts/{account}/contacts"), Some(&token), &grace).await;
    grace.assert_status(201);
    let grace = grace.id();

    let driver = ChromeDriver::start(&chromedriver).await;
    let admin = Browser::open(&driver).await;
    sign_in(&admin, &app, &owner.email).await;
    admin.expect_path_matching("a signed-in page", |p| p.starts_with("/accounts/") || p == "/").await;

    // The owner builds the template: a to-do, an email upon approval, an event.
    admin.goto(&app.at(&format!("/accounts/{account}/workflows/new"))).await;
    admin.type_into("#name", "New client onboarding").await;
    select(&admin, "#s0-kind", "todo").await;
    admin.type_into("#s0-title", "Welcome call").await;
    admin.type_into("#s0-assignee", "contact_assignee").await;
    admin.click_button("main form", "Add a step").await;
    admin.expect_text("main form", "Step 2").await;
    select(&admin, "#s1-kind", "email").await;
    admin.type_into("#s1-title", "Welcome email").await;
    admin.type_into("#s1-assignee", "contact_assignee").await;
    select(&admin, "#s1-approval", "manual").await;
    admin.type_into("#s1-subject", "Welcome, {{ contact.first_name }}").await;
    admin.type_into("#s1-body", "Hello {{ contact.first_name }}, this is {{ member.first_name }}.").await;
    admin.click_button("main form", "Add a step").await;
    admin.expect_text("main form", "Step 3").await;
    select(&admin, "#s2-kind", "event").await;
    admin.type_into("#s2-title", "Kickoff").await;
    admin.type_into("#s2-assignee", &owner.id.to_string()).await;
    admin.type_into("#s2-duration", "60").await;
    admin.click_button("main form", "Save template").await;
    admin.expect_text("main h1", "New client onboarding").await;
    let steps = admin.texts("main ol.workflow-steps > li").await;
    if steps.len() != 3 {
        fail!(admin, "the template should have 3 steps, shows {steps:?}");
    }

    // Started on Grace from her page.
    admin.goto(&app.at(&format!("/accounts/{account}/contacts/{grace}"))).await;
    admin.click_button("section.workflows-of-record", "Start").await;
    admin.expect_text("main .notice", "The run started").await;
    let run_path = admin.expect_path_matching("the run's page", |p| p.contains("/workflow-runs/")).await;
    assert_eq!(run_jobs(&app, 3).await, 1, "one job runs the three steps, all due by then");
    assert_eq!(run_jobs(&app, 3).await, 0, "none twice");
    admin.goto(&app.at(&run_path)).await;
    let states = admin.texts("table.run-steps .step-state").await;
    assert_eq!(states, ["done", "waiting", "done"], "to-do made, email waiting, event made");

    // Sally: the to-do is on her list, the email waits in her queue (the header counts it).
    let seller = Browser::open(&driver).await;
    sign_in(&seller, &app, "sally@example.test").await;
    seller.expect_path_matching("a signed-in page", |p| p.starts_with("/accounts/") || p == "/").await;
    seller.goto(&app.at(&format!("/accounts/{account}/contacts/{grace}?tab=todos"))).await;
    seller.expect_text("main ul.todos", "Welcome call").await;
    seller.expect_text("header .approvals-count", "1 to approve").await;
    seller.click("header .approvals-count").await;
    seller.expect_text("main h1", "Emails waiting for approval").await;
    let subject = seller.find("main article.approval input[name='subject']").await;
    let shown = subject.prop("value").await.ok().flatten().unwrap_or_default();
    if shown != "Welcome, Grace" {
        fail!(seller, "the rendered subject should be “Welcome, Grace”, is “{shown}”");
    }
    seller.type_into("main article.approval input[name='subject']", "Welcome aboard, Grace").await;
    seller.click_button("main article.approval", "Approve and send").await;
    seller.expect_text("main .notice", "Approved").await;
    let mail = app.smtp.wait_for(1, Duration::from_secs(15)).await.remove(0);
    assert!(mail.to.iter().any(|t| t.contains("grace@example.org")), "{:?}", mail.to);
    assert_eq!(mail.header("Subject").as_deref(), Some("Welcome aboard, Grace"));
    assert!(mail.part("text/plain").unwrap_or_default().contains("Hello Grace, this is Sally."));

    // The event is on the owner's calendar, linked to Grace.
    admin.goto(&app.at(&format!("/accounts/{account}/contacts/{grace}?tab=events"))).await;
    admin.expect_text("main section.contact", "Kickoff").await;
    admin.goto(&app.at(&run_path)).await;
    admin.expect_text("main .run-state", "done").await;

    // Two members start their timers at once from the header: both run.
    admin.type_into("#header-timer-note", "Planning").await;
    seller.type_into("#header-timer-note", "Calls").await;
    let (a, b) = tokio::join!(
        admin.click_button("header form.header-timer", "Start timer"),
        seller.click_button("header form.header-timer", "Start timer")
    );
    let ((), ()) = (a, b);
    let sally_token = app.token("sally@example.test", Some(account)).await;
    for (who, t) in [("owner", &token), ("sally", &sally_token)] {
        let mut running = serde_json::Value::Null;
        for _ in 0..50 {
            running = app.get_json(&format!("/api/v1/accounts/{account}/timers/current"), Some(t)).await.body;
            if running["timer"].is_object() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(running.to_string().contains(if who == "owner" { "Planning" } else { "Calls" }), "{who}: {running}");
    }
    admin.expect_text("header .timer-running", "Timer running: Planning").await;
    seller.expect_text("header .timer-running", "Timer running: Calls").await;

    // A ticket opened for Grace and answered: the reply reaches her.
    admin.goto(&app.at(&format!("/accounts/{account}/tickets/new"))).await;
    admin.type_into("#subject", "The engine skips a card").await;
    select(&admin, "#contact_id", &grace.to_string()).await;
    admin.type_into("#body", "Grace called: card 12 is skipped.").await;
    admin.click_button("main form", "Open ticket").await;
    admin.expect_text("main h1", "The engine skips a card").await;
    admin.type_into("#body", "We replaced the worn gear.").await;
    admin.click_button("main form", "Send reply").await;
    admin.expect_text("main", "answered").await;
    let mails = app.smtp.wait_for(2, Duration::from_secs(15)).await;
    assert!(
        mails.iter().any(|m| m.header("Subject").is_some_and(|s| s.contains("The engine skips a card"))),
        "{:?}",
        mails.iter().map(|m| m.header("Subject")).collect::<Vec<_>>()
    );
    seller.quit().await;
    admin.quit().await;
}
