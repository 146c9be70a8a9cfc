//! "Log in as" (R-IMP-1): `POST /api/v1/accounts/{id}/users/{user_id}/impersonate {reason}`,
//! the account setting `allow_impersonation`, the console's confirmation form, banner and
//! "Return to my account".
use std::time::Duration;

use reqwest::Method;
use roster_store::AuditRow;
use roster_testkit::app::{Answer, Page, TestApp, TestUser, csrf_of, each_backend};
use serde_json::{Value, json};
use uuid::Uuid;

/// An account owned by Olga (operator) with an admin, Ada, and an employee, Pat.
struct Team {
    account: Uuid,
    owner: TestUser,
    owner_token: String,
    admin: TestUser,
    admin_token: String,
    pat: TestUser,
}

async fn team(app: &TestApp) -> Team {
    let owner = app.operator("olga@example.test").await;
    let owner_token = app.token(&owner.email, None).await;
    let account = app.create_account(&owner_token, "Acting Ltd").await;
    let owner_token = app.token(&owner.email, Some(account)).await;
    let admin = app.seed_members(account, "admin", &[("Ada", "Admin", "ada@example.test")]).await.remove(0);
    let pat = app.seed_members(account, "employee", &[("Pat", "Member", "pat@example.test")]).await.remove(0);
    let admin_token = app.token(&admin.email, Some(account)).await;
    Team { account, owner, owner_token, admin, admin_token, pat }
}

async fn impersonate(app: &TestApp, token: &str, account: Uuid, user: Uuid, reason: &str) -> Answer {
    let path = format!("/api/v1/accounts/{account}/users/{user}/impersonate");
    app.send(Method::POST, &path, token, Some(json!({ "reason": reason }))).await
}

async fn audit_rows(app: &TestApp, account: Uuid) -> Vec<AuditRow> {
    app.db.store.read().await.unwrap().audit_of_account(account, 200).await.unwrap()
}

fn row<'a>(rows: &'a [AuditRow], action: &str) -> &'a AuditRow {
    rows.iter().find(|r| r.action.as_str() == action).unwrap_or_else(|| panic!("no {action} in {rows:?}"))
}

