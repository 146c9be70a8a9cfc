//! A member's life in an account (R-DIS-1, R-ARC-1, R-ARC-2, R-OWN-4) and ownership transfer
//! (R-OWN-3): `POST …/users/{id}/disable|enable|archive|restore`, `POST …/transfer-ownership`.
use std::time::Duration;

use reqwest::Method;
use roster_testkit::app::{Answer, PASSWORD, Page, TestApp, TestUser, each_backend};
use serde_json::json;
use uuid::Uuid;

/// An account owned by Olga (operator) with an admin, Ada, and an employee, Pat.
struct Team {
    account: Uuid,
    owner: TestUser,
    owner_token: String,
    admin: TestUser,
    pat: TestUser,
}

async fn team(app: &TestApp) -> Team {
    let owner = app.operator("olga@example.test").await;
    let owner_token = app.token(&owner.email, None).await;
    let account = app.create_account(&owner_token, "Lifecycle Ltd").await;
    let owner_token = app.token(&owner.email, Some(account)).await;
    let admin = app.seed_members(account, "admin", &[("Ada", "Admin", "ada@example.test")]).await.remove(0);
    let pat = app.seed_members(account, "employee", &[("Pat", "Member", "pat@example.test")]).await.remove(0);
    Team { account, owner, owner_token, admin, pat }
}

