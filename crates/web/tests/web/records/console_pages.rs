//! The records' console pages through HTTP (decision 0093): a contact's tabs in the viewer's
//! scopes (R-CON-1, R-PRJ-1, R-TODO-1, R-CAL-1), the calendars page (R-CAL-1: the owner renames,
//! `calendars.view_all` only views), an event's page and form, and the pickers.
use roster_testkit::app::{TestApp, csrf_of, each_backend};
use serde_json::json;
use uuid::Uuid;

async fn post_form(app: &TestApp, path: &str, cookie: &str, form: &[(&str, &str)]) -> (u16, String, String) {
    let res = app.client.post(app.at(path)).header("cookie", cookie).form(form).send().await.unwrap();
    let status = res.status().as_u16();
    let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, location, res.text().await.unwrap())
}

/// A contact made by `token`'s holder, assigned to `to`.
async fn contact(app: &TestApp, a: Uuid, token: &str, first: &str, to: Uuid) -> Uuid {
    app.post_json(
        &format!("/api/v1/accounts/{a}/contacts"),
        Some(token),
        &json!({ "first_name": first, "last_name": "Client", "assigned_to": to }),
    )
    .await
    .assert_status(201)
    .id()
}

/// A task linked to `contact` in a new list of the token's holder.
async fn task(app: &TestApp, a: Uuid, token: &str, title: &str, contact: Uuid) {
    let base = format!("/api/v1/accounts/{a}");
    let list = app.post_json(&format!("{base}/todo-lists"), Some(token), &json!({ "name": "Calls" })).await;
    list.assert_status(201);
    app.post_json(
        &format!("{base}/todo-lists/{}/todos", list.id()),
        Some(token),
        &json!({ "title": title, "contact_id": contact }),
    )
    .await
    .assert_status(201);
}

/// An event in the token holder's default calendar, linked to `contact` when given.
async fn event(app: &TestApp, a: Uuid, token: &str, title: &str, contact: Option<Uuid>) -> Uuid {
    app.post_json(
        &format!("/api/v1/accounts/{a}/events"),
        Some(token),
        &json!({ "title": title, "starts_at": "2030-03-05T09:00:00Z", "ends_at": "2030-03-05T10:00:00Z", "contact_id": contact }),
    )
    .await
    .assert_status(201)
    .id()
}

