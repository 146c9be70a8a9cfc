//! The console's shell in headless Chromium (decision 0057): each role sees exactly the links and
//! buttons its permissions allow (R-PERM-3: the server checks anyway, the page only offers what
//! will work), no row action on one's own row or the owner's (R-OWN-4, R-DIS-1, R-PERM-1), the
//! team list fits a 390 px phone, and the skip link comes first. SQLite, like the other journeys.
use std::collections::BTreeMap;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use roster_testkit::app::{PASSWORD, TestApp, TestUser};
use serde_json::json;
use uuid::Uuid;

use crate::browser::{Browser, ChromeDriver, browser_or_skip, fail};

const SIGN_IN_BUTTON: &str = "form[action='/sign-in'] button[type='submit']";

/// The visible labels of the links, buttons and disclosure summaries in `scope` (itself
/// included), in page order: a button inside a closed `<details>` is not visible, its summary is.
const LABELS: &str = r#"
const scope = document.querySelector(arguments[0]);
if (!scope) { return null; }
const all = [...scope.querySelectorAll('a[href], button, summary')];
if (scope.matches('a[href], button, summary')) { all.unshift(scope); }
return all
  .filter(e => e.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true }))
  .map(e => e.textContent.replace(/\s+/g, ' ').trim());
"#;

/// Each row of the team list: the member's name and the labels of the row's actions.
const ROW_ACTIONS: &str = r#"
return [...document.querySelectorAll('main table.members tbody tr')].map(tr => [
  tr.querySelector('td.name a').textContent.trim(),
  [...tr.querySelectorAll('td.row-actions a[href], td.row-actions button, td.row-actions summary')]
    .filter(e => e.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true }))
    .map(e => e.textContent.replace(/\s+/g, ' ').trim())
]);
"#;

struct Team {
    app: TestApp,
    account: Uuid,
    owner: TestUser,
    admin: TestUser,
    employee: TestUser,
    customer: TestUser,
    /// A standard user: the member whose row and page the table looks at.
    stan: TestUser,
}

async fn team() -> Team {
    let app = TestApp::builder().build().await;
    // The owner made the account; in these tests the owner is also the installation's operator.
    let owner = app.operator("owner@example.test").await;
    let token = app.token(&owner.email, None).await;
    let account = app.create_account(&token, "Shell Works").await;
    let one = |role: &'static str, first: &'static str, last: &'static str, email: &'static str| {
        let app = &app;
        async move { app.seed_members(account, role, &[(first, last, email)]).await.remove(0) }
    };
    let admin = one("admin", "Ada", "Admin", "ada@example.test").await;
    let employee = one("employee", "Emil", "Employee", "emil@example.test").await;
    let customer = one("customer", "Cleo", "Customer", "cleo@example.test").await;
    let stan = one("standard", "Stan", "Standard", "stan.with.a.rather.long.address@example.test").await;
    Team { app, account, owner, admin, employee, customer, stan }
}

async fn sign_in(b: &Browser, app: &TestApp, who: &TestUser) {
    b.goto(&app.at("/sign-in")).await;
    b.type_into("#login", &who.email).await;
    b.type_into("#password", PASSWORD).await;
    b.click(SIGN_IN_BUTTON).await;
    b.expect_path_matching("a page of the account", |p| p.starts_with("/accounts/")).await;
}

async fn sign_out(b: &Browser) {
    b.click("header form[action='/sign-out'] button").await;
    b.expect_path("/sign-in").await;
}

/// The labels in `scope` on the page now shown (`None`: no such element).
async fn labels(b: &Browser, scope: &str) -> Option<Vec<String>> {
    let v = match b.client().execute(LABELS, vec![json!(scope)]).await {
        Ok(v) => v,
        Err(e) => fail!(b, "could not read the labels of `{scope}`: {e}"),
    };
    serde_json::from_value(v).unwrap_or_else(|e| panic!("labels of {scope}: {e}"))
}

async fn row_actions(b: &Browser) -> BTreeMap<String, Vec<String>> {
    let v = match b.client().execute(ROW_ACTIONS, vec![]).await {
        Ok(v) => v,
        Err(e) => fail!(b, "could not read the row actions: {e}"),
    };
    let rows: Vec<(String, Vec<String>)> = serde_json::from_value(v).unwrap();
    rows.into_iter().collect()
}

