//! Changing a member's rights and preferences (R-PERM-1, R-OWN-2).
use roster_testkit::app::{Answer, each_backend};
use serde_json::json;

#[tokio::test]
async fn r_perm_1_rights_change_within_what_the_admin_holds_never_their_own_nor_the_owners() {
    each_backend(|app| async move {
        let owner = app.owner("Rights").await;
        let token = owner.bearer().to_owned();
        let account = owner.account();
        // Sam starts as a customer (nothing): Ann may change only rights within hers.
        let mut people = app.seed_members(account, "customer", &[("Sam", "Staff", "sam@example.test")]).await;
        people.extend(app.seed_members(account, "standard", &[("Ann", "Admin", "ann@example.test")]).await);
        let (sam, ann) = (&people[0], &people[1]);
        let member = |id: uuid::Uuid| format!("/api/v1/accounts/{account}/users/{id}");
        // The owner makes Ann a manager of users with a short list.
        let list = json!({ "permissions": ["users.view", "users.manage", "time.track"] });
        let Answer { status, body: view } = app.send(reqwest::Method::PATCH, &member(ann.id), &token, Some(list)).await;
        assert_eq!(status, 200, "{view}");
        assert_eq!(view["role"], "custom");
        let ann_token = app.token(&ann.email, None).await;
        // Ann may give what she holds…
        app.send(reqwest::Method::PATCH, &member(sam.id), &ann_token, Some(json!({ "permissions": ["time.track"] })))
            .await
            .assert_status(200);
        // …but not what she lacks, not her own rights, not the owner's.
        let Answer { status, body } =
            app.send(reqwest::Method::PATCH, &member(sam.id), &ann_token, Some(json!({ "role": "admin" }))).await;
        assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")), "{body}");
        let Answer { status, body } =
            app.send(reqwest::Method::PATCH, &member(ann.id), &ann_token, Some(json!({ "role": "employee" }))).await;
        assert_eq!((status, body["rule"].as_str()), (409, Some("R-PERM-1")), "{body}");
        let Answer { status, body } =
            app.send(reqwest::Method::PATCH, &member(owner.id), &token, Some(json!({ "role": "admin" }))).await;
        assert_eq!((status, body["rule"].as_str()), (409, Some("R-PERM-1")), "the owner edits own rights: {body}");
        let Answer { status, body } =
            app.send(reqwest::Method::PATCH, &member(owner.id), &ann_token, Some(json!({ "permissions": [] }))).await;
        assert_eq!((status, body["rule"].as_str()), (409, Some("R-OWN-2")), "{body}");
        app.send(reqwest::Method::PATCH, &member(sam.id), &token, Some(json!({ "role": "owner" })))
            .await
            .assert_status(422);
        // Anyone sets their own preferences; a bad landing page names the field.
        let prefs = json!({ "preferences": { "landing_page": "contacts", "daily_reminders": true } });
        let sam_token = app.token(&sam.email, None).await;
        let Answer { status, body: view } =
            app.send(reqwest::Method::PATCH, &member(sam.id), &sam_token, Some(prefs)).await;
        assert_eq!((status, &view["preferences"]["landing_page"]), (200, &json!("contacts")), "{view}");
        let bad = json!({ "preferences": { "landing_page": "nowhere" } });
        let Answer { status, body } = app.send(reqwest::Method::PATCH, &member(sam.id), &sam_token, Some(bad)).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("preferences.landing_page")));
        let Answer { status, body: me } = app.get_json(&member(sam.id), Some(&sam_token)).await;
        assert_eq!((status, me["permissions"].clone()), (200, json!(["time.track"])));
        let status = app.get_json(&member(ann.id), Some(&sam_token)).await.status;
        assert_eq!(status, 403, "others need users.view");
    })
    .await;
}