#[tokio::test]
async fn r_con_1_contact_tabs_show_only_what_the_viewer_may_see() {
    each_backend(|app: TestApp| async move {
        let owner = app.owner("Acme").await;
        let a = owner.account();
        // An employee holds none of contacts, projects, todos or calendars `.view_all`.
        let emp = app.member_with(&owner, "employee").await;
        let cleo = contact(&app, a, owner.bearer(), "Cleo", emp.id).await;
        let dora = contact(&app, a, owner.bearer(), "Dora", emp.id).await;
        let olga = contact(&app, a, owner.bearer(), "Olga", owner.id).await;
        let base = format!("/api/v1/accounts/{a}");
        for (name, members) in [("Shared build", json!([emp.id])), ("Owner only", json!([]))] {
            app.post_json(
                &format!("{base}/projects"),
                Some(owner.bearer()),
                &json!({ "name": name, "contact_id": cleo, "member_ids": members }),
            )
            .await
            .assert_status(201);
        }
        task(&app, a, emp.bearer(), "Employee call", cleo).await;
        task(&app, a, owner.bearer(), "Owner call", cleo).await;
        event(&app, a, emp.bearer(), "Employee visit", Some(cleo)).await;
        event(&app, a, owner.bearer(), "Owner visit", Some(cleo)).await;

        let cookie = app.console_sign_in(&emp.email).await;
        let tab = |c: Uuid, t: &str| format!("/accounts/{a}/contacts/{c}?tab={t}");
        let page = app.page(&tab(cleo, "todos"), &cookie).await;
        page.assert_status(200);
        assert!(page.html.contains("Employee call"), "{}", page.html);
        assert!(!page.html.contains("Owner call"), "another's list is out of the employee's TODOS scope");
        let page = app.page(&tab(cleo, "projects"), &cookie).await;
        assert!(page.html.contains("Shared build") && !page.html.contains("Owner only"), "{}", page.html);
        assert!(page.html.contains(&format!("/accounts/{a}/projects/")), "linked to project pages");
        let page = app.page(&tab(cleo, "events"), &cookie).await;
        assert!(page.html.contains("Employee visit") && !page.html.contains("Owner visit"), "{}", page.html);
        assert!(page.html.contains("2030-03-05 09:00 UTC"), "in the viewer's time zone: {}", page.html);
        let page = app.page(&tab(cleo, "emails"), &cookie).await;
        assert!(page.html.contains("does not send email to contacts"), "one honest sentence");
        // Empty states say so and offer what the viewer may do.
        let page = app.page(&tab(dora, "todos"), &cookie).await;
        assert!(page.html.contains("No to-dos for this contact yet."), "{}", page.html);
        let page = app.page(&tab(dora, "projects"), &cookie).await;
        assert!(page.html.contains("No projects for this contact yet."));
        assert!(!page.html.contains("/projects/new"), "no projects.manage, no link to add one");
        let page = app.page(&tab(dora, "events"), &cookie).await;
        assert!(page.html.contains("No events with this contact yet."));
        // A contact assigned to another: 404 on every tab.
        assert_eq!(app.page(&tab(olga, "todos"), &cookie).await.status, 404);

        // The owner (every `.view_all`) sees all of it, and may add a project; times in their zone.
        let zone = json!({ "time_zone": "Europe/Paris" });
        app.send(reqwest::Method::PATCH, "/api/v1/me", owner.bearer(), Some(zone)).await.assert_status(200);
        let owner_cookie = app.console_sign_in(&owner.email).await;
        let page = app.page(&tab(cleo, "todos"), &owner_cookie).await;
        assert!(page.html.contains("Employee call") && page.html.contains("Owner call"), "{}", page.html);
        let page = app.page(&tab(cleo, "projects"), &owner_cookie).await;
        assert!(page.html.contains("Shared build") && page.html.contains("Owner only"));
        let page = app.page(&tab(dora, "projects"), &owner_cookie).await;
        assert!(page.html.contains(&format!("/accounts/{a}/projects/new?contact_id={dora}")));
        let page = app.page(&tab(cleo, "events"), &owner_cookie).await;
        assert!(page.html.contains("Employee visit") && page.html.contains("Owner visit"));
        assert!(page.html.contains("2030-03-05 10:00 CET"), "the owner's zone: {}", page.html);

        // Another account's admin: 404.
        let op = app.token(&owner.email, None).await;
        let elsewhere = app.create_account(&op, "Elsewhere").await;
        let eve = app.seed_members(elsewhere, "admin", &[("Eve", "Admin", "eve@example.test")]).await.remove(0);
        let eve_cookie = app.console_sign_in(&eve.email).await;
        assert_eq!(app.page(&tab(cleo, "todos"), &eve_cookie).await.status, 404);
    })
    .await;
}

