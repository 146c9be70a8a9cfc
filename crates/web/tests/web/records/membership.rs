//! What joining and leaving an account do to its records, through HTTP (R-JOIN-1, R-DEL-1):
//! every way in makes the collaborator contact (hidden), the default calendar and list; a
//! permanent delete moves the person's records to the heir.
use reqwest::Method;
use roster_core::scope::{InternalUse, internal};
use roster_store::MemberDefaults;
use roster_testkit::app::{Answer, TestApp, answer, each_backend};
use serde_json::json;
use uuid::Uuid;

async fn defaults(app: &TestApp, account: Uuid, user: Uuid) -> MemberDefaults {
    let scope = internal(account, InternalUse::JoinDefaults);
    app.db.store.read().await.unwrap().member_defaults(&scope, user).await.unwrap()
}

#[track_caller]
fn assert_joined(d: MemberDefaults, who: &str) {
    assert!(matches!(d.contact, Some((_, true))), "{who}: a collaborator contact hidden from the client list: {d:?}");
    assert!(d.default_calendar.is_some(), "{who}: a default calendar: {d:?}");
    assert!(d.default_list.is_some(), "{who}: a default to-do list: {d:?}");
}

/// Olga (operator) creates Acme; her token acting in it, her id, and the account.
async fn acme(app: &TestApp) -> (String, Uuid, Uuid) {
    let olga = app.operator("olga@example.test").await;
    let t = app.token(&olga.email, None).await;
    let acme = app.create_account(&t, "Acme").await;
    (app.token(&olga.email, Some(acme)).await, olga.id, acme)
}

#[tokio::test]
async fn r_join_1_creating_an_account_adding_and_importing_make_the_defaults() {
    each_backend(|app| async move {
        let (t, olga, acme) = acme(&app).await;
        assert_joined(defaults(&app, acme, olga).await, "the account's creator");

        let body = json!({ "email": "hal@example.test", "first_name": "Hal", "last_name": "Added",
                           "password": "violet harbor lantern", "send_welcome": false, "role": "standard" });
        let Answer { status, body: added } =
            app.send(Method::POST, &format!("/api/v1/accounts/{acme}/users"), &t, Some(body)).await;
        assert_eq!(status, 201, "{added}");
        let hal: Uuid = added["user_id"].as_str().unwrap().parse().unwrap();
        assert_joined(defaults(&app, acme, hal).await, "an added member");

        let csv = "email,first_name,last_name,role\nimp@example.test,Ima,Ported,employee\n";
        let req = app
            .client
            .post(app.at(&format!("/api/v1/accounts/{acme}/users/import")))
            .bearer_auth(&t)
            .header("content-type", "text/csv")
            .body(csv);
        let Answer { status, body: report } = answer(req).await;
        assert_eq!(status, 200, "{report}");
        let imported = app.db.store.read().await.unwrap().user_by_email("imp@example.test").await.unwrap().unwrap();
        assert_joined(defaults(&app, acme, imported.id).await, "an imported member");
    })
    .await;
}

#[tokio::test]
async fn r_join_1_project_ids_that_are_not_the_accounts_projects_are_refused_by_name() {
    each_backend(|app| async move {
        let (t, _, acme) = acme(&app).await;
        let body = json!({ "email": "pat@example.test", "first_name": "Pat", "last_name": "P",
                           "send_welcome": false, "project_ids": [Uuid::now_v7()] });
        let Answer { status, body: problem } =
            app.send(Method::POST, &format!("/api/v1/accounts/{acme}/users"), &t, Some(body)).await;
        assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("project_ids")), "{problem}");
        let nobody = app.db.store.read().await.unwrap().user_by_email("pat@example.test").await.unwrap();
        assert!(nobody.is_none(), "nothing half-written");
    })
    .await;
}

#[tokio::test]
async fn r_del_1_permanent_delete_moves_calendars_and_lists_to_the_heir() {
    each_backend(|app| async move {
        let (t, olga, acme) = acme(&app).await;
        let body = json!({ "email": "hal@example.test", "first_name": "Hal", "last_name": "Gone",
                           "send_welcome": false, "role": "standard" });
        let added = app.send(Method::POST, &format!("/api/v1/accounts/{acme}/users"), &t, Some(body)).await;
        let hal: Uuid = added.body["user_id"].as_str().unwrap().parse().unwrap();
        let before = defaults(&app, acme, olga).await;
        let Answer { status, body } = app
            .send(Method::DELETE, &format!("/api/v1/accounts/{acme}/users/{hal}?transfer_to={olga}"), &t, None)
            .await;
        assert!(status == 200 || status == 204, "{status} {body}");
        assert_eq!(defaults(&app, acme, olga).await, before, "the heir keeps their own defaults");
        assert_eq!(defaults(&app, acme, hal).await, MemberDefaults::default(), "nothing is left in his name");
        let audit = app.db.store.read().await.unwrap().audit_of_account(acme, 50).await.unwrap();
        let deleted = audit.iter().find(|e| e.action == roster_core::AuditAction::MemberDeleted).unwrap();
        let details: serde_json::Value = serde_json::from_str(deleted.details.as_deref().unwrap()).unwrap();
        assert_eq!(details["records_moved"]["calendars"], 1, "{details}");
        assert_eq!(details["records_moved"]["todo_lists"], 1, "{details}");
    })
    .await;
}

#[tokio::test]
async fn r_join_1_accepting_an_invitation_makes_the_defaults() {
    each_backend(|app| async move {
        let (t, _, acme) = acme(&app).await;
        let body = json!({ "email": "ann@example.test", "role": "employee" });
        let sent = app.send(Method::POST, &format!("/api/v1/accounts/{acme}/invitations"), &t, Some(body)).await;
        assert_eq!(sent.status, 201, "{}", sent.body);
        let mail = app.smtp.wait_for(1, std::time::Duration::from_secs(15)).await.pop().unwrap();
        let text = mail.part("text/plain").unwrap();
        let at = text.find("token=invite_").unwrap() + "token=".len();
        let secret = &text[at..at + "invite_".len() + 64];
        let accept =
            json!({ "token": secret, "password": "violet harbor lantern", "first_name": "Ann", "last_name": "New" });
        let Answer { status, body: member } = app.post_json("/api/v1/invitations/accept", None, &accept).await;
        assert_eq!(status, 200, "{member}");
        let ann: Uuid = member["user_id"].as_str().unwrap().parse().unwrap();
        assert_joined(defaults(&app, acme, ann).await, "an invitee");
    })
    .await;
}
