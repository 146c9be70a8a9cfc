//! Identity journeys in headless Chromium (issue 14): registration → confirm email → account
//! usable (R-AUTH-3, R-AUTH-8); adding an existing login → invitation → joins only by accepting
//! (R-ADD-3). SQLite only, like the other journeys.
use std::time::Duration;

use roster_testkit::app::{PASSWORD, TestApp};
use roster_testkit::smtp::Received;

use crate::browser::{Browser, ChromeDriver, browser_or_skip, fail};

const SIGN_IN_BUTTON: &str = "form[action='/sign-in'] button[type='submit']";

fn link_in(mail: &Received, needle: &str) -> String {
    let text = mail.part("text/plain").unwrap_or_else(|| panic!("no text part:\n{}", mail.data));
    text.split_whitespace()
        .find(|w| w.contains(needle))
        .unwrap_or_else(|| panic!("no {needle} link in the email:\n{text}"))
        .to_owned()
}

#[tokio::test]
async fn r_auth_8_browser_registration_confirm_email_account_usable() {
    let Some(chromedriver) = browser_or_skip("r_auth_8_browser_registration_confirm_email_account_usable") else {
        return;
    };
    let app = TestApp::builder().backend(roster_store::Backend::Sqlite).open_registration().build().await;
    let driver = ChromeDriver::start(&chromedriver).await;
    let b = Browser::open(&driver).await;

    b.goto(&app.at("/register")).await;
    b.type_into("#first_name", "Dorothy").await;
    b.type_into("#last_name", "Vaughan").await;
    b.type_into("#email", "dorothy@example.test").await;
    b.type_into("#password", PASSWORD).await;
    b.type_into("#account_name", "Vaughan Works").await;
    b.click("form[action='/register'] button[type='submit']").await;
    b.expect_text("main h1", "Check your email").await;

    // The emailed link opens a page that confirms by a button (a GET uses nothing).
    let mail = app.smtp.wait_for(1, Duration::from_secs(15)).await.remove(0);
    let link = link_in(&mail, "/confirm-email?token=confirm_");
    b.goto(&link).await;
    b.expect_path("/confirm-email").await;
    b.expect_text("main h1", "Confirm your email address").await;
    b.type_into("#password", PASSWORD).await;
    b.click("form[action='/confirm-email'] button[type='submit']").await;
    let landed = b.expect_path_matching("the new account's page", |p| p.starts_with("/accounts/")).await;
    b.expect_text("header .current-account", "Vaughan Works").await;
    let name = b.texts("header .user-menu .user-name").await.concat();
    if name != "Dorothy Vaughan" {
        fail!(b, "the header should name Dorothy Vaughan, names “{name}”");
    }
    // Usable: the owner opens "Add a user".
    let account = landed.trim_start_matches("/accounts/").split('/').next().unwrap_or_default().to_owned();
    b.goto(&app.at(&format!("/accounts/{account}/team/new"))).await;
    b.expect_text("main h1", "Add a user").await;
    eprintln!("registration journey: confirmed by the emailed link and landed on {landed}");
    b.quit().await;
}

#[tokio::test]
async fn r_add_3_browser_existing_login_is_invited_and_joins_only_by_accepting() {
    let Some(chromedriver) = browser_or_skip("r_add_3_browser_existing_login_is_invited_and_joins_only_by_accepting")
    else {
        return;
    };
    let app = TestApp::builder().build().await;
    let owner = app.owner("Invite Works").await;
    let token = owner.bearer().to_owned();
    let account = owner.account();
    let elsewhere = app.create_account(&token, "Elsewhere").await;
    let kim = app.seed_members(elsewhere, "standard", &[("Kim", "Known", "kim@example.test")]).await.remove(0);
    let driver = ChromeDriver::start(&chromedriver).await;
    let b = Browser::open(&driver).await;

    b.goto(&app.at("/sign-in")).await;
    b.type_into("#login", &owner.email).await;
    b.type_into("#password", PASSWORD).await;
    b.click(SIGN_IN_BUTTON).await;
    // Two accounts: the chooser asks; Invite Works, then "Add a user".
    b.click_button("ul.chooser", "Invite Works").await;
    b.expect_path(&format!("/accounts/{account}/team")).await;
    b.click_link("Add a user").await;
    b.expect_path(&format!("/accounts/{account}/team/new")).await;
    b.type_into("#email", "kim@example.test").await;
    b.type_into("#first_name", "Someone").await;
    b.type_into("#last_name", "Else").await;
    b.click("form[action$='/team/new'] button[type='submit']").await;
    b.expect_text("main .notice", "An invitation was sent to kim@example.test: they join once they accept.").await;
    let page = b.context().await;
    if page.contains("Kim") {
        fail!(b, "nothing of the login is shown to the adder");
    }
    b.goto(&app.at(&format!("/accounts/{account}/team"))).await;
    if b.texts("main").await.concat().contains("kim@example.test") {
        fail!(b, "Kim is no member before accepting");
    }
    b.click("header form[action='/sign-out'] button").await;
    b.expect_path("/sign-in").await;

    // Kim opens the invitation, signs in as herself, and accepts.
    let mail = app.smtp.wait_for(1, Duration::from_secs(15)).await.remove(0);
    let link = link_in(&mail, "/invitations/accept?token=invite_");
    b.goto(&link).await;
    b.expect_text("main h1", "Join Invite Works").await;
    b.type_into("#password", &kim.password).await;
    b.click("form[action='/invitations/accept/sign-in'] button[type='submit']").await;
    b.expect_text("main h1", "Join Invite Works").await;
    b.click("form[action='/invitations/accept'] button[type='submit']").await;
    let landed = b.expect_path_matching("the account's page", |p| p.starts_with(&format!("/accounts/{account}"))).await;
    eprintln!("invitation journey: Kim accepted and landed on {landed}");
    b.quit().await;
}