#[tokio::test]
async fn r_cal_1_calendars_page_owner_renames_creates_deletes_and_a_viewer_only_views() {
    each_backend(|app: TestApp| async move {
        let owner = app.owner("Acme").await;
        let a = owner.account();
        let emp = app.member_with(&owner, "employee").await;
        event(&app, a, emp.bearer(), "Stand-up", None).await;
        let cookie = app.console_sign_in(&emp.email).await;
        let page = app.page(&format!("/accounts/{a}/calendars"), &cookie).await;
        page.assert_status(200);
        assert!(page.html.contains("My calendar") && page.html.contains("(default)"), "{}", page.html);
        let week = app.page(&format!("/accounts/{a}/calendar"), &cookie).await;
        assert!(week.html.contains(&format!("href=\"/accounts/{a}/calendars\"")), "linked from the week view");
        let cals = app.get_json(&format!("/api/v1/accounts/{a}/calendars"), Some(emp.bearer())).await;
        let default = cals.items()[0]["id"].as_str().unwrap().to_owned();
        let csrf = csrf_of(&page.html);

        // Create, rename (errors by the field), a default stays, another goes.
        let (status, location, _) =
            post_form(&app, &format!("/accounts/{a}/calendars"), &cookie, &[("csrf", &csrf), ("name", "Field work")])
                .await;
        assert_eq!((status, location.as_str()), (303, format!("/accounts/{a}/calendars?done=created").as_str()));
        let (status, _, html) =
            post_form(&app, &format!("/accounts/{a}/calendars"), &cookie, &[("csrf", &csrf), ("name", " ")]).await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"name-error\""), "{html}");
        let rename = format!("/accounts/{a}/calendars/{default}/rename");
        let (status, _, html) = post_form(&app, &rename, &cookie, &[("csrf", &csrf), ("name", "")]).await;
        assert_eq!(status, 422);
        assert!(html.contains(&format!("id=\"name-{default}-error\"")), "next to that calendar's name: {html}");
        let (status, _, _) = post_form(&app, &rename, &cookie, &[("csrf", &csrf), ("name", "Site visits")]).await;
        assert_eq!(status, 303);
        let page = app.page(&format!("/accounts/{a}/calendars"), &cookie).await;
        assert!(page.html.contains("Site visits") && page.html.contains("Field work"), "{}", page.html);
        let (status, _, html) =
            post_form(&app, &format!("/accounts/{a}/calendars/{default}/delete"), &cookie, &[("csrf", &csrf)]).await;
        assert_eq!(status, 409);
        assert!(html.contains("cannot be deleted"), "{html}");
        let cals = app.get_json(&format!("/api/v1/accounts/{a}/calendars"), Some(emp.bearer())).await;
        let field = cals.items().iter().find(|c| c["name"] == "Field work").unwrap()["id"].as_str().unwrap().to_owned();
        // With two calendars the week's add form offers them; the event goes to the one chosen.
        let week = app.page(&format!("/accounts/{a}/calendar?week=2030-03-04"), &cookie).await;
        assert!(week.html.contains("<select id=\"calendar_id\""), "{}", week.html);
        let add = [
            ("csrf", csrf.as_str()),
            ("title", "Survey"),
            ("day", "2030-03-06"),
            ("start", "08:00"),
            ("end", "09:00"),
            ("calendar_id", field.as_str()),
        ];
        assert_eq!(post_form(&app, &format!("/accounts/{a}/calendar"), &cookie, &add).await.0, 303);
        let found = app
            .get_json(&format!("/api/v1/accounts/{a}/events?from=2030-03-06&to=2030-03-07"), Some(emp.bearer()))
            .await;
        assert_eq!(found.items()[0]["calendar_id"].as_str(), Some(field.as_str()), "{found}");
        let (status, _, _) =
            post_form(&app, &format!("/accounts/{a}/calendars/{field}/delete"), &cookie, &[("csrf", &csrf)]).await;
        assert_eq!(status, 303);
        assert!(!app.page(&format!("/accounts/{a}/calendars"), &cookie).await.html.contains("Field work"));

        // A standard member holds calendars.view_all: sees it, no form, a POST is refused.
        let std = app.member_with(&owner, "standard").await;
        let std_cookie = app.console_sign_in(&std.email).await;
        let page = app.page(&format!("/accounts/{a}/calendars"), &std_cookie).await;
        page.assert_status(200);
        assert!(page.html.contains("Site visits") && page.html.contains("View only"), "{}", page.html);
        assert!(!page.html.contains(&rename), "no rename form for another's calendar");
        let std_csrf = csrf_of(&page.html);
        let (status, _, html) = post_form(&app, &rename, &std_cookie, &[("csrf", &std_csrf), ("name", "Mine")]).await;
        assert_eq!(status, 403, "{html}");
        let cals = app.get_json(&format!("/api/v1/accounts/{a}/calendars"), Some(emp.bearer())).await;
        assert_eq!(cals.items()[0]["name"], "Site visits", "unchanged");
        // A vendor does not see it; another account's admin gets 404.
        let vendor = app.member_with(&owner, "vendor").await;
        let page = app.page(&format!("/accounts/{a}/calendars"), &app.console_sign_in(&vendor.email).await).await;
        assert!(!page.html.contains("Site visits"));
        let op = app.token(&owner.email, None).await;
        let elsewhere = app.create_account(&op, "Elsewhere").await;
        let eve = app.seed_members(elsewhere, "admin", &[("Eve", "Admin", "eve@example.test")]).await.remove(0);
        let eve_cookie = app.console_sign_in(&eve.email).await;
        assert_eq!(app.page(&format!("/accounts/{a}/calendars"), &eve_cookie).await.status, 404);
    })
    .await;
}