/// With `ROSTER_SCREENSHOTS=<dir>`, saves the page as `<dir>/<name>.png` at 1280 and 390 px
/// wide (for the review's screenshot descriptions); otherwise does nothing.
async fn screenshots(b: &Browser, name: &str) {
    let Some(dir) = std::env::var_os("ROSTER_SCREENSHOTS") else { return };
    for width in [390, 1280] {
        if let Err(e) = b.client().set_window_size(width, 900).await {
            fail!(b, "could not size the window: {e}");
        }
        let png = match b.client().screenshot().await {
            Ok(png) => png,
            Err(e) => fail!(b, "could not take a screenshot: {e}"),
        };
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}-{width}.png")), png).unwrap();
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// What one role must see: the header (with the current area's tabs), the team page's actions
/// and rows, and a member's page.
struct Expected {
    role: &'static str,
    header: &'static [&'static str],
    /// The Team area's tabs; `None`: the role has no Team area.
    team_tabs: Option<&'static [&'static str]>,
    /// The team page's own actions; `None`: the team page is not allowed (403).
    page_actions: Option<&'static [&'static str]>,
    /// Row actions by member name (rows with none are listed with none).
    rows: &'static [(&'static str, &'static [&'static str])],
    /// The member page looked at: Stan's, or one's own when the team is not theirs to see.
    member_page_is_own: bool,
    member_page: &'static [&'static str],
}

const NO_ROW_ACTIONS: &[(&str, &[&str])] = &[
    ("Ada Admin", &[]),
    ("Cleo Customer", &[]),
    ("Emil Employee", &[]),
    ("Olga Operator", &[]),
    ("Stan Standard", &[]),
];