#[tokio::test]
async fn r_imp_1_admin_acts_as_member_and_audit_has_both_ids() {
    each_backend(|app| async move {
        let t = team(&app).await;
        let Answer { status, body } =
            impersonate(&app, &t.admin_token, t.account, t.pat.id, "Ticket 42: no calendar").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["expires_in"], 3600, "{body}");
        assert_eq!(body["token_type"], "Bearer");
        let acting = body["access_token"].as_str().unwrap().to_owned();

        // The token is Pat's, with Ada behind it.
        let Answer { status, body: me } = app.get_json("/api/v1/me", Some(&acting)).await;
        assert_eq!(status, 200, "{me}");
        assert_eq!(me["user"]["id"], t.pat.id.to_string());
        assert_eq!(me["impersonator_id"], t.admin.id.to_string());
        assert_eq!(me["current_account_id"], t.account.to_string());

        // A change made as Pat in the account (Pat's own preferences there) is audited with both
        // ids. Pat's login itself (name, sessions, tokens) is out of reach: r_imp_1_… below.
        let body = json!({ "preferences": { "landing_page": "home" } });
        let path = format!("/api/v1/accounts/{}/users/{}", t.account, t.pat.id);
        let Answer { status, body: res } = app.send(Method::PATCH, &path, &acting, Some(body)).await;
        assert_eq!(status, 200, "{res}");

        // No nesting, no password, no tokens, no other account, no transfer.
        let Answer { status, body: res } = impersonate(&app, &acting, t.account, t.pat.id, "again").await;
        assert_eq!((status, res["code"].as_str()), (409, Some("already_impersonating")), "{res}");
        let body = json!({ "current_password": roster_testkit::app::PASSWORD, "password": "violet harbor lantern" });
        let Answer { status, body: res } = app.post_json("/api/v1/me/password", Some(&acting), &body).await;
        assert_eq!((status, res["code"].as_str()), (403, Some("impersonating")), "{res}");
        let Answer { status, body: res } =
            app.post_json("/api/v1/tokens", Some(&acting), &json!({ "name": "sneaky" })).await;
        assert_eq!((status, res["code"].as_str()), (403, Some("impersonating")), "{res}");
        let body = json!({ "user_id": t.pat.id, "password": roster_testkit::app::PASSWORD });
        let path = format!("/api/v1/accounts/{}/transfer-ownership", t.account);
        assert_eq!(app.send(Method::POST, &path, &acting, Some(body)).await.status, 403);

        // Logging out with the token ends the impersonation.
        app.post_json("/api/v1/auth/logout", Some(&acting), &json!({})).await.assert_status(204);
        assert_eq!(app.get_json("/api/v1/me", Some(&acting)).await.status, 401);
        assert_eq!(app.get_json("/api/v1/me", Some(&t.admin_token)).await.status, 200, "Ada's own session lives on");

        let rows = audit_rows(&app, t.account).await;
        let started = row(&rows, "member.impersonation_started");
        assert_eq!(started.actor_id, Some(t.admin.id));
        assert_eq!(started.target_id.as_deref(), Some(t.pat.id.to_string().as_str()));
        let details: Value = serde_json::from_str(started.details.as_deref().unwrap()).unwrap();
        assert_eq!(details["reason"], "Ticket 42: no calendar");
        let changed = row(&rows, "member.preferences_changed");
        assert_eq!((changed.actor_id, changed.impersonator_id), (Some(t.pat.id), Some(t.admin.id)));
        let ended = row(&rows, "member.impersonation_ended");
        assert_eq!((ended.actor_id, ended.impersonator_id), (Some(t.pat.id), Some(t.admin.id)));
        // Ada's own acts carry no impersonator.
        assert!(rows.iter().filter(|r| r.actor_id == Some(t.admin.id)).all(|r| r.impersonator_id.is_none()));
    })
    .await;
}

#[tokio::test]
async fn r_imp_1_owner_cannot_be_impersonated() {
    each_backend(|app| async move {
        let t = team(&app).await;
        let Answer { status, body } = impersonate(&app, &t.admin_token, t.account, t.owner.id, "check settings").await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(body["rule"], "R-OWN-4", "{body}");
        // Nor oneself, nor a member who is not active.
        let Answer { status, body } = impersonate(&app, &t.admin_token, t.account, t.admin.id, "me").await;
        assert_eq!((status, body["code"].as_str()), (409, Some("self")), "{body}");
        let path = format!("/api/v1/accounts/{}/users/{}/disable", t.account, t.pat.id);
        assert_eq!(app.send(Method::POST, &path, &t.owner_token, None).await.status, 200);
        let Answer { status, body } = impersonate(&app, &t.admin_token, t.account, t.pat.id, "why disabled").await;
        assert_eq!((status, body["code"].as_str()), (409, Some("status")), "{body}");
        assert!(audit_rows(&app, t.account).await.iter().all(|r| r.action.as_str() != "member.impersonation_started"));
    })
    .await;
}

#[tokio::test]
async fn r_imp_1_cannot_impersonate_someone_with_more_rights() {
    each_backend(|app| async move {
        let t = team(&app).await;
        let ivy = app.seed_members(t.account, "admin", &[("Ivy", "Helper", "ivy@example.test")]).await.remove(0);
        let cat = app.seed_members(t.account, "customer", &[("Cat", "Customer", "cat@example.test")]).await.remove(0);
        // Ivy holds only users.view and users.impersonate.
        let mut tx = app.db.store.begin().await.unwrap();
        let mut m = tx.membership(t.account, ivy.id).await.unwrap().unwrap();
        m.role = roster_core::RoleKind::Custom;
        m.permissions = Some("users.view,users.impersonate".into());
        assert!(tx.update_membership(&m).await.unwrap());
        tx.commit().await.unwrap();
        let ivy_token = app.token(&ivy.email, Some(t.account)).await;

        let Answer { status, body } = impersonate(&app, &ivy_token, t.account, t.admin.id, "help").await;
        assert_eq!(status, 403, "an admin holds more: {body}");
        let Answer { status, body } = impersonate(&app, &ivy_token, t.account, t.pat.id, "help").await;
        assert_eq!(status, 403, "an employee holds contacts.edit, which Ivy lacks: {body}");
        let Answer { status, body } = impersonate(&app, &ivy_token, t.account, cat.id, "help").await;
        assert_eq!(status, 200, "a customer holds nothing Ivy lacks: {body}");
    })
    .await;
}