#[tokio::test]
async fn r_cal_1_event_page_edits_with_errors_by_field_picks_links_and_deletes() {
    each_backend(|app: TestApp| async move {
        let owner = app.owner("Acme").await;
        let a = owner.account();
        let emp = app.member_with(&owner, "employee").await;
        let cleo = contact(&app, a, owner.bearer(), "Cleo", emp.id).await;
        contact(&app, a, owner.bearer(), "Zed", emp.id).await;
        contact(&app, a, owner.bearer(), "Hidden", owner.id).await;
        let project = app
            .post_json(
                &format!("/api/v1/accounts/{a}/projects"),
                Some(owner.bearer()),
                &json!({ "name": "Kitchen", "member_ids": [emp.id] }),
            )
            .await
            .assert_status(201)
            .id();
        let ev = event(&app, a, emp.bearer(), "Stand-up", None).await;
        let cookie = app.console_sign_in(&emp.email).await;
        let week = app.page(&format!("/accounts/{a}/calendar?week=2030-03-04"), &cookie).await;
        let edit = format!("/accounts/{a}/events/{ev}/edit");
        assert!(week.html.contains(&format!("href=\"{edit}\"")), "each event links to its page");
        let page = app.page(&edit, &cookie).await;
        page.assert_status(200);
        assert!(page.html.contains("<select id=\"contact_id\""), "a picker, not an id box");
        assert!(page.html.contains("Cleo Client") && page.html.contains("Zed Client"), "{}", page.html);
        assert!(!page.html.contains("Hidden Client"), "contacts outside the viewer's scope are no choice");
        assert!(page.html.contains("Kitchen") && page.html.contains("My calendar"));
        let csrf = csrf_of(&page.html);
        let cal = app.get_json(&format!("/api/v1/accounts/{a}/calendars"), Some(emp.bearer())).await.items()[0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (cleo_s, project_s) = (cleo.to_string(), project.to_string());
        let mut form = vec![
            ("csrf", csrf.as_str()),
            ("title", "Site visit"),
            ("start_day", "2030-03-05"),
            ("start", "10:00"),
            ("end_day", "2030-03-05"),
            ("end", "09:00"),
            ("calendar_id", cal.as_str()),
            ("contact_id", cleo_s.as_str()),
            ("project_id", project_s.as_str()),
        ];
        // Ends before it starts: 422, next to the end field, what was typed kept.
        let (status, _, html) = post_form(&app, &edit, &cookie, &form).await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"ends_at-error\"") && html.contains("value=\"Site visit\""), "{html}");
        // "Find a contact" narrows the choices without saving.
        let mut find = form.clone();
        find.extend([("contact_q", "zed"), ("find", "1")]);
        let (status, _, html) = post_form(&app, &edit, &cookie, &find).await;
        assert_eq!(status, 200);
        assert!(html.contains("Zed Client") && html.contains("Cleo Client"), "the linked one stays a choice");
        assert!(!html.contains("field-error"), "nothing saved, nothing refused");
        form[5] = ("end", "11:00");
        let (status, location, _) = post_form(&app, &edit, &cookie, &form).await;
        assert_eq!(
            (status, location.as_str()),
            (303, format!("/accounts/{a}/calendar?week=2030-03-04&done=saved").as_str())
        );
        let saved = app.get_json(&format!("/api/v1/accounts/{a}/events/{ev}"), Some(emp.bearer())).await;
        assert_eq!(saved["title"], "Site visit");
        assert_eq!(
            (saved["contact_id"].as_str(), saved["project_id"].as_str()),
            (Some(cleo_s.as_str()), Some(project_s.as_str()))
        );
        assert_eq!(saved["ends_at"], "2030-03-05T11:00:00Z");

        // The owner (calendars.view_all) reads it without a form; a POST is refused.
        let owner_cookie = app.console_sign_in(&owner.email).await;
        let page = app.page(&edit, &owner_cookie).await;
        page.assert_status(200);
        assert!(page.html.contains("Site visit") && !page.html.contains("Save event"), "{}", page.html);
        let owner_csrf = csrf_of(&page.html);
        let mut theirs = form.clone();
        theirs[0] = ("csrf", owner_csrf.as_str());
        assert_eq!(post_form(&app, &edit, &owner_cookie, &theirs).await.0, 403);
        // A vendor and another account's admin: 404.
        let vendor = app.member_with(&owner, "vendor").await;
        assert_eq!(app.page(&edit, &app.console_sign_in(&vendor.email).await).await.status, 404);
        let op = app.token(&owner.email, None).await;
        let elsewhere = app.create_account(&op, "Elsewhere").await;
        let eve = app.seed_members(elsewhere, "admin", &[("Eve", "Admin", "eve@example.test")]).await.remove(0);
        assert_eq!(app.page(&edit, &app.console_sign_in(&eve.email).await).await.status, 404);

        // Delete after confirming.
        let (status, _, _) = post_form(
            &app,
            &format!("/accounts/{a}/events/{ev}/delete"),
            &cookie,
            &[("csrf", &csrf), ("confirm", "on")],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(app.page(&edit, &cookie).await.status, 404);
    })
    .await;
}