/// R-PERM-3, R-OWN-4, R-DIS-1, R-PERM-1, R-IMP-1: roles × pages, each the exact set of labels.
#[tokio::test]
async fn r_perm_3_each_role_sees_exactly_the_links_and_buttons_it_may_use() {
    let Some(chromedriver) = browser_or_skip("r_perm_3_each_role_sees_exactly_the_links_and_buttons_it_may_use") else {
        return;
    };
    let t = team().await;
    let driver = ChromeDriver::start(&chromedriver).await;
    let b = Browser::open(&driver).await;
    if let Err(e) = b.client().set_window_size(1280, 900).await {
        fail!(b, "could not size the window: {e}");
    }
    let table = [
        Expected {
            role: "owner",
            header: &[
                "Skip to content",
                "Roster",
                "Shell Works",
                "Switch account",
                "Work",
                "Clients",
                "Team",
                "Settings",
                "Installation",
                "Me",
                "Start timer",
                "Olga Operator",
                "Sign out",
            ],
            team_tabs: Some(&["Members", "Invitations", "Roles"]),
            page_actions: Some(&["Add a user", "Invitations", "Transfer ownership", "Search", "Export CSV"]),
            rows: &[
                ("Ada Admin", &["Log in as Ada", "Disable", "Archive"]),
                ("Cleo Customer", &["Log in as Cleo", "Disable", "Archive"]),
                ("Emil Employee", &["Log in as Emil", "Disable", "Archive"]),
                // R-OWN-4 and one's own row: nothing.
                ("Olga Operator", &[]),
                ("Stan Standard", &["Log in as Stan", "Disable", "Archive"]),
            ],
            member_page_is_own: false,
            member_page: &[
                "Shell Works",
                "Members",
                "Projects of this person",
                "Save details",
                "Send a reset link",
                "Set password",
                "Save rights",
                "Save preferences",
                "Find",
                "Delete Stan permanently",
            ],
        },
        Expected {
            role: "admin",
            header: &[
                "Skip to content",
                "Roster",
                "Shell Works",
                "Switch account",
                "Work",
                "Clients",
                "Team",
                "Settings",
                "Me",
                "Start timer",
                "Ada Admin",
                "Sign out",
            ],
            team_tabs: Some(&["Members", "Invitations", "Roles"]),
            // Invitations are "owner only" by default (R-PERM-2), but the pending list reads
            // with `users.invite`; ownership is the owner's own act (R-OWN-3).
            page_actions: Some(&["Add a user", "Invitations", "Search", "Export CSV"]),
            rows: &[
                // One's own row: no Disable, no Archive, no Log in as.
                ("Ada Admin", &[]),
                ("Cleo Customer", &["Log in as Cleo", "Disable", "Archive"]),
                ("Emil Employee", &["Log in as Emil", "Disable", "Archive"]),
                ("Olga Operator", &[]),
                ("Stan Standard", &["Log in as Stan", "Disable", "Archive"]),
            ],
            member_page_is_own: false,
            member_page: &[
                "Shell Works",
                "Members",
                "Projects of this person",
                "Save details",
                "Send a reset link",
                "Set password",
                "Save rights",
                "Save preferences",
                "Find",
                "Delete Stan permanently",
            ],
        },
        Expected {
            role: "employee",
            header: &[
                "Skip to content",
                "Roster",
                "Shell Works",
                "Switch account",
                "Work",
                "Clients",
                "Team",
                "Me",
                "Start timer",
                "Emil Employee",
                "Sign out",
            ],
            // `users.view` reads the team and the roles; nothing else.
            team_tabs: Some(&["Members", "Roles"]),
            page_actions: Some(&["Search"]),
            rows: NO_ROW_ACTIONS,
            member_page_is_own: false,
            member_page: &["Shell Works", "Members", "Projects of this person"],
        },
        Expected {
            role: "customer",
            header: &[
                "Skip to content",
                "Roster",
                "Shell Works",
                "Switch account",
                "Work",
                "Clients",
                "Me",
                "Cleo Customer",
                "Sign out",
            ],
            team_tabs: None,
            page_actions: None,
            rows: &[],
            // Their own page: their preferences only, and the account's home as the way back.
            member_page_is_own: true,
            member_page: &["Shell Works", "Projects of this person", "Save preferences"],
        },
    ];
    for e in &table {
        let who = match e.role {
            "owner" => &t.owner,
            "admin" => &t.admin,
            "employee" => &t.employee,
            _ => &t.customer,
        };
        sign_in(&b, &t.app, who).await;

        // The team page: header, tabs, page actions, row actions.
        b.goto(&t.app.at(&format!("/accounts/{}/team", t.account))).await;
        b.find("header .user-name").await;
        let mut header = labels(&b, ".skip-link").await.unwrap_or_default();
        header.extend(labels(&b, "header.top").await.unwrap_or_default());
        if header != strings(e.header) {
            fail!(b, "{}: the header should offer {:?}, offers {header:?}", e.role, e.header);
        }
        let tabs = labels(&b, "nav.area-tabs").await;
        if tabs != e.team_tabs.map(strings) {
            fail!(b, "{}: the Team tabs should be {:?}, are {tabs:?}", e.role, e.team_tabs);
        }
        match e.page_actions {
            Some(expected) => {
                let mut actions = labels(&b, "main .page-actions").await.unwrap_or_default();
                actions.extend(labels(&b, "main form.filters").await.unwrap_or_default());
                if actions != strings(expected) {
                    fail!(b, "{}: the team page should offer {expected:?}, offers {actions:?}", e.role);
                }
                let rows = row_actions(&b).await;
                let want: BTreeMap<String, Vec<String>> =
                    e.rows.iter().map(|(name, labels)| ((*name).to_owned(), strings(labels))).collect();
                if rows != want {
                    fail!(b, "{}: the rows should offer {want:?}, offer {rows:?}", e.role);
                }
                b.expect_attr("nav.area-tabs a[href$='/team']", "aria-current", "page").await;
            }
            None => {
                b.expect_text("main h1", "Not allowed").await;
                if labels(&b, "main table").await.is_some() {
                    fail!(b, "{}: no member list on a refused page", e.role);
                }
            }
        }

        screenshots(&b, &format!("{}-team", e.role)).await;

        // A member's page: the way back and what may be done there.
        let member = if e.member_page_is_own { who.id } else { t.stan.id };
        b.goto(&t.app.at(&format!("/accounts/{}/team/{member}", t.account))).await;
        b.find("main h1").await;
        let page = labels(&b, "main").await.unwrap_or_default();
        if page != strings(e.member_page) {
            fail!(b, "{}: the member page should offer {:?}, offers {page:?}", e.role, e.member_page);
        }
        screenshots(&b, &format!("{}-member", e.role)).await;
        sign_out(&b).await;
    }
    b.quit().await;
}