#[tokio::test]
async fn r_imp_1_requires_permission() {
    each_backend(|app| async move {
        let t = team(&app).await;
        let pat = app.token(&t.pat.email, Some(t.account)).await;
        let cat = app.seed_members(t.account, "customer", &[("Cat", "Customer", "cat@example.test")]).await.remove(0);
        let Answer { status, body } = impersonate(&app, &pat, t.account, cat.id, "curious").await;
        assert_eq!(status, 403, "{body}");
        assert!(body["detail"].as_str().unwrap().contains("users.impersonate"), "{body}");

        // An operator without a membership cannot either.
        let other = app.create_account(&t.owner_token, "Elsewhere").await;
        let someone = app.seed_members(other, "customer", &[("Sam", "Some", "sam@example.test")]).await.remove(0);
        let op = app.operator("op2@example.test").await;
        let op_token = app.token(&op.email, None).await;
        let Answer { status, body } = impersonate(&app, &op_token, other, someone.id, "support").await;
        assert_eq!(status, 404, "{body}");
    })
    .await;
}

#[tokio::test]
async fn r_imp_1_reason_required() {
    each_backend(|app| async move {
        let t = team(&app).await;
        for reason in ["", "   ", &"x".repeat(501)] {
            let Answer { status, body } = impersonate(&app, &t.admin_token, t.account, t.pat.id, reason).await;
            assert_eq!(status, 422, "{body}");
            assert_eq!(body["errors"][0]["field"], "reason", "{body}");
        }
        let path = format!("/api/v1/accounts/{}/users/{}/impersonate", t.account, t.pat.id);
        let Answer { status, body } = app.send(Method::POST, &path, &t.admin_token, Some(json!({}))).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["errors"][0]["field"], "reason", "{body}");
        let Answer { status, body } = impersonate(&app, &t.admin_token, t.account, t.pat.id, &"x".repeat(500)).await;
        assert_eq!(status, 200, "{body}");
    })
    .await;
}

#[tokio::test]
async fn r_imp_1_account_setting_forbids() {
    each_backend(|app| async move {
        let t = team(&app).await;
        let path = format!("/api/v1/accounts/{}", t.account);
        let Answer { status, body: view } = app.get_json(&path, Some(&t.owner_token)).await;
        assert_eq!((status, &view["allow_impersonation"]), (200, &json!(true)), "{view}");
        let body = json!({ "allow_impersonation": false });
        let Answer { status, body: view } = app.send(Method::PATCH, &path, &t.owner_token, Some(body)).await;
        assert_eq!((status, &view["allow_impersonation"]), (200, &json!(false)), "{view}");

        let Answer { status, body } = impersonate(&app, &t.admin_token, t.account, t.pat.id, "help").await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["code"], "impersonation_forbidden", "{body}");

        let body = json!({ "allow_impersonation": true });
        assert_eq!(app.send(Method::PATCH, &path, &t.owner_token, Some(body)).await.status, 200);
        assert_eq!(impersonate(&app, &t.admin_token, t.account, t.pat.id, "help").await.status, 200);
    })
    .await;
}

