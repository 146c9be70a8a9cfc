//! Console pages for roles and one member: custom roles (R-ROLE-1), rights (R-PERM-1),
//! preferences, permanent delete (R-DEL-1). Plain HTTP with the session cookie; no JS needed.
use roster_testkit::app::{Page, TestApp, csrf_of, each_backend};

async fn post_form(app: &TestApp, path: &str, cookie: &str, form: &[(&str, &str)]) -> (u16, String, String) {
    let res = app.client.post(app.at(path)).header("cookie", cookie).form(form).send().await.unwrap();
    let status = res.status().as_u16();
    let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, location, res.text().await.unwrap())
}

#[tokio::test]
async fn r_role_1_console_makes_a_role_and_gives_it_to_a_member() {
    each_backend(|app| async move {
        let owner = app.owner("Console roles").await;
        let account = owner.account();
        let sam = app.seed_members(account, "standard", &[("Sam", "Staff", "sam@example.test")]).await.remove(0);
        let cookie = app.console_sign_in("owner@example.test").await;

        let Page { status, html } = app.page(&format!("/accounts/{account}/roles"), &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains("Salesperson") && html.contains("<legend>Team</legend>"), "grouped catalogue");
        assert!(html.contains("Create and edit custom roles."), "a sentence per permission");
        let csrf = csrf_of(&html);
        let roles = format!("/accounts/{account}/roles");
        let form = [
            ("csrf", csrf.as_str()),
            ("name", "Night shift"),
            ("permissions", "time.track"),
            ("permissions", "tickets.view_open"),
        ];
        let (status, location, _) = post_form(&app, &roles, &cookie, &form).await;
        assert_eq!((status, location.as_str()), (303, format!("{roles}?done=created").as_str()));
        // A bad name comes back on the form with the field's message.
        let (status, _, html) = post_form(&app, &roles, &cookie, &[("csrf", csrf.as_str()), ("name", "Admin")]).await;
        assert_eq!(status, 422);
        assert!(html.contains("name of a built-in role"), "{html}");

        let role = app.db.store.read().await.unwrap().role_by_name(account, "night shift").await.unwrap().unwrap();
        let member = format!("/accounts/{account}/team/{}", sam.id);
        let team = app.page(&format!("/accounts/{account}/team"), &cookie).await.html;
        assert!(team.contains(&format!("href=\"{member}\"")), "names link to the member's page");
        let Page { status, html } = app.page(&member, &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains("Night shift"), "the account's roles are offered");
        let role_id = role.id.to_string();
        let form = [("csrf", csrf.as_str()), ("part", "rights"), ("role", role_id.as_str())];
        let (status, location, _) = post_form(&app, &member, &cookie, &form).await;
        assert_eq!((status, location.as_str()), (303, format!("{member}?done=rights").as_str()));
        let m = app.db.store.read().await.unwrap().membership(account, sam.id).await.unwrap().unwrap();
        assert_eq!(m.custom_role_id, Some(role.id));
        // Choosing permissions by hand.
        let form = [("csrf", csrf.as_str()), ("part", "rights"), ("role", "__choose"), ("permissions", "filters.save")];
        let (status, _, _) = post_form(&app, &member, &cookie, &form).await;
        assert_eq!(status, 303);
        let m = app.db.store.read().await.unwrap().membership(account, sam.id).await.unwrap().unwrap();
        assert_eq!((m.custom_role_id, m.permissions.as_deref()), (None, Some("filters.save")));
        // The role is unused now: the edit page deletes it.
        let edit = format!("{roles}/{role_id}");
        let Page { status, html } = app.page(&edit, &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains("Night shift"));
        let (status, location, _) =
            post_form(&app, &edit, &cookie, &[("csrf", csrf.as_str()), ("intent", "delete")]).await;
        assert_eq!((status, location.as_str()), (303, format!("{roles}?done=deleted").as_str()));
    })
    .await;
}