/// The team list on a 390 px phone: no horizontal scroll, every row's actions reachable.
#[tokio::test]
async fn r_list_1_team_list_fits_a_390_px_phone_without_horizontal_scroll() {
    let Some(chromedriver) = browser_or_skip("r_list_1_team_list_fits_a_390_px_phone_without_horizontal_scroll") else {
        return;
    };
    let t = team().await;
    let driver = ChromeDriver::start(&chromedriver).await;
    let b = Browser::open(&driver).await;
    if let Err(e) = b.client().set_window_size(390, 844).await {
        fail!(b, "could not size the window: {e}");
    }
    sign_in(&b, &t.app, &t.owner).await;
    for path in [format!("/accounts/{}/team", t.account), format!("/accounts/{}/team/{}", t.account, t.stan.id)] {
        b.goto(&t.app.at(&path)).await;
        b.find("main h1").await;
        let widths = b
            .client()
            .execute("return [document.documentElement.scrollWidth, window.innerWidth];", vec![])
            .await
            .unwrap_or_else(|e| panic!("scroll width: {e}"));
        let [scroll, inner]: [u64; 2] = serde_json::from_value(widths).unwrap();
        if inner > 390 || scroll > 390 {
            fail!(b, "{path} at 390 px: the page is {scroll} px wide in a {inner} px window");
        }
    }
    b.quit().await;
}

/// Every page starts with "Skip to content": the first Tab reaches it, and it leads to the main
/// content. A form with errors puts the focus on its first invalid field.
#[tokio::test]
async fn wcag_2_4_1_skip_link_is_the_first_focusable_element_and_errors_take_the_focus() {
    let Some(chromedriver) =
        browser_or_skip("wcag_2_4_1_skip_link_is_the_first_focusable_element_and_errors_take_the_focus")
    else {
        return;
    };
    let t = team().await;
    let driver = ChromeDriver::start(&chromedriver).await;
    let b = Browser::open(&driver).await;
    sign_in(&b, &t.app, &t.owner).await;
    for path in [format!("/accounts/{}/team", t.account), "/me".to_owned(), "/accounts".to_owned()] {
        b.goto(&t.app.at(&path)).await;
        b.find("main h1").await;
        let tab = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: '\u{E004}' })
            .then(KeyAction::Up { value: '\u{E004}' });
        if let Err(e) = b.client().perform_actions(tab).await {
            fail!(b, "could not press Tab: {e}");
        }
        let focused = b
            .client()
            .execute("const e = document.activeElement; return [e.className, e.textContent.trim()];", vec![])
            .await
            .unwrap_or_else(|e| panic!("active element: {e}"));
        let (class, text): (String, String) = serde_json::from_value(focused).unwrap();
        if class != "skip-link" || text != "Skip to content" {
            fail!(b, "{path}: the first Tab should reach “Skip to content”, reached {class:?} “{text}”");
        }
        b.expect_attr(".skip-link", "href", "#content").await;
        b.find("main#content").await;
    }

    // Create account with an empty name: the refused field has the focus.
    b.goto(&t.app.at("/accounts/new")).await;
    b.click("form[action='/accounts/new'] button[type='submit']").await;
    b.expect_attr("#name", "aria-invalid", "true").await;
    let focused = b
        .client()
        .execute("return document.activeElement.id;", vec![])
        .await
        .unwrap_or_else(|e| panic!("active element: {e}"));
    if focused != json!("name") {
        fail!(b, "the focus should be on the invalid name field, is on {focused}");
    }
    b.quit().await;
}

