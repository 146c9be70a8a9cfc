//! Team admin journeys in headless Chromium (issue 15, "The console"): Disable from a searched
//! team list comes back to the same search with a message naming the member (R-DIS-1), and the
//! ownership-transfer picker finds member #1,000 of 1,200 (R-OWN-3). SQLite only, like the other
//! journeys; skipped when no Chromium is installed.
use roster_testkit::app::{PASSWORD, TestApp};

use crate::browser::{Browser, ChromeDriver, browser_or_skip, fail};

const SIGN_IN_BUTTON: &str = "form[action='/sign-in'] button[type='submit']";

async fn sign_in(b: &Browser, app: &roster_testkit::app::TestApp, email: &str) {
    b.goto(&app.at("/sign-in")).await;
    b.type_into("#login", email).await;
    b.type_into("#password", PASSWORD).await;
    b.click(SIGN_IN_BUTTON).await;
}

#[tokio::test]
async fn r_dis_1_browser_disable_from_a_searched_list_keeps_the_search_and_says_so() {
    let Some(chromedriver) =
        browser_or_skip("r_dis_1_browser_disable_from_a_searched_list_keeps_the_search_and_says_so")
    else {
        return;
    };
    let app = TestApp::builder().build().await;
    let owner = app.operator("owner@example.test").await;
    let token = app.token(&owner.email, None).await;
    let account = app.create_account(&token, "Feedback Works").await;
    app.seed_members(account, "standard", &[("Ana", "Lima", "ana@example.test"), ("Bo", "Berg", "bo@example.test")])
        .await;
    let driver = ChromeDriver::start(&chromedriver).await;
    let b = Browser::open(&driver).await;
    sign_in(&b, &app, &owner.email).await;
    b.expect_path(&format!("/accounts/{account}/team")).await;

    // Search for Ana, then disable her from the row.
    b.type_into("#team-q", "lima").await;
    b.click("form.filters button[type='submit']").await;
    b.expect_attr("#team-q", "value", "lima").await;
    b.click("main tbody details summary").await;
    b.click_button("main tbody", "Disable Ana").await;

    // The same search, and a message naming her.
    b.expect_text("main .notice", "Ana Lima is disabled").await;
    b.expect_attr("#team-q", "value", "lima").await;
    let rows = b.texts("main tbody tr").await;
    if rows.len() != 1 || !rows[0].contains("ana@example.test") || !rows[0].contains("disabled") {
        fail!(b, "the searched list should hold Ana alone, disabled; holds {rows:?}");
    }
    eprintln!("disable journey: the list kept “lima” and said “Ana Lima is disabled”");
    b.quit().await;
}

#[tokio::test]
async fn r_own_3_browser_transfer_picker_finds_member_1000_of_1200() {
    let Some(chromedriver) = browser_or_skip("r_own_3_browser_transfer_picker_finds_member_1000_of_1200") else {
        return;
    };
    let app = TestApp::builder().build().await;
    let owner = app.operator("owner@example.test").await;
    let token = app.token(&owner.email, None).await;
    let account = app.create_account(&token, "Big Works").await;
    let people: Vec<(String, String, String)> =
        (1..=1200).map(|i| ("Member".to_owned(), format!("N{i:04}"), format!("member{i:04}@example.test"))).collect();
    let refs: Vec<(&str, &str, &str)> = people.iter().map(|(f, l, e)| (f.as_str(), l.as_str(), e.as_str())).collect();
    let team = app.seed_members(account, "standard", &refs).await;
    let driver = ChromeDriver::start(&chromedriver).await;
    let b = Browser::open(&driver).await;
    sign_in(&b, &app, &owner.email).await;
    b.expect_path(&format!("/accounts/{account}/team")).await;
    b.goto(&app.at(&format!("/accounts/{account}/transfer"))).await;
    b.expect_text("main h1", "Transfer ownership").await;

    b.type_into("#transfer-q", "member1000").await;
    b.click("form[method='get'][action$='/transfer'] button[type='submit']").await;
    b.expect_attr("#transfer-q", "value", "member1000").await;
    let options = b.texts("#user_id option").await;
    if !options.iter().any(|o| o == "Member N1000 (member1000@example.test)") {
        fail!(b, "the picker should offer member #1,000; offers {options:?}");
    }
    b.expect_attr("#user_id option:nth-child(2)", "value", &team[999].id.to_string()).await;
    eprintln!("transfer picker: member #1,000 of 1,200 found by searching “member1000”");
    b.quit().await;
}
