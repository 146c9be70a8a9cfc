//! Custom roles (R-ROLE-1) and the no-escalation rule on them (R-PERM-1).
use reqwest::Method;
use roster_testkit::app::{Answer, each_backend};
use serde_json::json;

#[tokio::test]
async fn r_role_1_custom_role_create_assign_edit_and_delete_when_unused() {
    each_backend(|app| async move {
        let owner = app.owner("Roles").await;
        let token = owner.bearer().to_owned();
        let account = owner.account();
        let sam = app.seed_members(account, "standard", &[("Sam", "Staff", "sam@example.test")]).await.remove(0);
        let roles = format!("/api/v1/accounts/{account}/roles");

        // The list starts with the built-in roles (never `owner`), read-only.
        let Answer { status, body: list } = app.get_json(&roles, Some(&token)).await;
        assert_eq!(list["next_cursor"], serde_json::Value::Null, "the list shape: {list}");
        assert_eq!(status, 200, "{list}");
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 7, "{list}");
        assert!(items.iter().all(|r| r["builtin"] == true && r["id"] != "owner"));

        let body = json!({ "name": "Bookkeeper", "permissions": ["time.track", "users.view"] });
        let Answer { status, body: role } = app.post_json(&roles, Some(&token), &body).await;
        assert_eq!(status, 201, "{role}");
        let role_id = role["id"].as_str().unwrap().to_owned();
        assert_eq!(role["members"], 0);
        // Names are unique per account, case aside, and not a built-in's.
        let Answer { status, body: problem } =
            app.post_json(&roles, Some(&token), &json!({ "name": "bookkeeper", "permissions": [] })).await;
        assert_eq!((status, problem["code"].as_str()), (409, Some("role_name_taken")), "{problem}");
        let Answer { status, body: problem } =
            app.post_json(&roles, Some(&token), &json!({ "name": "Admin", "permissions": [] })).await;
        assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("name")), "{problem}");
        let Answer { status, body: problem } =
            app.post_json(&roles, Some(&token), &json!({ "name": "X", "permissions": ["no.such"] })).await;
        assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("permissions")), "{problem}");

        // Assign it by id; then by name through add-user.
        let member = format!("/api/v1/accounts/{account}/users/{}", sam.id);
        let Answer { status, body: view } =
            app.send(Method::PATCH, &member, &token, Some(json!({ "role": role_id }))).await;
        assert_eq!(status, 200, "{view}");
        assert_eq!(view["permissions"], json!(["users.view", "time.track"]));
        let new = json!({ "email": "bea@example.test", "first_name": "Bea", "last_name": "Books",
                          "role": "Bookkeeper", "send_welcome": false });
        let Answer { status, body: bea } =
            app.post_json(&format!("/api/v1/accounts/{account}/users"), Some(&token), &new).await;
        assert_eq!(status, 201, "{bea}");
        assert_eq!(bea["permissions"], json!(["users.view", "time.track"]));

        // Editing the role moves every holder's rights at once.
        let one = format!("{roles}/{role_id}");
        let Answer { status, body: edited } =
            app.send(Method::PATCH, &one, &token, Some(json!({ "permissions": ["time.track"] }))).await;
        assert_eq!((status, edited["members"].as_i64()), (200, Some(2)), "{edited}");
        let view = app.get_json(&member, Some(&token)).await.body;
        assert_eq!(view["permissions"], json!(["time.track"]));

        // In use: cannot go. Once nobody holds it: gone.
        let Answer { status, body: problem } = app.send(Method::DELETE, &one, &token, None).await;
        assert_eq!((status, problem["code"].as_str()), (409, Some("role_in_use")), "{problem}");
        for id in [sam.id.to_string(), bea["user_id"].as_str().unwrap().to_owned()] {
            let path = format!("/api/v1/accounts/{account}/users/{id}");
            app.send(Method::PATCH, &path, &token, Some(json!({ "role": "employee" }))).await.assert_status(200);
        }
        app.send(Method::DELETE, &one, &token, None).await.assert_status(204);
        app.send(Method::DELETE, &one, &token, None).await.assert_status(404);
        // Built-in roles are not editable.
        let Answer { status, body: problem } =
            app.send(Method::PATCH, &format!("{roles}/admin"), &token, Some(json!({ "name": "Boss" }))).await;
        assert_eq!((status, problem["rule"].as_str()), (409, Some("R-ROLE-1")), "{problem}");
        // Every change is in the audit log.
        let audit = app.get_json(&format!("/api/v1/accounts/{account}/audit?limit=100"), Some(&token)).await.body;
        let actions: Vec<&str> =
            audit["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
        for a in ["role.created", "role.updated", "role.deleted"] {
            assert!(actions.contains(&a), "{a} missing from {actions:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn r_perm_1_custom_roles_never_exceed_the_editor_and_never_the_editors_own() {
    each_backend(|app| async move {
        let owner = app.owner("Escalation").await;
        let token = owner.bearer().to_owned();
        let account = owner.account();
        let people = app
            .seed_members(
                account,
                "standard",
                &[("Rita", "Roles", "rita@example.test"), ("Sid", "Staff", "sid@example.test")],
            )
            .await;
        let roles = format!("/api/v1/accounts/{account}/roles");
        // Rita manages roles with a short list of her own, given as a custom role.
        let body = json!({ "name": "Role keeper", "permissions": ["roles.manage", "users.view", "time.track"] });
        let keeper = app.post_json(&roles, Some(&token), &body).await.body;
        let keeper_id = keeper["id"].as_str().unwrap().to_owned();
        let rita_path = format!("/api/v1/accounts/{account}/users/{}", people[0].id);
        app.send(Method::PATCH, &rita_path, &token, Some(json!({ "role": keeper_id }))).await.assert_status(200);
        let rita = app.token(&people[0].email, Some(account)).await;

        // She may make a role within what she holds…
        let Answer { status, body: ok } =
            app.post_json(&roles, Some(&rita), &json!({ "name": "Timer", "permissions": ["time.track"] })).await;
        assert_eq!(status, 201, "{ok}");
        // …not one with more…
        let Answer { status, body: problem } =
            app.post_json(&roles, Some(&rita), &json!({ "name": "Boss", "permissions": ["users.manage"] })).await;
        assert_eq!((status, problem["code"].as_str()), (403, Some("forbidden")), "{problem}");
        let timer = format!("{roles}/{}", ok["id"].as_str().unwrap());
        app.send(Method::PATCH, &timer, &rita, Some(json!({ "permissions": ["account.settings"] })))
            .await
            .assert_status(403);
        // …and not her own role.
        let Answer { status, body: problem } = app
            .send(
                Method::PATCH,
                &format!("{roles}/{keeper_id}"),
                &rita,
                Some(json!({ "permissions": ["roles.manage"] })),
            )
            .await;
        assert_eq!((status, problem["rule"].as_str()), (409, Some("R-PERM-1")), "{problem}");
        // Without roles.manage: 403; another account's role: 404 (see isolation.rs).
        let sid = app.token(&people[1].email, Some(account)).await;
        app.post_json(&roles, Some(&sid), &json!({ "name": "Mine", "permissions": [] })).await.assert_status(403);
        let status = app.get_json(&roles, Some(&sid)).await.status;
        assert_eq!(status, 403, "standard lacks users.view and roles.manage");
    })
    .await;
}