/// The same rules without a browser (so they are checked where Chromium is missing): an admin's
/// own row and the owner's offer no Disable, Archive or Log in as (R-DIS-1, R-OWN-4, R-IMP-1);
/// an employee's team page offers no Add a user, no row action and no Settings area (R-PERM-3).
#[tokio::test]
async fn r_own_4_no_row_action_on_ones_own_row_or_the_owners_and_none_without_users_manage() {
    let t = team().await;
    let team_path = format!("/accounts/{}/team", t.account);
    let cookie = t.app.console_sign_in(&t.admin.email).await;
    let roster_testkit::app::Page { status, html } = t.app.page(&team_path, &cookie).await;
    assert_eq!(status, 200, "{html}");
    for action in ["disable", "archive"] {
        assert!(html.contains(&format!("/team/{}/{action}", t.stan.id)), "{action} offered for Stan: {html}");
        assert!(!html.contains(&format!("/team/{}/{action}", t.admin.id)), "no {action} on one's own row");
        assert!(!html.contains(&format!("/team/{}/{action}", t.owner.id)), "no {action} for the owner");
    }
    assert!(
        !html.contains(&format!("/log-in-as/{}", t.admin.id)) && !html.contains(&format!("/log-in-as/{}", t.owner.id))
    );
    assert!(!html.contains("/transfer\""), "ownership is the owner's own act: {html}");

    let cookie = t.app.console_sign_in(&t.employee.email).await;
    let roster_testkit::app::Page { status, html } = t.app.page(&team_path, &cookie).await;
    assert_eq!(status, 200, "{html}");
    assert!(!html.contains("/team/new") && !html.contains("Add a user"), "{html}");
    assert!(!html.contains("/disable\"") && !html.contains("/archive\"") && !html.contains("/log-in-as/"), "{html}");
    assert!(!html.contains("users.csv"), "no Export CSV without users.export");
    assert!(!html.contains(">Settings<") && !html.contains("/audit\""), "no Settings area: {html}");

    let cookie = t.app.console_sign_in(&t.customer.email).await;
    let roster_testkit::app::Page { status, html } = t.app.page(&format!("/accounts/{}", t.account), &cookie).await;
    assert_eq!(status, 200, "{html}");
    assert!(!html.contains(&format!("href=\"{team_path}\"")), "no link to a page that would refuse: {html}");
    assert!(html.contains("Skip to content") && html.contains("/choose-account"), "{html}");
}

/// R-LIST-1's paging: Next page and Previous page keep the filters, the status line says which
/// members are shown, and Previous leads back to exactly the page before.
#[tokio::test]
async fn r_list_1_team_list_pages_forward_and_back_with_a_summary() {
    let t = team().await;
    let people: Vec<(String, String, String)> =
        (0..120).map(|i| (format!("Pat{i:03}"), "Paged".to_owned(), format!("pat{i:03}@example.test"))).collect();
    let refs: Vec<(&str, &str, &str)> = people.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
    t.app.seed_members(t.account, "standard", &refs).await;
    let cookie = t.app.console_sign_in(&t.owner.email).await;
    let link = |html: &str, rel: &str| -> Option<String> {
        let at = html.find(&format!("rel=\"{rel}\""))?;
        let start = html[..at].rfind("href=\"")? + 6;
        let end = start + html[start..].find('"')?;
        Some(html[start..end].replace("&#38;", "&").replace("&amp;", "&"))
    };
    let first_row = |html: &str| -> String {
        let at = html.find("<td data-label=\"Email\" class=\"email\">").expect("a row") + 37;
        html[at..at + html[at..].find('<').unwrap()].to_owned()
    };

    let roster_testkit::app::Page { status, html: page1 } =
        t.app.page(&format!("/accounts/{}/team?q=paged", t.account), &cookie).await;
    assert_eq!(status, 200, "{page1}");
    assert!(page1.contains("Members 1–50 of 120 (page 1; more on the next page)."), "{page1}");
    assert!(link(&page1, "prev").is_none(), "no Previous page on the first page");
    let next = link(&page1, "next").expect("Next page");
    assert!(next.contains("q=paged"), "the search is kept: {next}");
    let roster_testkit::app::Page { html: page2, .. } = t.app.page(&next, &cookie).await;
    assert!(page2.contains("Members 51–100 of 120 (page 2; more on the next page)."), "{page2}");
    let roster_testkit::app::Page { html: page3, .. } =
        t.app.page(&link(&page2, "next").expect("Next page"), &cookie).await;
    assert!(page3.contains("Members 101–120 of 120 (page 3)."), "{page3}");
    assert!(link(&page3, "next").is_none(), "the last page has no Next page");

    let roster_testkit::app::Page { html: back2, .. } =
        t.app.page(&link(&page3, "prev").expect("Previous page"), &cookie).await;
    assert_eq!(first_row(&back2), first_row(&page2), "Previous leads to the page before");
    assert!(back2.contains("(page 2;"), "{back2}");
    let roster_testkit::app::Page { html: back1, .. } =
        t.app.page(&link(&back2, "prev").expect("Previous page"), &cookie).await;
    assert_eq!(first_row(&back1), first_row(&page1));
    assert!(back1.contains("(page 1;"), "{back1}");
}