#[tokio::test]
async fn r_con_1_contact_form_picks_the_assignee_from_active_members() {
    each_backend(|app: TestApp| async move {
        let owner = app.owner("Acme").await;
        let a = owner.account();
        let emp = app.member_with(&owner, "employee").await;
        let cookie = app.console_sign_in(&owner.email).await;
        let page = app.page(&format!("/accounts/{a}/contacts/new"), &cookie).await;
        page.assert_status(200);
        assert!(page.html.contains("<select id=\"assigned_to\""), "{}", page.html);
        assert!(page.html.contains(&format!("<option value=\"{}\"", emp.id)), "the employee is a choice");
        assert!(page.html.contains(&format!("<option value=\"{}\" selected", owner.id)), "the maker by default");
        let csrf = csrf_of(&page.html);
        let emp_id = emp.id.to_string();
        let (status, location, _) = post_form(
            &app,
            &format!("/accounts/{a}/contacts"),
            &cookie,
            &[("csrf", &csrf), ("type", "client"), ("first_name", "Pia"), ("stage", "new"), ("assigned_to", &emp_id)],
        )
        .await;
        assert_eq!(status, 303, "{location}");
        let id = location.split('/').nth(4).unwrap().split('?').next().unwrap().to_owned();
        let c = app.get_json(&format!("/api/v1/accounts/{a}/contacts/{id}"), Some(owner.bearer())).await;
        assert_eq!(c["assigned_to"].as_str(), Some(emp_id.as_str()));
        // A salesperson (no contacts.view_all) may assign only to themselves: the only choice.
        let sales = app.member_with(&owner, "salesperson").await;
        let page = app.page(&format!("/accounts/{a}/contacts/new"), &app.console_sign_in(&sales.email).await).await;
        page.assert_status(200);
        assert!(page.html.contains(&format!("<option value=\"{}\" selected", sales.id)), "{}", page.html);
        assert!(!page.html.contains(&format!("<option value=\"{}\"", emp.id)), "no one else to choose");
    })
    .await;
}

