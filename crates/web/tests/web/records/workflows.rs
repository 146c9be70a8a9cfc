//! Workflow templates through HTTP (R-WF-1): every active member reads them, only
//! `workflows.edit` changes them, a wrong step is 422 naming `steps[i].field`, another account's
//! template is 404.
use roster_testkit::app::each_backend;
use serde_json::json;

fn three_steps(assignee: &str) -> serde_json::Value {
    json!([
        { "kind": "todo", "after_days": 0, "at_time": "09:00", "assignee": assignee, "title": "Welcome call" },
        { "kind": "email", "after": "start", "after_days": 1, "at_time": "10:30", "assignee": "contact_assignee",
          "approval": "manual", "title": "Welcome email",
          "subject": "Welcome, {{ contact.first_name }}", "body": "Hello {{ contact.first_name }}, I am {{ member.first_name }}." },
        { "kind": "event", "after_days": 3, "at_time": "14:00", "assignee": "project_owner", "title": "Kickoff",
          "duration_minutes": 60 }
    ])
}

#[tokio::test]
async fn r_wf_1_templates_are_read_by_every_member_and_changed_with_workflows_edit_only() {
    each_backend(|app| async move {
        let owner = app.owner("Studio").await;
        let a = owner.account();
        let admin = app.member_with(&owner, "admin").await;
        let standard = app.member_with(&owner, "standard").await;
        let sales = app.member_with(&owner, "salesperson").await;
        let base = format!("/api/v1/accounts/{a}/workflow-templates");
        let body = json!({ "name": "New client onboarding", "steps": three_steps(&standard.id.to_string()) });
        let made = app.post_json(&base, Some(admin.bearer()), &body).await;
        made.assert_status(201);
        assert_eq!(made["version"], 1);
        assert_eq!(made["steps"].as_array().map(Vec::len), Some(3));
        assert_eq!(made["steps"][1]["approval"], "manual");
        assert_eq!(made["steps"][0]["after"], "previous");
        let id = made.id();
        for who in [&standard, &sales] {
            app.post_json(&base, Some(who.bearer()), &body).await.assert_status(403);
            let listed = app.get_json(&base, Some(who.bearer())).await;
            listed.assert_status(200);
            assert_eq!(listed.items().len(), 1);
            app.get_json(&format!("{base}/{id}"), Some(who.bearer())).await.assert_status(200);
            let patch = app
                .send(reqwest::Method::PATCH, &format!("{base}/{id}"), who.bearer(), Some(json!({ "name": "Mine" })))
                .await;
            patch.assert_status(403);
            app.send(reqwest::Method::DELETE, &format!("{base}/{id}"), who.bearer(), None).await.assert_status(403);
        }
        // Editing raises the version.
        let renamed = app
            .send(
                reqwest::Method::PATCH,
                &format!("{base}/{id}"),
                owner.bearer(),
                Some(json!({ "name": "Onboarding" })),
            )
            .await;
        renamed.assert_status(200);
        assert_eq!(renamed["version"], 2);
        assert_eq!(renamed["name"], "Onboarding");
        // Another account's member: 404 for every verb.
        let b = app.create_account(owner.bearer(), "Elsewhere").await;
        let other = app.member_with(&app.sign_in(&owner, Some(b)).await, "admin").await;
        app.get_json(&format!("{base}/{id}"), Some(other.bearer())).await.assert_status(404);
        app.get_json(&base, Some(other.bearer())).await.assert_status(404);
        app.send(reqwest::Method::DELETE, &format!("{base}/{id}"), other.bearer(), None).await.assert_status(404);
        let theirs = format!("/api/v1/accounts/{}/workflow-templates/{id}", other.account());
        app.get_json(&theirs, Some(other.bearer())).await.assert_status(404);
        // Delete.
        app.send(reqwest::Method::DELETE, &format!("{base}/{id}"), admin.bearer(), None).await.assert_status(204);
        app.get_json(&format!("{base}/{id}"), Some(owner.bearer())).await.assert_status(404);
    })
    .await;
}

