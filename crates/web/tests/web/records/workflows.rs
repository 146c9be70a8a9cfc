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
async fn r_wf_1_console_adds_steps_without_js_shows_errors_next_to_fields_edits_and_deletes() {
    each_backend(|app| async move {
        let owner = app.owner("Studio").await;
        let a = owner.account();
        let cookie = app.console_sign_in(&owner.email).await;
        let list = app.page(&format!("/accounts/{a}/workflows"), &cookie).await;
        list.assert_status(200);
        assert!(list.html.contains("New template") && list.html.contains("Workflows"), "{}", list.html);
        let new = app.page(&format!("/accounts/{a}/workflows/new"), &cookie).await;
        new.assert_status(200);
        let csrf = roster_testkit::app::csrf_of(&new.html);
        let path = format!("/accounts/{a}/workflows/new");
        // "Add a step" re-renders with one more fieldset, keeping what was typed.
        let first = [
            ("csrf", csrf.as_str()),
            ("name", "Onboarding"),
            ("steps[0].kind", "todo"),
            ("steps[0].title", "Welcome call"),
            ("steps[0].assignee", "project_owner"),
            ("action", "add_step"),
        ];
        let (status, _, html) = post_form(&app, &path, &cookie, &first).await;
        assert_eq!(status, 200);
        assert!(html.contains("steps[1].kind") && html.contains("Welcome call"), "{html}");
        // A bad token in step 2's body: 422, the error next to that field.
        let mut bad = first.to_vec();
        bad.pop();
        bad.extend([
            ("steps[1].kind", "email"),
            ("steps[1].title", "Hello"),
            ("steps[1].assignee", "contact_assignee"),
            ("steps[1].subject", "Hi {{ contact.first_name }}"),
            ("steps[1].body", "{{ contact.nope }}"),
            ("action", "save"),
        ]);
        let (status, _, html) = post_form(&app, &path, &cookie, &bad).await;
        assert_eq!(status, 422);
        assert!(html.contains(r#"id="steps[1].body-error""#), "{html}");
        let mut good = bad.clone();
        for f in good.iter_mut() {
            if f.0 == "steps[1].body" {
                f.1 = "Dear {{ contact.first_name }}";
            }
        }
        let (status, shown, _) = post_form(&app, &path, &cookie, &good).await;
        assert_eq!(status, 303);
        let page = app.page(&shown, &cookie).await;
        page.assert_status(200);
        assert!(page.html.contains("Welcome call") && page.html.contains("upon approval"), "{}", page.html);
        // Edit raises the version; delete goes through its confirmation page.
        let edit = app.page(&format!("{shown}/edit"), &cookie).await;
        edit.assert_status(200);
        let mut renamed = good.clone();
        renamed[1].1 = "Onboarding v2";
        assert_eq!(post_form(&app, &format!("{shown}/edit"), &cookie, &renamed).await.0, 303);
        assert!(app.page(&shown, &cookie).await.html.contains("Version 2"));
        let confirm = app.page(&format!("{shown}/delete"), &cookie).await;
        confirm.assert_status(200);
        assert!(confirm.html.contains("cannot be undone"));
        assert_eq!(post_form(&app, &format!("{shown}/delete"), &cookie, &[("csrf", &csrf)]).await.0, 303);
        app.page(&shown, &cookie).await.assert_status(404);
    })
    .await;
}