#[tokio::test]
async fn r_prj_1_project_form_picks_the_client_contact_from_the_contact_tab() {
    each_backend(|app: TestApp| async move {
        let owner = app.owner("Acme").await;
        let a = owner.account();
        let cleo = contact(&app, a, owner.bearer(), "Cleo", owner.id).await;
        contact(&app, a, owner.bearer(), "Zed", owner.id).await;
        let cookie = app.console_sign_in(&owner.email).await;
        // The contact's empty projects tab links to the form with the contact chosen.
        let page = app.page(&format!("/accounts/{a}/projects/new?contact_id={cleo}"), &cookie).await;
        page.assert_status(200);
        assert!(page.html.contains(&format!("<option value=\"{cleo}\" selected>Cleo Client")), "{}", page.html);
        let csrf = csrf_of(&page.html);
        let cleo_s = cleo.to_string();
        let mut form = vec![("csrf", csrf.as_str()), ("name", "Roof"), ("status", "active"), ("contact_id", "nope")];
        let (status, _, html) = post_form(&app, &format!("/accounts/{a}/projects"), &cookie, &form).await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"contact_id-error\""), "{html}");
        let mut find = form.clone();
        find.extend([("contact_q", "zed"), ("find", "1")]);
        let (status, _, html) = post_form(&app, &format!("/accounts/{a}/projects"), &cookie, &find).await;
        assert_eq!(status, 200);
        assert!(html.contains("Zed Client") && !html.contains("Cleo Client"), "narrowed: {html}");
        form[3] = ("contact_id", cleo_s.as_str());
        let (status, location, _) = post_form(&app, &format!("/accounts/{a}/projects"), &cookie, &form).await;
        assert_eq!(status, 303);
        let page = app.page(&location, &cookie).await;
        assert!(
            page.html.contains(&format!("<a href=\"/accounts/{a}/contacts/{cleo}\">Cleo Client</a>")),
            "{}",
            page.html
        );
        let tab = app.page(&format!("/accounts/{a}/contacts/{cleo}?tab=projects"), &cookie).await;
        assert!(tab.html.contains("Roof"));
        // Choosing "None" on the edit form clears it.
        let csrf = csrf_of(&page.html);
        let edit = [("csrf", csrf.as_str()), ("name", "Roof"), ("status", "active"), ("contact_id", "")];
        let (status, _, _) = post_form(&app, &location, &cookie, &edit).await;
        assert_eq!(status, 303);
        let tab = app.page(&format!("/accounts/{a}/contacts/{cleo}?tab=projects"), &cookie).await;
        assert!(tab.html.contains("No projects for this contact yet."));
    })
    .await;
}

#[tokio::test]
async fn r_todo_1_task_form_picks_contact_and_project_in_scope() {
    each_backend(|app: TestApp| async move {
        let owner = app.owner("Acme").await;
        let a = owner.account();
        let emp = app.member_with(&owner, "employee").await;
        let cleo = contact(&app, a, owner.bearer(), "Cleo", emp.id).await;
        contact(&app, a, owner.bearer(), "Olga", owner.id).await;
        let base = format!("/api/v1/accounts/{a}");
        let project = app
            .post_json(
                &format!("{base}/projects"),
                Some(owner.bearer()),
                &json!({ "name": "Kitchen", "member_ids": [emp.id] }),
            )
            .await
            .assert_status(201)
            .id();
        app.post_json(&format!("{base}/projects"), Some(owner.bearer()), &json!({ "name": "Secret" }))
            .await
            .assert_status(201);
        let list = app.post_json(&format!("{base}/todo-lists"), Some(emp.bearer()), &json!({ "name": "Calls" })).await;
        let path = format!("/accounts/{a}/todos/{}", list.id());
        let cookie = app.console_sign_in(&emp.email).await;
        let page = app.page(&path, &cookie).await;
        page.assert_status(200);
        assert!(page.html.contains("Cleo Client") && !page.html.contains("Olga Client"), "{}", page.html);
        assert!(page.html.contains("Kitchen") && !page.html.contains("Secret"), "{}", page.html);
        let csrf = csrf_of(&page.html);
        let (cleo_s, project_s) = (cleo.to_string(), project.to_string());
        let form = [
            ("csrf", csrf.as_str()),
            ("title", "Call Cleo"),
            ("contact_id", cleo_s.as_str()),
            ("project_id", project_s.as_str()),
        ];
        let (status, _, _) = post_form(&app, &path, &cookie, &form).await;
        assert_eq!(status, 303);
        let tab = app.page(&format!("/accounts/{a}/contacts/{cleo}?tab=todos"), &cookie).await;
        assert!(tab.html.contains("Call Cleo"), "{}", tab.html);
        let bad = [("csrf", csrf.as_str()), ("title", "Call"), ("contact_id", "x"), ("project_id", "")];
        let (status, _, html) = post_form(&app, &path, &cookie, &bad).await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"contact_id-error\""), "{html}");
    })
    .await;
}

