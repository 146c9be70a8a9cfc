//! todos through HTTP (R-TODO-1): without `todos.view_all` only one's own lists; with it every
//! list and adding to any; a default list is never deleted; dates and titles checked.
use roster_testkit::app::each_backend;
use serde_json::json;

#[tokio::test]
async fn r_todo_1_own_lists_only_without_view_all_and_any_list_with_it() {
    each_backend(|app| async move {
        let owner = app.owner("Studio").await;
        let a = owner.account();
        let standard = app.member_with(&owner, "standard").await;
        let employee = app.member_with(&owner, "employee").await;
        let base = format!("/api/v1/accounts/{a}");
        // The employee has no list yet (made before R-JOIN-1): the list is empty, not an error.
        let empty = app.get_json(&format!("{base}/todo-lists"), Some(employee.bearer())).await;
        empty.assert_status(200);
        assert!(empty.items().is_empty());
        let list =
            app.post_json(&format!("{base}/todo-lists"), Some(employee.bearer()), &json!({ "name": "Errands" })).await;
        list.assert_status(201);
        let list_id = list.id();
        // Not for someone else without todos.view_all.
        let other = json!({ "name": "Theirs", "owner_id": standard.id });
        let refused = app.post_json(&format!("{base}/todo-lists"), Some(employee.bearer()), &other).await;
        refused.assert_status(422);
        let standards =
            app.post_json(&format!("{base}/todo-lists"), Some(standard.bearer()), &json!({ "name": "Sales" })).await;
        let standards_id = standards.id();

        let task = json!({ "title": "Call back", "due_on": "2026-12-24", "assignee_id": employee.id });
        let made = app.post_json(&format!("{base}/todo-lists/{list_id}/todos"), Some(employee.bearer()), &task).await;
        made.assert_status(201);
        let todo_id = made.id();
        // The employee reaches neither the standard member's list nor adds to it.
        app.get_json(&format!("{base}/todo-lists/{standards_id}"), Some(employee.bearer())).await.assert_status(404);
        let t = json!({ "title": "Sneak" });
        app.post_json(&format!("{base}/todo-lists/{standards_id}/todos"), Some(employee.bearer()), &t)
            .await
            .assert_status(404);
        // The standard member (todos.view_all) sees both lists and adds to the employee's.
        let all = app.get_json(&format!("{base}/todo-lists"), Some(standard.bearer())).await;
        let ids: Vec<&str> = all.items().iter().filter_map(|l| l["id"].as_str()).collect();
        assert!(
            ids.contains(&list_id.to_string().as_str()) && ids.contains(&standards_id.to_string().as_str()),
            "{ids:?}"
        );
        let added = json!({ "title": "From the boss" });
        app.post_json(&format!("{base}/todo-lists/{list_id}/todos"), Some(standard.bearer()), &added)
            .await
            .assert_status(201);
        // Tick done: done tasks come after open ones.
        let done = app
            .send(
                reqwest::Method::PATCH,
                &format!("{base}/todos/{todo_id}"),
                employee.bearer(),
                Some(json!({ "done": true })),
            )
            .await;
        done.assert_status(200);
        assert_eq!(done["done"], true);
        let tasks = app.get_json(&format!("{base}/todo-lists/{list_id}/todos"), Some(employee.bearer())).await;
        let titles: Vec<&str> = tasks.items().iter().map(|t| t["title"].as_str().unwrap()).collect();
        assert_eq!(titles, vec!["From the boss", "Call back"]);
        // Bad input: 422 naming the field.
        for (body, field) in [
            (json!({ "title": "" }), "title"),
            (json!({ "title": "x", "due_on": "2026-02-30" }), "due_on"),
            (json!({ "title": "x", "due_on": "3000-01-01" }), "due_on"),
            (json!({ "title": "x", "assignee_id": uuid::Uuid::now_v7() }), "assignee_id"),
            (json!({ "title": "x", "project_id": uuid::Uuid::now_v7() }), "project_id"),
        ] {
            let answer =
                app.post_json(&format!("{base}/todo-lists/{list_id}/todos"), Some(employee.bearer()), &body).await;
            answer.assert_status(422);
            assert!(answer.to_string().contains(field), "{field}: {answer}");
        }
        // Delete a task, then the list.
        let del = |path: String, who: String| {
            let app = &app;
            async move { app.send(reqwest::Method::DELETE, &path, &who, None).await }
        };
        del(format!("{base}/todos/{todo_id}"), standard.bearer().to_owned()).await.assert_status(204);
        del(format!("{base}/todo-lists/{standards_id}"), employee.bearer().to_owned()).await.assert_status(404);
        del(format!("{base}/todo-lists/{list_id}"), employee.bearer().to_owned()).await.assert_status(204);
        app.get_json(&format!("{base}/todos/{todo_id}"), Some(employee.bearer())).await.assert_status(404);
    })
    .await;
}