#[tokio::test]
async fn r_del_1_console_preferences_and_permanent_delete_with_confirmation() {
    each_backend(|app| async move {
        let owner = app.owner("Console members").await;
        let account = owner.account();
        let gone = app.seed_members(account, "standard", &[("Gus", "Gone", "gus@example.test")]).await.remove(0);
        let cookie = app.console_sign_in("owner@example.test").await;
        let member = format!("/accounts/{account}/team/{}", gone.id);
        let html = app.page(&member, &cookie).await.html;
        assert!(html.contains("cannot be undone") && html.contains("Give their records to"), "says what will happen");
        let csrf = csrf_of(&html);

        let prefs = [
            ("csrf", csrf.as_str()),
            ("part", "preferences"),
            ("landing_page", "home"),
            ("contact_tab", "notes"),
            ("daily_reminders", "on"),
        ];
        let (status, _, _) = post_form(&app, &member, &cookie, &prefs).await;
        assert_eq!(status, 303);
        let m = app.db.store.read().await.unwrap().membership(account, gone.id).await.unwrap().unwrap();
        assert_eq!(
            (m.landing_page.as_str(), m.contact_tab.as_str(), m.show_calendar, m.daily_reminders),
            ("home", "notes", false, true)
        );

        // Without the box ticked nothing happens.
        let (status, _, html) = post_form(&app, &member, &cookie, &[("csrf", csrf.as_str()), ("part", "delete")]).await;
        assert_eq!(status, 422);
        assert!(html.contains("Tick the box"), "{html}");
        assert!(app.db.store.read().await.unwrap().membership(account, gone.id).await.unwrap().is_some());
        let form = [("csrf", csrf.as_str()), ("part", "delete"), ("confirm", "on")];
        let (status, location, _) = post_form(&app, &member, &cookie, &form).await;
        assert_eq!(
            (status, location.as_str()),
            (303, format!("/accounts/{account}/team?done=deleted_erased").as_str())
        );
        assert!(app.db.store.read().await.unwrap().membership(account, gone.id).await.unwrap().is_none());
        let Page { status, html } = app.page(&location, &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains("personal data erased"), "the team page says what happened");
        // The owner's page offers no delete and no rights form.
        let owner_id = app.db.store.read().await.unwrap().account_by_id(account).await.unwrap().unwrap().owner_id;
        let html = app.page(&format!("/accounts/{account}/team/{owner_id}"), &cookie).await.html;
        assert!(!html.contains("Delete permanently") && !html.contains("Save rights"));
    })
    .await;
}

#[tokio::test]
async fn r_auth_2_landing_page_preference_is_honoured_after_sign_in() {
    each_backend(|app| async move {
        let owner = app.owner("Landing").await;
        let account = owner.account();
        let ann = app.seed_members(account, "admin", &[("Ann", "Admin", "ann@example.test")]).await.remove(0);
        let sign_in = |app: &TestApp| {
            let client = app.client.clone();
            let url = app.at("/sign-in");
            async move {
                let form = [("login", "ann@example.test"), ("password", roster_testkit::app::PASSWORD)];
                let res = client.post(url).form(&form).send().await.unwrap();
                res.headers()["location"].to_str().unwrap().to_owned()
            }
        };
        assert_eq!(sign_in(&app).await, format!("/accounts/{account}/team"), "an admin lands on the team");
        let path = format!("/api/v1/accounts/{account}/users/{}", ann.id);
        let ann_token = app.token("ann@example.test", None).await;
        let body = serde_json::json!({ "preferences": { "landing_page": "home" } });
        let status = app.send(reqwest::Method::PATCH, &path, &ann_token, Some(body)).await.status;
        assert_eq!(status, 200);
        assert_eq!(sign_in(&app).await, format!("/accounts/{account}"), "her preference: the account's home");
    })
    .await;
}

#[tokio::test]
async fn r_add_1_console_adds_a_user_with_chosen_permissions_or_all() {
    each_backend(|app| async move {
        let owner = app.owner("Chosen").await;
        let account = owner.account();
        let cookie = app.console_sign_in("owner@example.test").await;
        let path = format!("/accounts/{account}/team/new");
        let html = app.page(&path, &cookie).await.html;
        assert!(html.contains("All permissions") && html.contains("Choose permissions below"));
        let csrf = csrf_of(&html);
        let form = [
            ("csrf", csrf.as_str()),
            ("email", "cho@example.test"),
            ("first_name", "Cho"),
            ("last_name", "Sen"),
            ("role", "__choose"),
            ("permissions", "time.track"),
            ("permissions", "filters.save"),
        ];
        let (status, _, html) = post_form(&app, &path, &cookie, &form).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("Added Cho Sen"), "{html}");
        let form = [
            ("csrf", csrf.as_str()),
            ("email", "all@example.test"),
            ("first_name", "Al"),
            ("last_name", "Lall"),
            ("role", "__all"),
        ];
        let (status, _, html) = post_form(&app, &path, &cookie, &form).await;
        assert_eq!(status, 200, "{html}");
        let mut tx = app.db.store.read().await.unwrap();
        let cho = tx.user_by_email("cho@example.test").await.unwrap().unwrap();
        let m = tx.membership(account, cho.id).await.unwrap().unwrap();
        assert_eq!((m.role.as_str(), m.permissions.as_deref()), ("custom", Some("filters.save,time.track")));
        let all = tx.user_by_email("all@example.test").await.unwrap().unwrap();
        let m = tx.membership(account, all.id).await.unwrap().unwrap();
        assert_eq!(
            roster_core::PermissionSet::from_ids(m.permissions.as_deref().unwrap()).unwrap(),
            roster_core::PermissionSet::all()
        );
    })
    .await;
}
