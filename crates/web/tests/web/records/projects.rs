//! projects through HTTP (R-PRJ-1): admins join every new project, "all projects of this
//! person" by membership or tag, the member's own scope, and bad input as 422.
use roster_testkit::app::each_backend;
use serde_json::json;

#[tokio::test]
async fn r_prj_1_admins_join_new_projects_and_a_persons_projects_are_listed_by_member_and_tag() {
    each_backend(|app| async move {
        let owner = app.owner("Studio").await;
        let a = owner.account();
        let admin = app.member_with(&owner, "admin").await;
        let standard = app.member_with(&owner, "standard").await;
        let employee = app.member_with(&owner, "employee").await;
        let base = format!("/api/v1/accounts/{a}");
        // The standard member makes a project for the employee: the owner and admin join too.
        let made = app
            .post_json(
                &format!("{base}/projects"),
                Some(standard.bearer()),
                &json!({ "name": "Website", "member_ids": [employee.id], "tags": ["Web", "web", "Urgent"] }),
            )
            .await;
        made.assert_status(201);
        let mut members: Vec<String> =
            made["member_ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
        members.sort();
        let mut want: Vec<String> =
            [owner.id, admin.id, standard.id, employee.id].iter().map(ToString::to_string).collect();
        want.sort();
        assert_eq!(members, want, "chosen, creator, owner and admin");
        let tags: Vec<&str> = made["tags"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(tags, vec!["Urgent", "Web"], "tags made once, any case");
        let website = made.id();
        app.post_json(&format!("{base}/projects"), Some(standard.bearer()), &json!({ "name": "Internal" }))
            .await
            .assert_status(201);

        // All projects of the employee, by membership; by tag name.
        let by_member = app.get_json(&format!("{base}/projects?member={}", employee.id), Some(owner.bearer())).await;
        by_member.assert_status(200);
        assert_eq!(by_member.items().len(), 1);
        assert_eq!(by_member["total"], 1);
        let by_tag = app.get_json(&format!("{base}/projects?tag=urgent"), Some(owner.bearer())).await;
        assert_eq!(by_tag.items()[0]["id"], website.to_string());
        let none = app.get_json(&format!("{base}/projects?tag=nothing"), Some(owner.bearer())).await;
        assert!(none.items().is_empty());

        // The employee (no projects.view_all) sees only the project they belong to, and may not
        // change it (no projects.manage).
        let theirs = app.get_json(&format!("{base}/projects"), Some(employee.bearer())).await;
        assert_eq!(theirs.items().len(), 1);
        let internal = app.get_json(&format!("{base}/projects?q=intern"), Some(owner.bearer())).await;
        let internal_id = internal.items()[0]["id"].as_str().unwrap().to_owned();
        app.get_json(&format!("{base}/projects/{internal_id}"), Some(employee.bearer())).await.assert_status(404);
        let patch = json!({ "name": "Mine" });
        let denied = app
            .send(reqwest::Method::PATCH, &format!("{base}/projects/{website}"), employee.bearer(), Some(patch))
            .await;
        denied.assert_status(403);

        // Paging by name: one per page, then the end.
        let first = app.get_json(&format!("{base}/projects?limit=1"), Some(owner.bearer())).await;
        assert_eq!(first.items()[0]["name"], "Internal");
        let cursor = first["next_cursor"].as_str().unwrap().to_owned();
        let second = app.get_json(&format!("{base}/projects?limit=1&cursor={cursor}"), Some(owner.bearer())).await;
        assert_eq!(second.items()[0]["name"], "Website");
        assert!(second["next_cursor"].is_null());

        // Members replaced; the project leaves the employee's list.
        let put = app
            .send(
                reqwest::Method::PUT,
                &format!("{base}/projects/{website}/members"),
                standard.bearer(),
                Some(json!([standard.id])),
            )
            .await;
        put.assert_status(200);
        assert!(app.get_json(&format!("{base}/projects"), Some(employee.bearer())).await.items().is_empty());
        app.send(reqwest::Method::DELETE, &format!("{base}/projects/{website}"), standard.bearer(), None)
            .await
            .assert_status(204);
        app.get_json(&format!("{base}/projects/{website}"), Some(owner.bearer())).await.assert_status(404);
    })
    .await;
}

#[tokio::test]
async fn r_prj_1_bad_project_input_is_422_naming_the_field() {
    each_backend(|app| async move {
        let owner = app.owner("Studio").await;
        let other = uuid::Uuid::now_v7();
        let base = format!("/api/v1/accounts/{}", owner.account());
        let cases = [
            (json!({ "name": "" }), "name"),
            (json!({ "name": "x".repeat(201) }), "name"),
            (json!({ "name": "Ok", "status": "paused" }), "status"),
            (json!({ "name": "Ok", "member_ids": [other] }), "member_ids"),
            (json!({ "name": "Ok", "contact_id": uuid::Uuid::now_v7() }), "contact_id"),
        ];
        for (body, field) in cases {
            let answer = app.post_json(&format!("{base}/projects"), Some(owner.bearer()), &body).await;
            answer.assert_status(422);
            assert!(answer.to_string().contains(field), "{field}: {answer}");
        }
        for q in ["status=paused", "sort=size", "order=up", "member=nope", "cursor=zz", "limit=0"] {
            app.get_json(&format!("{base}/projects?{q}"), Some(owner.bearer())).await.assert_status(422);
        }
        app.get_json(&format!("{base}/projects/not-a-uuid"), Some(owner.bearer())).await.assert_status(404);
        // Tags: made once per name, any case.
        app.post_json(&format!("{base}/tags"), Some(owner.bearer()), &json!({ "name": "Web" }))
            .await
            .assert_status(201);
        let taken = app.post_json(&format!("{base}/tags"), Some(owner.bearer()), &json!({ "name": "WEB" })).await;
        taken.assert_status(409);
        assert_eq!(taken.code(), Some("tag_name_taken"));
    })
    .await;
}

#[tokio::test]
async fn r_prj_1_console_lists_a_persons_projects_and_shows_a_project() {
    each_backend(|app| async move {
        let owner = app.owner("Studio").await;
        let a = owner.account();
        let employee = app.member_with(&owner, "employee").await;
        let body = json!({ "name": "Garden <b>shed</b>", "member_ids": [employee.id], "tags": ["Outdoor"] });
        let made = app.post_json(&format!("/api/v1/accounts/{a}/projects"), Some(owner.bearer()), &body).await;
        made.assert_status(201);
        let id = made.id();
        let cookie = app.console_sign_in(&owner.email).await;
        let list = app.page(&format!("/accounts/{a}/projects?member={}", employee.id), &cookie).await;
        list.assert_status(200);
        assert!(list.html.contains("shed") && !list.html.contains("<b>shed"), "escaped: {}", list.html);
        assert!(list.html.contains("1 projects"));
        let page = app.page(&format!("/accounts/{a}/projects/{id}"), &cookie).await;
        page.assert_status(200);
        assert!(page.html.contains("Outdoor"));
        app.page(&format!("/accounts/{a}/projects/not-an-id"), &cookie).await.assert_status(404);
        app.page(&format!("/accounts/{a}/projects/{}", uuid::Uuid::now_v7()), &cookie).await.assert_status(404);
        let todos = app.page(&format!("/accounts/{a}/todos"), &cookie).await;
        todos.assert_status(200);
        assert!(todos.html.contains("New list"));
    })
    .await;
}
