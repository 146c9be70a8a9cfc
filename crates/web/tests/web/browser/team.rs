//! The add-user journey in headless Chromium (R-ADD-1, R-ADD-2): the owner adds a user from the
//! console, the welcome email reaches the SMTP sink, its link sets a password, and the new user
//! signs in and lands in the account. SQLite only, like the other journeys.
use std::time::Duration;

use roster_testkit::app::{PASSWORD, TestApp};

use crate::browser::{Browser, ChromeDriver, browser_or_skip, fail};

const SIGN_IN_BUTTON: &str = "form[action='/sign-in'] button[type='submit']";

#[tokio::test]
async fn r_add_2_browser_add_user_welcome_email_set_password_sign_in() {
    let Some(chromedriver) = browser_or_skip("r_add_2_browser_add_user_welcome_email_set_password_sign_in") else {
        return;
    };
    let app = TestApp::builder().build().await;
    let owner = app.owner("Welcome Works").await;
    let account = owner.account();
    let driver = ChromeDriver::start(&chromedriver).await;
    let b = Browser::open(&driver).await;

    // The owner signs in and opens "Add a user".
    b.goto(&app.at("/sign-in")).await;
    b.type_into("#login", &owner.email).await;
    b.type_into("#password", PASSWORD).await;
    b.click(SIGN_IN_BUTTON).await;
    b.expect_path(&format!("/accounts/{account}/team")).await;
    b.click_link("Add a user").await;
    b.expect_path(&format!("/accounts/{account}/team/new")).await;
    b.expect_text("main h1", "Add a user").await;

    // Just a name and an email; the welcome email is on by default.
    b.type_into("#email", "nina@example.test").await;
    b.type_into("#first_name", "Nina").await;
    b.type_into("#last_name", "Newcomer").await;
    b.click("form[action$='/team/new'] button[type='submit']").await;
    b.expect_text("main .notice", "Added").await;

    // The welcome email carries a set-password link.
    let mail = app.smtp.wait_for(1, Duration::from_secs(15)).await.remove(0);
    assert_eq!(mail.to, vec!["nina@example.test".to_owned()]);
    let text = mail.part("text/plain").unwrap_or_else(|| panic!("no text part:\n{}", mail.data));
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/password-reset?token=reset_"))
        .unwrap_or_else(|| panic!("no set-password link in the welcome email:\n{text}"));

    // The owner signs out; Nina follows the link in a fresh session.
    b.click("header form[action='/sign-out'] button").await;
    // Wait for the sign-out to land before navigating away (a new navigation would cancel it).
    b.expect_path("/sign-in").await;
    b.expect_text("main h1", "Sign in").await;
    b.goto(link).await;
    b.expect_path("/password-reset").await;
    b.type_into("#password", "amber meadow compass").await;
    b.click("form[action='/password-reset'] button[type='submit']").await;
    b.expect_text("main h1", "Password changed").await;

    // Nina signs in with it and lands in the account (a customer: its home page).
    b.click_link("Sign in").await;
    b.expect_path("/sign-in").await;
    b.type_into("#login", "nina@example.test").await;
    b.type_into("#password", "amber meadow compass").await;
    b.click(SIGN_IN_BUTTON).await;
    let landed = b.expect_path_matching("the account's page", |p| p.starts_with(&format!("/accounts/{account}"))).await;
    let name = b.texts("header .user-menu .user-name").await.concat();
    if name != "Nina Newcomer" {
        fail!(b, "the header should name Nina Newcomer, names “{name}”");
    }
    eprintln!("add-user journey: Nina set her password from the welcome email and landed on {landed}");
    b.quit().await;
}