#[tokio::test]
async fn r_todo_1_a_default_list_is_renamed_never_deleted() {
    each_backend(|app| async move {
        let owner = app.owner("Studio").await;
        let a = owner.account();
        let member = app.member_with(&owner, "employee").await;
        let list = roster_store::TodoListRow {
            id: uuid::Uuid::now_v7(),
            account_id: a,
            owner_id: member.id,
            name: "To-dos".to_owned(),
            is_default: true,
            created_at: time::OffsetDateTime::now_utc(),
        };
        let all = roster_core::scope::internal(a, roster_core::scope::InternalUse::JoinDefaults);
        let mut tx = app.db.store.begin().await.unwrap();
        tx.insert_todo_list(&all, &list).await.unwrap();
        tx.commit().await.unwrap();
        let path = format!("/api/v1/accounts/{a}/todo-lists/{}", list.id);
        let gone = app.send(reqwest::Method::DELETE, &path, member.bearer(), None).await;
        gone.assert_status(409);
        assert_eq!(gone.code(), Some("default_record"));
        let renamed = app.send(reqwest::Method::PATCH, &path, member.bearer(), Some(json!({ "name": "Mine" }))).await;
        renamed.assert_status(200);
        assert_eq!(renamed["name"], "Mine");
        assert_eq!(renamed["is_default"], true);
    })
    .await;
}

async fn post_form(
    app: &roster_testkit::app::TestApp,
    path: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    let res = app.client.post(app.at(path)).header("cookie", cookie).form(form).send().await.unwrap();
    let status = res.status().as_u16();
    let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, location, res.text().await.unwrap())
}

#[tokio::test]
async fn r_todo_1_console_makes_a_list_adds_ticks_and_shows_errors_next_to_fields() {
    each_backend(|app| async move {
        let owner = app.owner("Studio").await;
        let a = owner.account();
        let cookie = app.console_sign_in(&owner.email).await;
        let page = app.page(&format!("/accounts/{a}/todos"), &cookie).await;
        page.assert_status(200);
        let csrf = roster_testkit::app::csrf_of(&page.html);
        let (status, _, html) =
            post_form(&app, &format!("/accounts/{a}/todos"), &cookie, &[("csrf", &csrf), ("name", "")]).await;
        assert_eq!(status, 422);
        assert!(html.contains(r#"id="name-error""#), "{html}");
        let (status, list, _) =
            post_form(&app, &format!("/accounts/{a}/todos"), &cookie, &[("csrf", &csrf), ("name", "Errands")]).await;
        assert_eq!(status, 303);
        let bad = [("csrf", csrf.as_str()), ("title", "Milk"), ("due_on", "2026-13-01")];
        let (status, _, html) = post_form(&app, &list, &cookie, &bad).await;
        assert_eq!(status, 422);
        assert!(html.contains(r#"id="due_on-error""#), "{html}");
        let good = [("csrf", csrf.as_str()), ("title", "Milk"), ("due_on", "2026-12-01")];
        assert_eq!(post_form(&app, &list, &cookie, &good).await.0, 303);
        let shown = app.page(&list, &cookie).await;
        assert!(shown.html.contains("Milk") && shown.html.contains("due 2026-12-01"), "{}", shown.html);
        let toggle = shown.html.split("action=\"").find(|s| s.contains("/toggle")).and_then(|s| s.split('"').next());
        let toggle = toggle.expect("a tick form").to_owned();
        assert_eq!(post_form(&app, &toggle, &cookie, &[("csrf", &csrf)]).await.0, 303);
        assert!(app.page(&list, &cookie).await.html.contains(r#"class="done""#));
    })
    .await;
}
