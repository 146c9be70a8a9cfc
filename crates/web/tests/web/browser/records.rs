//! The work records' journey in headless Chromium (issue 16, "Done when"): an admin adds a
//! salesperson → her collaborator contact is hidden from the client list and her calendar exists
//! (R-JOIN-1) → she signs in and sees only the contacts assigned to her, in the list and the
//! pipeline (R-CON-1) → the admin archives her → her contacts are flagged (R-ARC-1) → the admin
//! deletes her permanently → her contacts move to the heir (R-DEL-1). SQLite only, like the
//! other journeys; skipped when no Chromium is installed.
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

#[tokio::test]
async fn r_join_1_r_con_1_r_arc_1_r_del_1_browser_salesperson_from_joining_to_leaving() {
    let Some(chromedriver) =
        browser_or_skip("r_join_1_r_con_1_r_arc_1_r_del_1_browser_salesperson_from_joining_to_leaving")
    else {
        return;
    };
    let app = TestApp::builder().build().await;
    let owner = app.operator("owner@example.test").await;
    let token = app.token(&owner.email, None).await;
    let account = app.create_account(&token, "Pipeline Works").await;
    let token = app.token(&owner.email, Some(account)).await;
    let driver = ChromeDriver::start(&chromedriver).await;
    let admin = Browser::open(&driver).await;
    sign_in(&admin, &app, &owner.email).await;
    admin.expect_path(&format!("/accounts/{account}/team")).await;

    // The admin adds Sally as a salesperson, with a password.
    admin.goto(&app.at(&format!("/accounts/{account}/team/new"))).await;
    admin.type_into("#email", "sally@example.test").await;
    admin.type_into("#first_name", "Sally").await;
    admin.type_into("#last_name", "Seller").await;
    select(&admin, "#role", "salesperson").await;
    admin.type_into("#password", PASSWORD).await;
    admin.click("main form[action$='/team/new'] button[type='submit']").await;
    admin.expect_text("main .notice", "Added Sally Seller").await;
    let sally = app.db.store.read().await.unwrap().user_by_email("sally@example.test").await.unwrap().unwrap().id;

    // R-JOIN-1: her collaborator contact is out of the client list, shown when hidden ones are asked for.
    admin.goto(&app.at(&format!("/accounts/{account}/contacts"))).await;
    admin.expect_text("main h1", "Contacts").await;
    if admin.find_all("main table.contacts tbody tr").await.len() > 1 {
        fail!(admin, "only the admin's own collaborator contact may be hidden here; the list shows rows");
    }
    admin.goto(&app.at(&format!("/accounts/{account}/contacts?hidden=true&q=sally"))).await;
    let rows = admin.texts("main table.contacts tbody tr").await;
    if rows.len() != 1 || !rows[0].contains("Sally Seller") || !rows[0].contains("(hidden)") {
        fail!(admin, "Sally's collaborator contact should be listed as hidden; rows {rows:?}");
    }
    // …and her default calendar exists.
    let calendars = app.get_json(&format!("/api/v1/accounts/{account}/calendars"), Some(&token)).await;
    assert_eq!(calendars.status, 200, "{}", calendars.body);
    let hers = calendars.items().iter().filter(|c| c["owner_id"] == sally.to_string()).count();
    assert_eq!(hers, 1, "Sally has her default calendar: {}", calendars.body);

    // Two clients for Sally, one for the admin (through the API).
    let mut mine = Vec::new();
    for (first, assignee, stage) in [("Ada", sally, "new"), ("Bob", sally, "won"), ("Cyd", owner.id, "new")] {
        let body = json!({ "type": "client", "first_name": first, "last_name": "Client", "stage": stage,
                           "emails": [format!("{}@client.test", first.to_lowercase())], "assigned_to": assignee });
        let created = app.post_json(&format!("/api/v1/accounts/{account}/contacts"), Some(&token), &body).await;
        assert_eq!(created.status, 201, "{}", created.body);
        if assignee == sally {
            mine.push(created.id());
        }
    }

    // R-CON-1: Sally sees exactly her two, in the list and in the pipeline (same browser).
    admin.click("header form[action='/sign-out'] button[type='submit']").await;
    let seller = &admin;
    sign_in(seller, &app, "sally@example.test").await;
    seller.expect_path_matching("Sally's landing page", |p| p.starts_with("/accounts/")).await;
    seller.goto(&app.at(&format!("/accounts/{account}/contacts"))).await;
    let rows = seller.texts("main table.contacts tbody tr").await;
    if rows.len() != 2
        || !rows.iter().any(|r| r.contains("Ada Client"))
        || !rows.iter().any(|r| r.contains("Bob Client"))
    {
        fail!(seller, "Sally should see Ada and Bob only; sees {rows:?}");
    }
    seller.expect_text("main .count", "2 contacts").await;
    seller.goto(&app.at(&format!("/accounts/{account}/contacts/pipeline"))).await;
    let board = seller.find("main").await.text().await.unwrap_or_default();
    if board.contains("Cyd") || !board.contains("Ada") || !board.contains("Bob") {
        fail!(seller, "the pipeline should show Ada and Bob, never Cyd: {board}");
    }
    seller.click("header form[action='/sign-out'] button[type='submit']").await;
    sign_in(&admin, &app, &owner.email).await;
    admin.expect_path(&format!("/accounts/{account}/team")).await;

    // R-ARC-1: the admin archives her from the team list; her contacts are flagged.
    admin.goto(&app.at(&format!("/accounts/{account}/team?q=seller"))).await;
    for summary in admin.find_all("main tbody details summary").await {
        let _ = summary.click().await;
    }
    admin.click_button("main tbody", "Archive Sally").await;
    admin.expect_text("main .notice", "Sally Seller is archived").await;
    admin.goto(&app.at(&format!("/accounts/{account}/contacts/{}", mine[0]))).await;
    admin.expect_text("main .assignee-archived", "Sally Seller").await;

    // R-DEL-1: deleted for good, her contacts go to the admin (the heir picker's first match).
    admin.goto(&app.at(&format!("/accounts/{account}/team/{sally}#delete"))).await;
    let heirs = admin.find_all("#transfer_to option").await.len();
    if heirs > 0 {
        select(&admin, "#transfer_to", &owner.id.to_string()).await;
    }
    admin.click("#delete input[name='confirm']").await;
    admin.click_button("#delete", "Delete Sally permanently").await;
    // The member's own page also contains "/team": wait for the list itself.
    let own_page = sally.to_string();
    admin
        .expect_path_matching("the team list after the delete", |p| p.contains("/team") && !p.contains(&own_page))
        .await;
    for id in &mine {
        let c = app.get_json(&format!("/api/v1/accounts/{account}/contacts/{id}"), Some(&token)).await;
        assert_eq!(c.status, 200, "{}", c.body);
        assert_eq!(c.body["assigned_to"], owner.id.to_string(), "moved to the heir: {}", c.body);
        assert_eq!(c.body["assignee_archived"], false, "{}", c.body);
    }
    admin.goto(&app.at(&format!("/accounts/{account}/contacts/{}", mine[1]))).await;
    if !admin.find_all("main .assignee-archived").await.is_empty() {
        fail!(admin, "the heir is active: no flag any more");
    }
    eprintln!("records journey: joined, hidden contact and calendar, 2 of 3 contacts seen, flagged, moved");
    let _: Uuid = sally;
    admin.quit().await;
}