#[tokio::test]
async fn r_imp_1_expires_after_60_minutes() {
    each_backend(|app| async move {
        let t = team(&app).await;
        let Answer { status, body } = impersonate(&app, &t.admin_token, t.account, t.pat.id, "help").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["expires_in"], 3600);
        let acting = body["access_token"].as_str().unwrap().to_owned();

        let now = time::OffsetDateTime::now_utc();
        let sessions = app.db.store.read().await.unwrap().sessions_of_user(t.pat.id, now).await.unwrap();
        let s = sessions.iter().find(|s| s.impersonator_id == Some(t.admin.id)).expect("the impersonation session");
        assert_eq!(s.expires_at - s.created_at, time::Duration::minutes(60));
        assert_eq!(s.idle_expires_at, s.expires_at, "no sliding beyond the hour");
        assert_eq!(s.account_id, Some(t.account));
        assert_eq!(s.impersonation_reason.as_deref(), Some("help"));

        // An hour later (its deadline moved into the past) it no longer works.
        let mut tx = app.db.store.begin().await.unwrap();
        tx.touch_session(s.id, now - time::Duration::minutes(61), now - time::Duration::seconds(1)).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(app.get_json("/api/v1/me", Some(&acting)).await.status, 401);
    })
    .await;
}

#[tokio::test]
async fn r_imp_1_ends_when_the_impersonator_loses_the_right() {
    each_backend(|app| async move {
        let t = team(&app).await;
        let body = impersonate(&app, &t.admin_token, t.account, t.pat.id, "help").await.body;
        let acting = body["access_token"].as_str().unwrap().to_owned();
        assert_eq!(app.get_json("/api/v1/me", Some(&acting)).await.status, 200);
        let path = format!("/api/v1/accounts/{}/users/{}/disable", t.account, t.admin.id);
        assert_eq!(app.send(Method::POST, &path, &t.owner_token, None).await.status, 200);
        assert_eq!(app.get_json("/api/v1/me", Some(&acting)).await.status, 401);
    })
    .await;
}

#[tokio::test]
async fn r_imp_1_impersonated_user_gets_an_email() {
    each_backend(|app| async move {
        let t = team(&app).await;
        let Answer { status, body } = impersonate(&app, &t.admin_token, t.account, t.pat.id, "help").await;
        assert_eq!(status, 200, "{body}");
        let mail = app.smtp.wait_for(1, Duration::from_secs(15)).await.remove(0);
        assert_eq!(mail.to, vec![t.pat.email.clone()]);
        let subject = mail.header("Subject").unwrap_or_default();
        assert!(subject.contains("Ada Admin signed in as you"), "{subject}");
        let text = mail.part("text/plain").expect("a text part");
        assert!(text.contains("Hello Pat"), "{text}");
        assert!(text.contains("Acting Ltd"), "{text}");
    })
    .await;
}

#[tokio::test]
async fn r_imp_1_other_account_404() {
    each_backend(|app| async move {
        let t = team(&app).await;
        let other = app.create_account(&t.owner_token, "Elsewhere").await;
        let sam = app.seed_members(other, "customer", &[("Sam", "Stranger", "sam@example.test")]).await.remove(0);
        assert_eq!(impersonate(&app, &t.admin_token, other, sam.id, "x").await.status, 404, "another account");
        assert_eq!(impersonate(&app, &t.admin_token, t.account, sam.id, "x").await.status, 404, "not a member here");
        assert_eq!(impersonate(&app, &t.admin_token, t.account, Uuid::now_v7(), "x").await.status, 404);

        // Pat also administers the other account: acting as Pat stays in this one.
        let mut tx = app.db.store.begin().await.unwrap();
        let now = time::OffsetDateTime::now_utc();
        tx.insert_membership(&roster_store::MembershipRow::new(other, t.pat.id, roster_core::RoleKind::Admin, now))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let Answer { status, body } = impersonate(&app, &t.admin_token, t.account, t.pat.id, "help").await;
        assert_eq!(status, 200, "{body}");
        let acting = body["access_token"].as_str().unwrap().to_owned();
        assert_eq!(app.get_json(&format!("/api/v1/accounts/{other}/users"), Some(&acting)).await.status, 404);
        assert_eq!(app.get_json(&format!("/api/v1/accounts/{other}"), Some(&acting)).await.status, 404);
        app.post_json("/api/v1/auth/switch", Some(&acting), &json!({ "account_id": other })).await.assert_status(403);
        let list = app.get_json("/api/v1/accounts", Some(&acting)).await.body;
        assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
        // Here, Ada can do what Pat (employee) can, and no more.
        assert_eq!(app.get_json(&format!("/api/v1/accounts/{}/users", t.account), Some(&acting)).await.status, 200);
        let path = format!("/api/v1/accounts/{}", t.account);
        let Answer { status, body } = app.send(Method::PATCH, &path, &acting, Some(json!({ "name": "Mine" }))).await;
        assert_eq!(status, 403, "{body}");
    })
    .await;
}

