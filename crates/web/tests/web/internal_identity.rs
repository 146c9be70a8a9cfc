//! Authorization that cannot be forgotten (issue 15): a use case acts for a signed-in person or
//! for the installation itself under a named reason (`roster_service::Internal`), and the audit
//! rows the installation writes say which (R-AUD-1). That a `Principal` cannot be made outside
//! the service is a compile-level guarantee: the `compile_fail` doctests on `Principal` in
//! `crates/service/src/signin/mod.rs` (`cargo test -p roster-service --doc`).
use roster_service::{Identity, ImportOptions, Internal, Meta};
use roster_testkit::app::{TestApp, each_backend};
use serde_json::Value;
use uuid::Uuid;

async fn owner_and_account(app: &TestApp) -> (Uuid, Uuid, String) {
    let owner = app.operator("olga@example.test").await;
    let token = app.token(&owner.email, None).await;
    let account = app.create_account(&token, "Internal Ltd").await;
    (owner.id, account, app.token(&owner.email, Some(account)).await)
}

async fn audit_rows(app: &TestApp, token: &str, account: Uuid, action: &str) -> Vec<Value> {
    let roster_testkit::app::Answer { status, body: page } =
        app.get_json(&format!("/api/v1/accounts/{account}/audit?action={action}"), Some(token)).await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().cloned().unwrap_or_default()
}

/// `roster users import` runs the import as `Identity::Internal(Internal::Cli)`: its audit rows
/// have no actor and name the command line instead.
#[tokio::test]
async fn r_aud_1_a_cli_import_names_the_internal_identity_in_its_audit_row() {
    each_backend(|app| async move {
        let (_, account, token) = owner_and_account(&app).await;
        let csv = "email,first_name,last_name,role\ncli@example.test,Cli,Person,employee\n";
        let report = app
            .service
            .import_members(
                Identity::Internal(Internal::Cli),
                account,
                csv.as_bytes(),
                ImportOptions::default(),
                &Meta::default(),
                &|_| {},
            )
            .await
            .unwrap();
        assert_eq!(report.created, 1);
        let rows = audit_rows(&app, &token, account, "member.imported").await;
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0]["actor_id"], Value::Null, "{rows:?}");
        assert_eq!(rows[0]["actor_internal"], "cli", "{rows:?}");
        let cookie = app.console_sign_in("olga@example.test").await;
        let roster_testkit::app::Page { status, html } =
            app.page(&format!("/accounts/{account}/audit?action=member.imported"), &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains("Roster itself (cli)"), "{html}");
    })
    .await;
}

/// The same import by a signed-in member names that member, and no internal identity.
#[tokio::test]
async fn r_aud_1_a_member_import_names_the_member_and_no_internal_identity() {
    each_backend(|app| async move {
        let (owner, account, token) = owner_and_account(&app).await;
        let res = app
            .client
            .post(app.at(&format!("/api/v1/accounts/{account}/users/import")))
            .bearer_auth(&token)
            .header("content-type", "text/csv")
            .body("email,first_name,last_name,role\nweb@example.test,Web,Person,employee\n")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
        let rows = audit_rows(&app, &token, account, "member.imported").await;
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0]["actor_id"], owner.to_string(), "{rows:?}");
        assert_eq!(rows[0]["actor_internal"], Value::Null, "{rows:?}");
    })
    .await;
}

/// `roster users export` exports as the installation (no member, no permission asked), while a
/// signed-in person still needs `users.export`: the internal identity is a named choice, not the
/// absence of a person.
#[tokio::test]
async fn r_exp_1_the_cli_exports_as_the_internal_identity_and_a_person_still_needs_the_permission() {
    each_backend(|app| async move {
        let (_, account, _) = owner_and_account(&app).await;
        let params = roster_service::MemberListParams::default();
        let mut export = app.service.export_members(Identity::Internal(Internal::Cli), account, &params).await.unwrap();
        let rows = export.next_chunk().await.unwrap().unwrap_or_default();
        assert_eq!(rows.len(), 1);
        let people = app.seed_members(account, "employee", &[("Emma", "Ployee", "emma@example.test")]).await;
        let emma = app.token(&people[0].email, Some(account)).await;
        let roster_testkit::app::Answer { status, .. } =
            app.get_json(&format!("/api/v1/accounts/{account}/users.csv"), Some(&emma)).await;
        assert_eq!(status, 403);
    })
    .await;
}

/// `roster demo` writes the demo account's audit row as `Internal::Demo`.
#[tokio::test]
async fn r_aud_1_the_demo_account_is_created_by_the_demo_identity() {
    each_backend(|app| async move {
        let operator = app.operator("olga@example.test").await;
        let token = app.token(&operator.email, None).await;
        app.service.demo().await.unwrap();
        let demo = app.service.account_id_by_slug("demo").await.unwrap();
        let rows = audit_rows(&app, &token, demo, "account.demo_created").await;
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0]["actor_id"], Value::Null, "{rows:?}");
        assert_eq!(rows[0]["actor_internal"], "demo", "{rows:?}");
    })
    .await;
}
