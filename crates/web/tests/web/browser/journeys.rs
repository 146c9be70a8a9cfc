//! Sign-in journeys in headless Chromium (see `browser.rs` for the driver and its helpers):
//! one email in two accounts choosing and switching (R-AUTH-2), and a forgotten password reset
//! from the link the SMTP sink received (R-AUTH-5). SQLite only, like the newcomer journey.
use std::time::Duration;

use roster_store::MembershipRow;
use roster_testkit::app::{PASSWORD, TestApp};

use crate::browser::{Browser, ChromeDriver, browser_or_skip, fail};

const SIGN_IN_BUTTON: &str = "form[action='/sign-in'] button[type='submit']";

impl Browser {
    async fn sign_in(&self, login: &str, password: &str) {
        self.expect_text("main h1", "Sign in").await;
        self.type_into("#login", login).await;
        self.type_into("#password", password).await;
        self.click(SIGN_IN_BUTTON).await;
    }

    /// The account names the chooser offers, in its order, with the first entry's hint.
    async fn chooser(&self) -> (Vec<String>, String) {
        self.expect_path("/choose-account").await;
        self.expect_text("main h1", "Choose an account").await;
        let names = self.texts("ul.chooser li button").await;
        let first_hint = self.texts("ul.chooser li:first-child .hint").await.concat();
        (names, first_hint)
    }
}

#[tokio::test]
async fn r_auth_2_browser_same_email_in_two_accounts_chooses_and_switches() {
    let Some(chromedriver) = browser_or_skip("r_auth_2_browser_same_email_in_two_accounts_chooses_and_switches") else {
        return;
    };
    let app = TestApp::builder().build().await;
    app.operator("op@example.test").await;
    let token = app.token("op@example.test", None).await;
    let alpha = app.create_account(&token, "Alpha Works").await;
    let beta = app.create_account(&token, "Beta Works").await;
    // An admin in both, so that either account's team page (where choosing lands) is theirs to
    // see, with the account in the header.
    let sam = app.seed_members(alpha, "admin", &[("Sam", "Both", "sam@example.test")]).await.remove(0);
    let mut tx = app.db.store.begin().await.unwrap();
    tx.insert_membership(&MembershipRow::new(
        beta,
        sam.id,
        roster_core::RoleKind::Admin,
        time::OffsetDateTime::now_utc(),
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let driver = ChromeDriver::start(&chromedriver).await;
    let b = Browser::open(&driver).await;

    // Sign in: two active memberships and none chosen yet, so the chooser asks.
    b.goto(&app.at("/sign-in")).await;
    b.sign_in(&sam.email, PASSWORD).await;
    let (names, _) = b.chooser().await;
    let mut sorted = names.clone();
    sorted.sort();
    if sorted != ["Alpha Works", "Beta Works"] {
        fail!(b, "the chooser should offer Alpha Works and Beta Works, offers {names:?}");
    }
    b.expect_text("header .user-name", "Sam Both").await;

    // Choose Beta Works: its team page, with Beta Works in the header.
    b.click_button("ul.chooser", "Beta Works").await;
    b.expect_path(&format!("/accounts/{beta}/team")).await;
    b.expect_text("main h1", "Team of Beta Works").await;
    b.expect_text("header .current-account", "Beta Works").await;

    // Switch account from the header: the chooser again, Beta Works (last used) first.
    b.click_link("Switch account").await;
    let (names, first_hint) = b.chooser().await;
    if names != ["Beta Works", "Alpha Works"] {
        fail!(b, "after using Beta Works the chooser should list it first, lists {names:?}");
    }
    if !first_hint.contains("last used") {
        fail!(b, "Beta Works should be marked as last used, its hint is “{first_hint}”");
    }

    // Choose Alpha Works: its team page, with Alpha Works in the header.
    b.click_button("ul.chooser", "Alpha Works").await;
    b.expect_path(&format!("/accounts/{alpha}/team")).await;
    b.expect_text("main h1", "Team of Alpha Works").await;
    b.expect_text("header .current-account", "Alpha Works").await;

    b.quit().await;
}

#[tokio::test]
async fn r_auth_5_browser_reset_journey_from_the_emailed_link() {
    let Some(chromedriver) = browser_or_skip("r_auth_5_browser_reset_journey_from_the_emailed_link") else { return };
    let app = TestApp::builder().build().await;
    let ada = app.operator("ada@example.test").await;
    let driver = ChromeDriver::start(&chromedriver).await;
    let b = Browser::open(&driver).await;

    // Ask for a link from the sign-in page.
    b.goto(&app.at("/sign-in")).await;
    b.click_link("Forgot your password?").await;
    b.expect_path("/forgot-password").await;
    b.expect_text("main h1", "Forgot your password?").await;
    b.type_into("#email", &ada.email).await;
    b.click("form[action='/forgot-password'] button[type='submit']").await;
    b.expect_text("main h1", "Check your email").await;
    b.expect_text("main p", "we have sent it a link").await;

    // The link from the email the SMTP sink received.
    let mail = app.smtp.wait_for(1, Duration::from_secs(15)).await.remove(0);
    assert_eq!(mail.to, vec![ada.email.clone()], "the reset email should go to the person who asked");
    let text = mail.part("text/plain").unwrap_or_else(|| panic!("the reset email has no text part:\n{}", mail.data));
    let link = text
        .split_whitespace()
        .find(|word| word.contains("/password-reset?token=reset_"))
        .unwrap_or_else(|| panic!("no password reset link in the email's text:\n{text}"));
    assert!(
        link.starts_with(&format!("{}/password-reset?token=reset_", app.url)),
        "the link should point at this installation ({}), is {link}",
        app.url
    );
    b.goto(link).await;
    b.expect_path("/password-reset").await;
    b.expect_text("main h1", "Choose a new password").await;

    // A common password is refused next to the field, and the form stays.
    b.type_into("#password", "password123").await;
    b.click("form[action='/password-reset'] button[type='submit']").await;
    b.expect_text("#password + p.field-error#password-error", "too common").await;
    b.expect_attr("#password", "aria-invalid", "true").await;
    b.expect_attr("#password", "aria-describedby", "password-error").await;
    b.expect_text("main h1", "Choose a new password").await;

    // A good one: the password is changed.
    b.type_into("#password", "quiet orchard lantern").await;
    b.click("form[action='/password-reset'] button[type='submit']").await;
    b.expect_text("main h1", "Password changed").await;

    // Sign in with the new password.
    b.click_link("Sign in").await;
    b.expect_path("/sign-in").await;
    b.sign_in(&ada.email, "quiet orchard lantern").await;
    let landed = b
        .expect_path_matching("/accounts or an account's page", |p| p == "/accounts" || p.starts_with("/accounts/"))
        .await;
    b.expect_text("header .user-menu .user-name", "Olga Operator").await;
    eprintln!("browser reset journey: signed in with the new password and landed on {landed}");

    b.quit().await;
}