/// The `name=value` of each `Set-Cookie` of a response, by name.
fn set_cookies(res: &reqwest::Response) -> Vec<(String, String)> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
        .collect()
}

/// Ada (admin) logs in as Pat through the console form: her own cookie, and the cookies of the
/// acting session (`roster_session` as Pat, `roster_admin` to come back).
async fn console_log_in_as_pat(app: &TestApp, t: &Team) -> (String, String) {
    let ada = app.console_sign_in(&t.admin.email).await;
    let form_path = format!("/accounts/{}/log-in-as/{}", t.account, t.pat.id);
    let html = app.page(&form_path, &ada).await.html;
    let csrf = csrf_of(&html);
    let res = app
        .client
        .post(app.at(&form_path))
        .header("cookie", &ada)
        .form(&[("csrf", csrf.as_str()), ("reason", "Ticket 8")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let cookies = set_cookies(&res);
    let session = cookies.iter().find(|(k, _)| k == "roster_session").unwrap().1.clone();
    let admin = cookies.iter().find(|(k, _)| k == "roster_admin").unwrap().1.clone();
    (ada, format!("roster_session={session}; roster_admin={admin}"))
}

#[tokio::test]
async fn r_imp_1_console_banner_and_return_restore_the_admin() {
    each_backend(|app| async move {
        let t = team(&app).await;
        let ada = app.console_sign_in(&t.admin.email).await;
        let Page { status, html } = app.page(&format!("/accounts/{}/team", t.account), &ada).await;
        assert_eq!(status, 200);
        assert!(html.contains(&format!("/accounts/{}/log-in-as/{}", t.account, t.pat.id)), "offered for Pat");
        assert!(!html.contains(&format!("/log-in-as/{}", t.owner.id)), "never offered for the owner");
        assert!(!html.contains(&format!("/log-in-as/{}", t.admin.id)), "never offered for oneself");

        let form_path = format!("/accounts/{}/log-in-as/{}", t.account, t.pat.id);
        let Page { status, html } = app.page(&form_path, &ada).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("Reason"));
        let csrf = csrf_of(&html);

        // No reason: the form again, 422.
        let res = app
            .client
            .post(app.at(&form_path))
            .header("cookie", &ada)
            .form(&[("csrf", csrf.as_str()), ("reason", " ")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);

        let res = app
            .client
            .post(app.at(&form_path))
            .header("cookie", &ada)
            .form(&[("csrf", csrf.as_str()), ("reason", "Ticket 7")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let cookies = set_cookies(&res);
        let session = cookies.iter().find(|(k, _)| k == "roster_session").expect("a new session cookie");
        let admin = cookies.iter().find(|(k, _)| k == "roster_admin").expect("the admin cookie");
        assert_eq!(format!("roster_session={}", admin.1), ada, "the admin cookie keeps Ada's own session");
        let both = format!("roster_session={}; roster_admin={}", session.1, admin.1);

        for path in [format!("/accounts/{}", t.account), format!("/accounts/{}/team", t.account)] {
            let Page { status, html } = app.page(&path, &both).await;
            assert_eq!(status, 200, "{path}: {html}");
            assert!(
                html.contains("You are acting as Pat Member (pat@example.test)"),
                "{path} shows the banner: {html}"
            );
            assert!(html.contains("Return to my account"));
        }
        // R-IMP-1: Pat's own profile page is out of reach, with a page that says why.
        let Page { status, html } = app.page("/me", &both).await;
        assert_eq!(status, 403, "{html}");
        assert!(html.contains("While acting as someone else you cannot change their profile"), "{html}");

        let html = app.page(&format!("/accounts/{}", t.account), &both).await.html;
        let csrf = csrf_of(&html);
        let res = app
            .client
            .post(app.at("/impersonation/end"))
            .header("cookie", &both)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], format!("/accounts/{}/team", t.account).as_str());
        let cookies = set_cookies(&res);
        let restored = cookies.iter().find(|(k, _)| k == "roster_session").expect("the session cookie is set back");
        assert_eq!(format!("roster_session={}", restored.1), ada);
        assert!(cookies.iter().any(|(k, v)| k == "roster_admin" && v.is_empty()), "the admin cookie is cleared");

        let Page { status, html } = app.page(&format!("/accounts/{}/team", t.account), &ada).await;
        assert_eq!(status, 200);
        assert!(!html.contains("You are acting as"), "{html}");
        assert!(html.contains("Ada Admin"));
        // The impersonation session is over.
        let status =
            app.page(&format!("/accounts/{}", t.account), &format!("roster_session={}", session.1)).await.status;
        assert_eq!(status, 303, "back to sign-in");
        let rows = audit_rows(&app, t.account).await;
        let ended = row(&rows, "member.impersonation_ended");
        assert_eq!((ended.actor_id, ended.impersonator_id), (Some(t.pat.id), Some(t.admin.id)));
    })
    .await;
}

#[tokio::test]
async fn r_imp_1_console_leads_back_when_the_hour_is_over() {
    each_backend(|app| async move {
        let t = team(&app).await;
        let (ada, both) = console_log_in_as_pat(&app, &t).await;

        // The hour passes.
        let now = time::OffsetDateTime::now_utc();
        let sessions = app.db.store.read().await.unwrap().sessions_of_user(t.pat.id, now).await.unwrap();
        let s = sessions.iter().find(|s| s.impersonator_id == Some(t.admin.id)).unwrap();
        let mut tx = app.db.store.begin().await.unwrap();
        tx.touch_session(s.id, now - time::Duration::minutes(61), now - time::Duration::seconds(1)).await.unwrap();
        tx.commit().await.unwrap();

        let res = app.client.get(app.at("/me")).header("cookie", &both).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/impersonation/ended");
        let res = app.client.get(app.at("/impersonation/ended")).header("cookie", &both).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let cookies = set_cookies(&res);
        let restored = cookies.iter().find(|(k, _)| k == "roster_session").expect("Ada's session is back");
        assert_eq!(format!("roster_session={}", restored.1), ada);
        let Page { status, html } = app.page("/me", &ada).await;
        assert_eq!(status, 200);
        assert!(!html.contains("You are acting as"));

        // Without a valid admin cookie, it is simply the sign-in page.
        let res = app.client.get(app.at("/impersonation/ended")).send().await.unwrap();
        assert_eq!((res.status().as_u16(), res.headers()["location"].to_str().unwrap()), (303, "/sign-in"));
    })
    .await;
}

#[tokio::test]
async fn r_imp_1_no_password_change_in_anothers_name_and_none_of_ones_own_through_the_admin_route() {
    each_backend(|app| async move {
        let t = team(&app).await;
        let body = impersonate(&app, &t.admin_token, t.account, t.pat.id, "Support").await.body;
        let acting = body["access_token"].as_str().unwrap().to_owned();
        // Ada may not set her own password through the admin route (no current password asked).
        let own = format!("/api/v1/accounts/{}/users/{}/password", t.account, t.admin.id);
        let Answer { status, body: problem } =
            app.send(Method::POST, &own, &t.admin_token, Some(json!({ "password": "plum garden whistle" }))).await;
        assert_eq!((status, problem["code"].as_str()), (409, Some("own_password")), "{problem}");
        let reset = format!("/api/v1/accounts/{}/users/{}/password-reset", t.account, t.pat.id);
        let status = app.send(Method::POST, &reset, &acting, None).await.status;
        assert_eq!(status, 403, "an employee lacks users.manage anyway");
    })
    .await;
}

#[tokio::test]
async fn r_imp_1_a_change_during_the_hour_that_would_forbid_it_ends_it_and_the_impersonator_is_self() {
    each_backend(|app| async move {
        let t = team(&app).await;
        // Ada acts as Max, who manages users but holds less than she does.
        let max = app.seed_members(t.account, "customer", &[("Max", "Manager", "max@example.test")]).await.remove(0);
        let max_path = format!("/api/v1/accounts/{}/users/{}", t.account, max.id);
        let list = json!({ "permissions": ["users.view", "users.manage"] });
        assert_eq!(app.send(Method::PATCH, &max_path, &t.owner_token, Some(list)).await.status, 200);
        let body = impersonate(&app, &t.admin_token, t.account, max.id, "Support").await.body;
        let acting = body["access_token"].as_str().unwrap().to_owned();
        // As Max, Ada may not touch her own rights, nor set passwords.
        let ada_path = format!("/api/v1/accounts/{}/users/{}", t.account, t.admin.id);
        let Answer { status, body: problem } =
            app.send(Method::PATCH, &ada_path, &acting, Some(json!({ "role": "employee" }))).await;
        assert!(status == 409 || status == 403, "{status} {problem}");
        let pat_pw = format!("/api/v1/accounts/{}/users/{}/password", t.account, t.pat.id);
        let Answer { status, body: problem } =
            app.send(Method::POST, &pat_pw, &acting, Some(json!({ "password": "plum garden whistle" }))).await;
        assert_eq!((status, problem["code"].as_str()), (403, Some("impersonating")), "{problem}");
        // The owner takes users.manage from Ada: Max now holds something she lacks, so the
        // impersonation ends at once.
        let fewer = json!({ "permissions": ["users.view", "users.impersonate"] });
        assert_eq!(app.send(Method::PATCH, &ada_path, &t.owner_token, Some(fewer)).await.status, 200);
        let status = app.get_json("/api/v1/me", Some(&acting)).await.status;
        assert_eq!(status, 401, "Max now holds users.manage, which Ada lacks: the hour ends");
    })
    .await;
}

#[tokio::test]
async fn r_imp_1_a_get_never_swaps_a_live_impersonation_back() {
    each_backend(|app| async move {
        let t = team(&app).await;
        let body = impersonate(&app, &t.admin_token, t.account, t.pat.id, "Support").await.body;
        let acting = body["access_token"].as_str().unwrap().to_owned();
        let cookie = format!("roster_session={acting}; roster_admin={}", t.admin_token);
        let res = app.client.get(app.at("/impersonation/ended")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/");
        assert!(res.headers().get("set-cookie").is_none(), "no cookie changes while it is live");
        let status = app.get_json("/api/v1/me", Some(&acting)).await.status;
        assert_eq!(status, 200, "the impersonation goes on until ended by its POST");
    })
    .await;
}

/// Issue 14, item 2: "log in as" inside account M showed the person's sessions in every account
/// and let M rename them installation-wide. Now the login's own data is out of reach (R-IMP-1).
#[tokio::test]
async fn r_imp_1_the_logins_own_sessions_profile_and_tokens_are_out_of_reach() {
    each_backend(|app| async move {
        let t = team(&app).await;
        // Pat also belongs to another account and is signed in there.
        let elsewhere = app.create_account(&t.owner_token, "Elsewhere Inc").await;
        let mut tx = app.db.store.begin().await.unwrap();
        let now = time::OffsetDateTime::now_utc();
        tx.insert_membership(&roster_store::MembershipRow::new(
            elsewhere,
            t.pat.id,
            roster_core::RoleKind::Employee,
            now,
        ))
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let pat_elsewhere = app.token(&t.pat.email, Some(elsewhere)).await;
        let pat_pat = app.post_json("/api/v1/tokens", Some(&pat_elsewhere), &json!({ "name": "Pat's script" })).await;
        pat_pat.assert_status(201);

        let Answer { status, body } = impersonate(&app, &t.admin_token, t.account, t.pat.id, "Ticket 9").await;
        assert_eq!(status, 200, "{body}");
        let acting = body["access_token"].as_str().unwrap().to_owned();

        // Sessions: refused entirely (decision 0021), listing and ending alike.
        let Answer { status, body: res } = app.get_json("/api/v1/me/sessions", Some(&acting)).await;
        assert_eq!((status, res["code"].as_str()), (403, Some("impersonating")), "{res}");
        let Answer { status, body: res } =
            app.send(Method::POST, "/api/v1/me/sessions/end-others", &acting, None).await;
        assert_eq!((status, res["code"].as_str()), (403, Some("impersonating")), "{res}");
        assert_eq!(app.get_json("/api/v1/me", Some(&pat_elsewhere)).await.status, 200, "Pat's session elsewhere lives");

        // Profile: no rename, no time zone.
        let Answer { status, body: res } =
            app.send(Method::PATCH, "/api/v1/me", &acting, Some(json!({ "first_name": "Hacked" }))).await;
        assert_eq!((status, res["code"].as_str()), (403, Some("impersonating")), "{res}");
        let Answer { status, body: res } =
            app.send(Method::PATCH, "/api/v1/me", &acting, Some(json!({ "time_zone": "Asia/Tokyo" }))).await;
        assert_eq!((status, res["code"].as_str()), (403, Some("impersonating")), "{res}");
        let pat = app.db.store.read().await.unwrap().user_by_id(t.pat.id).await.unwrap().unwrap();
        assert_eq!((pat.first_name.as_str(), pat.time_zone.as_str()), ("Pat", "UTC"), "unchanged installation-wide");

        // Tokens: neither made nor listed nor revoked.
        let Answer { status, body: res } =
            app.post_json("/api/v1/tokens", Some(&acting), &json!({ "name": "sneaky" })).await;
        assert_eq!((status, res["code"].as_str()), (403, Some("impersonating")), "{res}");
        let Answer { status, body: res } = app.get_json("/api/v1/tokens", Some(&acting)).await;
        assert_eq!((status, res["code"].as_str()), (403, Some("impersonating")), "{res}");
        let id = pat_pat["id"].as_str().unwrap();
        let Answer { status, body: res } =
            app.send(Method::DELETE, &format!("/api/v1/tokens/{id}"), &acting, None).await;
        assert_eq!((status, res["code"].as_str()), (403, Some("impersonating")), "{res}");

        // Only the impersonated account shows, and the other account's routes are a stranger's.
        let me = app.get_json("/api/v1/me", Some(&acting)).await.body;
        let accounts: Vec<&str> =
            me["memberships"].as_array().unwrap().iter().filter_map(|m| m["account_id"].as_str()).collect();
        assert_eq!(accounts, vec![t.account.to_string().as_str()], "{me}");
        app.get_json(&format!("/api/v1/accounts/{elsewhere}"), Some(&acting)).await.assert_status(404);

        // The account's membership is still acted on.
        let Answer { status, body: res } =
            app.get_json(&format!("/api/v1/accounts/{}", t.account), Some(&acting)).await;
        assert_eq!(status, 200, "{res}");
    })
    .await;
}

#[tokio::test]
async fn r_imp_1_console_profile_sessions_and_tokens_pages_say_why_not() {
    each_backend(|app| async move {
        let t = team(&app).await;
        let (_, both) = console_log_in_as_pat(&app, &t).await;
        for path in ["/me", "/me/sessions", "/tokens"] {
            let Page { status, html } = app.page(path, &both).await;
            assert_eq!(status, 403, "{path}: {html}");
            assert!(html.contains("While acting as someone else you cannot"), "{path}: {html}");
        }
        // A rename posted anyway is refused too.
        let html = app.page(&format!("/accounts/{}", t.account), &both).await.html;
        let csrf = csrf_of(&html);
        let res = app
            .client
            .post(app.at("/me"))
            .header("cookie", &both)
            .form(&[("csrf", csrf.as_str()), ("first_name", "Hacked"), ("last_name", "Name"), ("time_zone", "UTC")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        let pat = app.db.store.read().await.unwrap().user_by_id(t.pat.id).await.unwrap().unwrap();
        assert_eq!(pat.first_name, "Pat");
    })
    .await;
}