#[tokio::test]
async fn r_wf_1_a_wrong_step_is_422_naming_the_nested_field() {
    each_backend(|app| async move {
        let owner = app.owner("Studio").await;
        let a = owner.account();
        let b = app.create_account(owner.bearer(), "Elsewhere").await;
        let stranger = app.member_with(&app.sign_in(&owner, Some(b)).await, "admin").await;
        let base = format!("/api/v1/accounts/{a}/workflow-templates");
        let me = owner.id.to_string();
        let step = |extra: serde_json::Value| {
            let mut s = json!({ "kind": "todo", "assignee": me, "title": "Call" });
            if let (Some(s), Some(e)) = (s.as_object_mut(), extra.as_object()) {
                for (k, v) in e {
                    s.insert(k.clone(), v.clone());
                }
            }
            s
        };
        let email = json!({ "kind": "email", "subject": "Hi", "body": "Hello" });
        let cases = [
            (json!([step(json!({ "kind": "fax" }))]), "steps[0].kind"),
            (json!([step(json!({})), step(json!({ "after_days": 366 }))]), "steps[1].after_days"),
            (json!([step(json!({ "after_days": -1 }))]), "steps[0].after_days"),
            (json!([step(json!({ "at_time": "25:00" }))]), "steps[0].at_time"),
            (json!([step(json!({ "after": "later" }))]), "steps[0].after"),
            (json!([step(json!({ "title": "" }))]), "steps[0].title"),
            (json!([step(json!({ "title": "x".repeat(201) }))]), "steps[0].title"),
            (json!([step(json!({})), step(json!({ "assignee": stranger.id }))]), "steps[1].assignee"),
            (json!([step(json!({ "assignee": "the_boss" }))]), "steps[0].assignee"),
            (json!([step(json!({ "kind": "email" }))]), "steps[0].subject"),
            (json!([step(json!({ "kind": "email", "subject": "Hi" }))]), "steps[0].body"),
            (
                json!([
                    step(json!({})),
                    step(json!({})),
                    step(json!({ "kind": "email", "subject": "Hi", "body": "{{ contact.frist_name }}" }))
                ]),
                "steps[2].body",
            ),
            (json!([step(json!({ "kind": "email", "subject": "{% if %}", "body": "x" }))]), "steps[0].subject"),
            (
                json!([
                    step(email.clone()),
                    step(json!({ "kind": "email", "subject": "a", "body": "b", "approval": "maybe" }))
                ]),
                "steps[1].approval",
            ),
            (json!([step(json!({ "kind": "event" }))]), "steps[0].duration_minutes"),
            (json!([step(json!({ "kind": "event", "duration_minutes": 4 }))]), "steps[0].duration_minutes"),
            (json!([]), "steps"),
            (json!(vec![step(json!({})); 51]), "steps"),
        ];
        for (steps, field) in cases {
            let answer = app.post_json(&base, Some(owner.bearer()), &json!({ "name": "T", "steps": steps })).await;
            answer.assert_status(422);
            let named: Vec<&str> =
                answer["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
            assert!(named.contains(&field), "{field}: {answer}");
        }
        let answer =
            app.post_json(&base, Some(owner.bearer()), &json!({ "name": "", "steps": [step(json!({}))] })).await;
        answer.assert_status(422);
        assert!(answer.to_string().contains("\"name\""), "{answer}");
        // A step kind that is not a string at all is still 422, not a 500.
        let answer =
            app.post_json(&base, Some(owner.bearer()), &json!({ "name": "T", "steps": [{ "kind": 3 }] })).await;
        answer.assert_status(422);
        // Nothing was saved.
        assert!(app.get_json(&base, Some(owner.bearer())).await.items().is_empty());
    })
    .await;
}