async fn act(app: &TestApp, token: &str, account: Uuid, user: Uuid, what: &str) -> Answer {
    app.send(Method::POST, &format!("/api/v1/accounts/{account}/users/{user}/{what}"), token, None).await
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> u16 {
    app.post_json("/api/v1/auth/token", None, &json!({ "login": email, "password": password })).await.status
}

async fn audit_actions(app: &TestApp, account: Uuid) -> Vec<String> {
    let rows = app.db.store.read().await.unwrap().audit_of_account(account, 100).await.unwrap();
    rows.into_iter().map(|r| r.action.as_str().to_owned()).collect()
}

#[tokio::test]
async fn r_own_4_owner_cannot_be_disabled_or_archived() {
    each_backend(|app| async move {
        let t = team(&app).await;
        let ada = app.token(&t.admin.email, None).await;
        for what in ["disable", "archive"] {
            let Answer { status, body } = act(&app, &ada, t.account, t.owner.id, what).await;
            assert_eq!(status, 409, "{what}: {body}");
            assert_eq!(body["rule"], "R-OWN-4", "{body}");
        }
        // Nor by themselves.
        let Answer { status, body } = act(&app, &t.owner_token, t.account, t.owner.id, "disable").await;
        assert_eq!((status, body["rule"].as_str()), (409, Some("R-OWN-4")), "{body}");
        // Nobody disables themselves.
        let Answer { status, body } = act(&app, &ada, t.account, t.admin.id, "disable").await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(body["code"], "self", "{body}");
        let Answer { status, body: owner } =
            app.get_json(&format!("/api/v1/accounts/{}", t.account), Some(&t.owner_token)).await;
        assert_eq!(status, 200, "{owner}");
    })
    .await;
}

#[tokio::test]
async fn r_dis_1_disable_ends_sessions_in_that_account_and_enable_restores() {
    each_backend(|app| async move {
        let t = team(&app).await;
        // Pat also belongs to a second account, where their session must survive.
        let other = app.create_account(&t.owner_token, "Elsewhere").await;
        let mut tx = app.db.store.begin().await.unwrap();
        let now = time::OffsetDateTime::now_utc();
        tx.insert_membership(&roster_store::MembershipRow::new(other, t.pat.id, roster_core::RoleKind::Employee, now))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let here = app.token(&t.pat.email, Some(t.account)).await;
        let there = app.token(&t.pat.email, Some(other)).await;
        let Answer { status, body: created } =
            app.post_json("/api/v1/tokens", Some(&here), &json!({ "name": "ci" })).await;
        assert_eq!(status, 201, "{created}");
        let personal = created["token"].as_str().unwrap().to_owned();
        assert_eq!(app.get_json("/api/v1/me", Some(&personal)).await.status, 200);

        let Answer { status, body: member } = act(&app, &t.owner_token, t.account, t.pat.id, "disable").await;
        assert_eq!(status, 200, "{member}");
        assert_eq!(member["status"], "disabled");
        assert_eq!(member["user_id"], t.pat.id.to_string());
        assert_eq!(app.get_json("/api/v1/me", Some(&here)).await.status, 401, "the session here ended");
        assert_eq!(app.get_json("/api/v1/me", Some(&personal)).await.status, 401, "the personal token stopped");
        assert_eq!(app.get_json("/api/v1/me", Some(&there)).await.status, 200, "the other account's session lives");
        let body = json!({ "login": t.pat.email, "password": PASSWORD, "account_id": t.account });
        assert_ne!(app.post_json("/api/v1/auth/token", None, &body).await.status, 200, "no sign-in here");

        // Twice is a conflict, not a silent success.
        assert_eq!(act(&app, &t.owner_token, t.account, t.pat.id, "disable").await.status, 409);

        let Answer { status, body: member } = act(&app, &t.owner_token, t.account, t.pat.id, "enable").await;
        assert_eq!(status, 200, "{member}");
        assert_eq!(member["status"], "active");
        app.token(&t.pat.email, Some(t.account)).await;
        assert_eq!(app.get_json("/api/v1/me", Some(&personal)).await.status, 401, "revoked tokens stay revoked");
        let actions = audit_actions(&app, t.account).await;
        assert!(actions.contains(&"member.disabled".to_owned()), "{actions:?}");
        assert!(actions.contains(&"member.enabled".to_owned()), "{actions:?}");
    })
    .await;
}

#[tokio::test]
async fn r_arc_1_archive_resets_the_password_when_no_other_membership() {
    each_backend(|app| async move {
        let t = team(&app).await;
        // Ada also belongs (active) to another account: her password stays.
        let other = app.create_account(&t.owner_token, "Elsewhere").await;
        let mut tx = app.db.store.begin().await.unwrap();
        let now = time::OffsetDateTime::now_utc();
        tx.insert_membership(&roster_store::MembershipRow::new(
            other,
            t.admin.id,
            roster_core::RoleKind::Employee,
            now,
        ))
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let pat_session = app.token(&t.pat.email, None).await;

        let Answer { status, body: member } = act(&app, &t.owner_token, t.account, t.pat.id, "archive").await;
        assert_eq!(status, 200, "{member}");
        assert_eq!(member["status"], "archived");
        assert_eq!(app.get_json("/api/v1/me", Some(&pat_session)).await.status, 401);
        let pat = app.db.store.read().await.unwrap().user_by_id(t.pat.id).await.unwrap().unwrap();
        assert!(pat.password_hash.is_none(), "Pat has no other membership: the password is reset");

        let Answer { status, body: member } = act(&app, &t.owner_token, t.account, t.admin.id, "archive").await;
        assert_eq!(status, 200, "{member}");
        let ada = app.db.store.read().await.unwrap().user_by_id(t.admin.id).await.unwrap().unwrap();
        assert!(ada.password_hash.is_some(), "Ada is active elsewhere: the password stays");
        assert_eq!(sign_in(&app, &t.admin.email, PASSWORD).await, 200);

        let Answer { status, body: list } =
            app.get_json(&format!("/api/v1/accounts/{}/users", t.account), Some(&t.owner_token)).await;
        assert_eq!(status, 200, "{list}");
        let actions = audit_actions(&app, t.account).await;
        assert_eq!(actions.iter().filter(|a| *a == "member.archived").count(), 2, "{actions:?}");
    })
    .await;
}

#[tokio::test]
async fn r_arc_2_restore_sends_a_set_password_link() {
    each_backend(|app| async move {
        let t = team(&app).await;
        assert_eq!(act(&app, &t.owner_token, t.account, t.pat.id, "archive").await.status, 200);
        assert_eq!(sign_in(&app, &t.pat.email, PASSWORD).await, 401);
        // Enable is for disabled members, restore for archived ones.
        assert_eq!(act(&app, &t.owner_token, t.account, t.pat.id, "enable").await.status, 409);

        let Answer { status, body: member } = act(&app, &t.owner_token, t.account, t.pat.id, "restore").await;
        assert_eq!(status, 200, "{member}");
        assert_eq!(member["status"], "active");
        assert_ne!(sign_in(&app, &t.pat.email, PASSWORD).await, 200, "the old password is gone");

        let mail = app.smtp.wait_for(1, Duration::from_secs(15)).await.remove(0);
        assert_eq!(mail.to, vec![t.pat.email.clone()]);
        let text = mail.part("text/plain").expect("a text part");
        let at = text.find("token=reset_").expect("a set-password link") + "token=".len();
        let token = text[at..at + "reset_".len() + 64].to_owned();
        let body = json!({ "token": token, "password": "violet harbor lantern" });
        let Answer { status, body: res } = app.post_json("/api/v1/auth/password-reset/confirm", None, &body).await;
        assert!(status < 300, "{status} {res}");
        assert_eq!(sign_in(&app, &t.pat.email, "violet harbor lantern").await, 200);
    })
    .await;
}

#[tokio::test]
async fn lifecycle_needs_users_manage_and_answers_404_across_accounts() {
    each_backend(|app| async move {
        let t = team(&app).await;
        let pat = app.token(&t.pat.email, None).await;
        let Answer { status, body } = act(&app, &pat, t.account, t.admin.id, "disable").await;
        assert_eq!(status, 403, "{body}");

        let other = app.create_account(&t.owner_token, "Elsewhere").await;
        let stranger = app.seed_members(other, "employee", &[("Sam", "Stranger", "sam@example.test")]).await.remove(0);
        let ada = app.token(&t.admin.email, None).await;
        assert_eq!(act(&app, &ada, t.account, stranger.id, "disable").await.status, 404, "not a member here");
        assert_eq!(act(&app, &ada, other, stranger.id, "disable").await.status, 404, "another account");
        assert_eq!(act(&app, &ada, t.account, Uuid::now_v7(), "archive").await.status, 404);
    })
    .await;
}

async fn transfer(app: &TestApp, token: &str, account: Uuid, user: Uuid, password: &str) -> Answer {
    let body = json!({ "user_id": user, "password": password });
    app.send(Method::POST, &format!("/api/v1/accounts/{account}/transfer-ownership"), token, Some(body)).await
}

async fn owners(app: &TestApp, account: Uuid, token: &str) -> Vec<String> {
    let Answer { status, body: list } = app.get_json(&format!("/api/v1/accounts/{account}/users"), Some(token)).await;
    assert_eq!(status, 200, "{list}");
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["is_owner"] == true)
        .map(|m| m["user_id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn r_own_3_transfer_needs_the_password_and_an_active_member() {
    each_backend(|app| async move {
        let t = team(&app).await;
        let Answer { status, body } = transfer(&app, &t.owner_token, t.account, t.admin.id, "wrong password").await;
        assert_eq!(status, 422, "{body}");
        let ada = app.token(&t.admin.email, None).await;
        let Answer { status, body } = transfer(&app, &ada, t.account, t.admin.id, PASSWORD).await;
        assert_eq!(status, 403, "only the owner: {body}");

        assert_eq!(act(&app, &t.owner_token, t.account, t.pat.id, "disable").await.status, 200);
        let Answer { status, body } = transfer(&app, &t.owner_token, t.account, t.pat.id, PASSWORD).await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(body["rule"], "R-OWN-3", "{body}");
        transfer(&app, &t.owner_token, t.account, Uuid::now_v7(), PASSWORD).await.assert_status(404);

        let Answer { status, body: account } = transfer(&app, &t.owner_token, t.account, t.admin.id, PASSWORD).await;
        assert_eq!(status, 200, "{account}");
        assert_eq!(account["id"], t.account.to_string());
        assert_eq!(owners(&app, t.account, &ada).await, vec![t.admin.id.to_string()]);
        let olga = app.get_json(&format!("/api/v1/accounts/{}/users", t.account), Some(&ada)).await.body;
        let olga = olga["items"].as_array().unwrap().iter().find(|m| m["user_id"] == t.owner.id.to_string()).unwrap();
        assert_eq!(olga["role"], "admin", "{olga}");
        // The old owner can now be disabled; the new one cannot.
        let Answer { status, body } = act(&app, &t.owner_token, t.account, t.admin.id, "disable").await;
        assert_eq!((status, body["rule"].as_str()), (409, Some("R-OWN-4")), "{body}");
        assert!(audit_actions(&app, t.account).await.contains(&"account.ownership_transferred".to_owned()));
    })
    .await;
}

#[tokio::test]
async fn r_own_3_two_transfers_racing_leave_one_owner() {
    each_backend(|app| async move {
        let t = team(&app).await;
        let (a, b) = tokio::join!(
            transfer(&app, &t.owner_token, t.account, t.admin.id, PASSWORD),
            transfer(&app, &t.owner_token, t.account, t.pat.id, PASSWORD),
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses[0], 200, "{a:?} {b:?}");
        assert!(statuses[1] == 403 || statuses[1] == 409, "{a:?} {b:?}");
        let winner = if a.status == 200 { t.admin.id } else { t.pat.id };
        let token = app.token(&t.admin.email, None).await;
        assert_eq!(owners(&app, t.account, &token).await, vec![winner.to_string()]);
    })
    .await;
}

#[tokio::test]
async fn the_console_team_page_disables_and_the_owner_transfers() {
    each_backend(|app| async move {
        let t = team(&app).await;
        let cookie = app.console_sign_in(&t.owner.email).await;
        let Page { status, html } = app.page(&format!("/accounts/{}/team", t.account), &cookie).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains(&format!("/accounts/{}/team/{}/disable", t.account, t.pat.id)), "{html}");
        assert!(html.contains("their sessions here end at once"), "a sentence says what happens");
        assert!(!html.contains(&format!("/team/{}/disable", t.owner.id)), "no button for the owner");
        let csrf = roster_testkit::app::csrf_of(&html);
        let res = app
            .client
            .post(app.at(&format!("/accounts/{}/team/{}/disable", t.account, t.pat.id)))
            .header("cookie", &cookie)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert!(res.status().is_redirection() || res.status() == 200, "{}", res.status());
        let m = app.db.store.read().await.unwrap().membership(t.account, t.pat.id).await.unwrap().unwrap();
        assert_eq!(m.status.as_str(), "disabled");

        let Page { status, html } = app.page(&format!("/accounts/{}/transfer", t.account), &cookie).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains(&t.admin.id.to_string()) && !html.contains(&t.pat.id.to_string()), "{html}");
        let csrf = roster_testkit::app::csrf_of(&html);
        let admin = t.admin.id.to_string();
        let form = [("csrf", csrf.as_str()), ("user_id", admin.as_str()), ("password", PASSWORD)];
        let res = app
            .client
            .post(app.at(&format!("/accounts/{}/transfer", t.account)))
            .header("cookie", &cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_redirection() || res.status() == 200, "{}", res.status());
        let account = app.db.store.read().await.unwrap().account_by_id(t.account).await.unwrap().unwrap();
        assert_eq!(account.owner_id, t.admin.id);
    })
    .await;
}