/// R-CAL-1 in the viewer's time zone: the week's days are their days, the times they type and
/// read are on their wall clock, stored as instants (an API client in UTC reads the same event).
#[tokio::test]
async fn r_cal_1_week_and_event_forms_read_and_show_the_viewers_wall_clock() {
    each_backend(|app: TestApp| async move {
        let owner = app.owner("Acme").await;
        let a = owner.account();
        let emp = app.member_with(&owner, "employee").await;
        let tz =
            app.send(reqwest::Method::PATCH, "/api/v1/me", emp.bearer(), Some(json!({ "time_zone": "Asia/Tokyo" })));
        assert_eq!(tz.await.status, 200);
        let cookie = app.console_sign_in(&emp.email).await;
        let week = format!("/accounts/{a}/calendar?week=2030-03-04");
        let csrf = csrf_of(&app.page(&week, &cookie).await.html);
        let form = [
            ("csrf", csrf.as_str()),
            ("title", "Early call"),
            ("day", "2030-03-05"),
            ("start", "08:00"),
            ("end", "08:30"),
        ];
        let (status, _, _) = post_form(&app, &format!("/accounts/{a}/calendar"), &cookie, &form).await;
        assert_eq!(status, 303);
        let events = app
            .get_json(&format!("/api/v1/accounts/{a}/events?from=2030-03-01&to=2030-03-10"), Some(emp.bearer()))
            .await;
        let made = events.items().iter().find(|e| e["title"] == "Early call").unwrap().clone();
        assert_eq!(made["starts_at"], "2030-03-04T23:00:00Z", "08:00 in Tokyo is 23:00 UTC the day before");
        let page = app.page(&week, &cookie).await;
        let tuesday = page.html.find("Tuesday 2030-03-05").unwrap();
        let monday = page.html.find("Monday 2030-03-04").unwrap();
        let at = page.html.find("08:00 <a").unwrap();
        assert!(monday < tuesday && tuesday < at, "on Tuesday, at 08:00 on the viewer's clock");
        assert!(page.html.contains("Asia/Tokyo"));
        let id = made["id"].as_str().unwrap();
        let edit = app.page(&format!("/accounts/{a}/events/{id}/edit"), &cookie).await;
        assert!(edit.html.contains("value=\"2030-03-05\"") && edit.html.contains("value=\"08:00\""), "{}", edit.html);
        // The owner, in Paris, compares calendars: the same instant on their clock, in their week.
        let tz = app.send(
            reqwest::Method::PATCH,
            "/api/v1/me",
            owner.bearer(),
            Some(json!({ "time_zone": "Europe/Paris" })),
        );
        assert_eq!(tz.await.status, 200);
        let owner_cookie = app.console_sign_in(&owner.email).await;
        let cmp = app.page(&format!("/accounts/{a}/calendar/compare?week=2030-03-04"), &owner_cookie).await;
        assert!(cmp.html.contains("2030-03-05 00:00 CET Early call"), "{}", cmp.html);
    })
    .await;
}
