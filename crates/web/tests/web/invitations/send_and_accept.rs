//! Invitations (R-INV-1) and who may send them (R-PERM-2), never with more rights than the
//! sender holds (R-PERM-1): the API on both backends, and the console's Invitations and accept
//! pages.
use std::time::Duration;

use reqwest::Method;
use roster_testkit::app::{Answer, Page, TestApp, csrf_of, each_backend};
use roster_testkit::smtp::Received;
use serde_json::{Value, json};
use uuid::Uuid;

const NEW_PASSWORD: &str = "violet harbor lantern";
const MAIL_WAIT: Duration = Duration::from_secs(15);

/// Olga (operator) owns Acme; her token acting in it, and its id.
async fn owner_with_account(app: &TestApp) -> (String, Uuid) {
    app.operator("olga@example.test").await;
    let t = app.token("olga@example.test", None).await;
    let acme = app.create_account(&t, "Acme").await;
    (app.token("olga@example.test", Some(acme)).await, acme)
}

async fn invite(app: &TestApp, token: &str, account: Uuid, body: Value) -> Answer {
    app.send(Method::POST, &format!("/api/v1/accounts/{account}/invitations"), token, Some(body)).await
}

/// The `invite_…` secret of an invitation email's link.
fn link_token(m: &Received) -> String {
    let text = m.part("text/plain").expect("a text part");
    let at = text.find("token=invite_").expect("an invitation link") + "token=".len();
    text[at..at + "invite_".len() + 64].to_owned()
}

/// The newest invitation email to `to`, waiting for the `n`-th message of the sink.
async fn mail_to(app: &TestApp, n: usize, to: &str) -> Received {
    let all = app.smtp.wait_for(n, MAIL_WAIT).await;
    all.into_iter().rev().find(|m| m.to.iter().any(|t| t == to)).unwrap_or_else(|| panic!("no email to {to}"))
}

async fn accept(app: &TestApp, bearer: Option<&str>, body: Value) -> Answer {
    app.post_json("/api/v1/invitations/accept", bearer, &body).await
}

fn new_login(token: &str) -> Value {
    json!({ "token": token, "password": NEW_PASSWORD, "first_name": "Ann", "last_name": "Newcomer" })
}

async fn audit_actions(app: &TestApp, token: &str, account: Uuid) -> Vec<String> {
    let Answer { status, body: page } =
        app.get_json(&format!("/api/v1/accounts/{account}/audit?limit=500"), Some(token)).await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect()
}

async fn pending(app: &TestApp, token: &str, account: Uuid) -> Vec<Value> {
    let Answer { status, body: page } =
        app.get_json(&format!("/api/v1/accounts/{account}/invitations"), Some(token)).await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn r_inv_1_invite_and_accept_new_login() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        let Answer { status, body: inv } =
            invite(&app, &t, acme, json!({ "email": "Ann@Example.test", "role": "employee" })).await;
        assert_eq!(status, 201, "{inv}");
        assert_eq!((inv["email"].as_str(), inv["status"].as_str()), (Some("ann@example.test"), Some("pending")));
        let expires = time::OffsetDateTime::parse(
            inv["expires_at"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        let days = (expires - time::OffsetDateTime::now_utc()).whole_hours();
        assert!((167..=168).contains(&days), "7 days by default, got {days} h");

        // The pending list names the sender and the expiry.
        let list = pending(&app, &t, acme).await;
        assert_eq!(list.len(), 1);
        assert_eq!(list[0]["invited_by_name"], "Olga Operator");

        let mail = mail_to(&app, 1, "ann@example.test").await;
        assert!(mail.header("From").unwrap().contains("Olga Operator via Acme"), "{:?}", mail.header("From"));
        let text = mail.part("text/plain").unwrap();
        assert!(text.contains(&format!("{}/invitations/accept?token=invite_", app.url)), "{text}");
        let secret = link_token(&mail);

        // A weak password is refused and the link stays usable.
        let weak = json!({ "token": secret, "password": "password", "first_name": "Ann", "last_name": "N" });
        let Answer { status, body } = accept(&app, None, weak).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("password")), "{body}");

        let Answer { status, body: member } = accept(&app, None, new_login(&secret)).await;
        assert_eq!(status, 200, "{member}");
        assert_eq!(member["account_id"], acme.to_string());
        assert_eq!((member["email"].as_str(), member["role"].as_str()), (Some("ann@example.test"), Some("employee")));
        assert_eq!(member["first_name"], "Ann");
        let status = app
            .post_json("/api/v1/auth/token", None, &json!({ "login": "ann@example.test", "password": NEW_PASSWORD }))
            .await
            .status;
        assert_eq!(status, 200, "the new login signs in");
        assert!(pending(&app, &t, acme).await.is_empty(), "accepted invitations leave the pending list");
        let actions = audit_actions(&app, &t, acme).await;
        for a in ["invitation.sent", "invitation.accepted"] {
            assert!(actions.iter().any(|x| x == a), "{a} audited: {actions:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn r_inv_1_existing_user_accepts_signed_in() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        let other = app.create_account(&t, "Other").await;
        let carol = app.seed_members(other, "customer", &[("Carol", "Known", "carol@example.test")]).await.remove(0);
        invite(&app, &t, acme, json!({ "email": "CAROL@example.test", "role": "standard" })).await.assert_status(201);
        let secret = link_token(&mail_to(&app, 1, "carol@example.test").await);

        // Not signed in: an existing login must sign in first; nothing is made.
        let Answer { status, body } = accept(&app, None, new_login(&secret)).await;
        assert_eq!((status, body["code"].as_str()), (401, Some("sign_in_required")), "{body}");
        assert!(body["detail"].as_str().unwrap().contains("sign in"), "{body}");

        let ct = app.token(&carol.email, Some(other)).await;
        let Answer { status, body: member } = accept(&app, Some(&ct), json!({ "token": secret })).await;
        assert_eq!(status, 200, "{member}");
        assert_eq!(
            (member["user_id"].as_str(), member["role"].as_str()),
            (Some(carol.id.to_string().as_str()), Some("standard"))
        );
        let m = app.db.store.read().await.unwrap().membership(acme, carol.id).await.unwrap();
        assert!(m.is_some_and(|m| m.status.as_str() == "active"));
    })
    .await;
}

#[tokio::test]
async fn r_inv_1_other_email_refused() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        let other = app.create_account(&t, "Other").await;
        let dan = app.seed_members(other, "customer", &[("Dan", "Other", "dan@example.test")]).await.remove(0);
        invite(&app, &t, acme, json!({ "email": "erin@example.test" })).await;
        let secret = link_token(&mail_to(&app, 1, "erin@example.test").await);
        let dt = app.token(&dan.email, None).await;
        let Answer { status, body } = accept(&app, Some(&dt), json!({ "token": secret })).await;
        assert_eq!((status, body["code"].as_str()), (403, Some("invitation_other_email")), "{body}");
        assert!(body["detail"].as_str().unwrap().contains("erin@example.test"), "{body}");
        assert!(app.db.store.read().await.unwrap().membership(acme, dan.id).await.unwrap().is_none());
        assert_eq!(pending(&app, &t, acme).await.len(), 1, "still pending");

        // The console page says so and offers to sign out.
        let cookie = app.console_sign_in(&dan.email).await;
        let Page { status, html } = app.page(&format!("/invitations/accept?token={secret}"), &cookie).await;
        assert_eq!(status, 403);
        assert!(html.contains("This invitation is for someone else"), "{html}");
        assert!(html.contains("action=\"/invitations/accept/sign-out\""), "{html}");
    })
    .await;
}

#[tokio::test]
async fn r_inv_1_expired_revoked_used_give_410() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        for email in ["used@example.test", "revoked@example.test"] {
            assert_eq!(invite(&app, &t, acme, json!({ "email": email })).await.status, 201);
        }
        let used = link_token(&mail_to(&app, 2, "used@example.test").await);
        let revoked = link_token(&mail_to(&app, 2, "revoked@example.test").await);
        assert_eq!(accept(&app, None, new_login(&used)).await.status, 200);
        let id = pending(&app, &t, acme).await[0]["id"].as_str().unwrap().to_owned();
        let status =
            app.send(Method::DELETE, &format!("/api/v1/accounts/{acme}/invitations/{id}"), &t, None).await.status;
        assert_eq!(status, 204);

        // Expired: made straight in the store with a known secret.
        let expired = "invite_expired_secret";
        let t0 = time::OffsetDateTime::now_utc();
        let row = roster_store::InvitationRow {
            account_id: acme,
            id: Uuid::now_v7(),
            email: "late@example.test".into(),
            role: roster_core::RoleKind::Customer,
            custom_role_id: None,
            permissions: None,
            token_hash: roster_service::hash_token(expired),
            invited_by: None,
            status: roster_core::InvitationStatus::Pending,
            expires_at: t0 - time::Duration::minutes(1),
            created_at: t0 - time::Duration::days(8),
            accepted_at: None,
            accepted_by: None,
            revoked_at: None,
        };
        let mut tx = app.db.store.begin().await.unwrap();
        tx.insert_invitation(&row).await.unwrap();
        tx.commit().await.unwrap();
        let list = pending(&app, &t, acme).await;
        assert_eq!(list.iter().find(|i| i["email"] == "late@example.test").unwrap()["status"], "expired");

        for secret in [used.as_str(), revoked.as_str(), expired, "invite_never_was"] {
            let Answer { status, body } = accept(&app, None, new_login(secret)).await;
            assert_eq!((status, body["code"].as_str()), (410, Some("invitation_gone")), "{secret}: {body}");
        }
        // The console's page is friendly and offers to ask the sender for a new one, once a day.
        let res = app.client.get(app.at(&format!("/invitations/accept?token={revoked}"))).send().await.unwrap();
        assert_eq!(res.status(), 410);
        let html = res.text().await.unwrap();
        assert!(html.contains("Ask Olga Operator for a new invitation"), "{html}");
        let before = app.smtp.count();
        for _ in 0..2 {
            let res = app
                .client
                .post(app.at("/invitations/accept/ask"))
                .form(&[("token", revoked.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
        }
        let mail = mail_to(&app, before + 1, "olga@example.test").await;
        assert!(
            mail.part("text/plain").unwrap().contains("revoked@example.test opened an invitation to join Acme"),
            "{}",
            mail.data
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(app.smtp.count(), before + 1, "asked twice, told once");
        let actions = audit_actions(&app, &t, acme).await;
        assert!(actions.iter().any(|a| a == "invitation.revoked"), "{actions:?}");
    })
    .await;
}

#[tokio::test]
async fn r_inv_1_resend_kills_old_link() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        let inv = invite(&app, &t, acme, json!({ "email": "fay@example.test" })).await.body;
        let old = link_token(&mail_to(&app, 1, "fay@example.test").await);
        let id = inv["id"].as_str().unwrap();
        // A resend within the minute is refused; a minute later it goes.
        let resend = format!("/api/v1/accounts/{acme}/invitations/{id}/resend");
        let Answer { status, body: problem } = app.send(Method::POST, &resend, &t, None).await;
        assert_eq!((status, problem["code"].as_str()), (409, Some("resent_recently")), "{problem}");
        sent_a_while_ago(&app, acme, id).await;
        let Answer { status, body: again } = app.send(Method::POST, &resend, &t, None).await;
        assert_eq!(status, 200, "{again}");
        assert!(again["expires_at"].as_str().unwrap() > inv["expires_at"].as_str().unwrap(), "a new expiry");
        let new = link_token(&mail_to(&app, 2, "fay@example.test").await);
        assert_ne!(old, new);
        assert_eq!(accept(&app, None, new_login(&old)).await.status, 410, "the old link is dead");
        assert_eq!(accept(&app, None, new_login(&new)).await.status, 200);
        let Answer { status, body } =
            app.send(Method::POST, &format!("/api/v1/accounts/{acme}/invitations/{id}/resend"), &t, None).await;
        assert_eq!((status, body["code"].as_str()), (409, Some("invitation_not_pending")), "{body}");
        assert!(audit_actions(&app, &t, acme).await.iter().any(|a| a == "invitation.resent"));
    })
    .await;
}

#[tokio::test]
async fn r_inv_1_eight_concurrent_accepts_make_one_member() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        invite(&app, &t, acme, json!({ "email": "gus@example.test" })).await;
        let secret = link_token(&mail_to(&app, 1, "gus@example.test").await);
        let app = std::sync::Arc::new(app);
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (app, secret) = (app.clone(), secret.clone());
                tokio::spawn(async move { accept(&app, None, new_login(&secret)).await })
            })
            .collect();
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap().status);
        }
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 410, 410, 410, 410, 410, 410, 410], "exactly one wins");
        let team = app.get_json(&format!("/api/v1/accounts/{acme}/users"), Some(&t)).await.body;
        let gus = team["items"].as_array().unwrap().iter().filter(|m| m["email"] == "gus@example.test").count();
        assert_eq!(gus, 1, "exactly one member: {team}");
    })
    .await;
}

#[tokio::test]
async fn r_inv_1_current_member_409() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        app.seed_members(acme, "standard", &[("Hal", "Member", "hal@example.test")]).await;
        for email in ["HAL@example.test", "olga@example.test"] {
            let Answer { status, body } = invite(&app, &t, acme, json!({ "email": email })).await;
            assert_eq!((status, body["code"].as_str()), (409, Some("already_member")), "{email}: {body}");
        }
        assert!(pending(&app, &t, acme).await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn r_inv_1_pending_offers_resend() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        let first = invite(&app, &t, acme, json!({ "email": "ivy@example.test" })).await.body;
        let Answer { status, body } =
            invite(&app, &t, acme, json!({ "email": "Ivy@example.test", "role": "admin" })).await;
        assert_eq!((status, body["code"].as_str()), (409, Some("invitation_pending")), "{body}");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains(first["id"].as_str().unwrap()) && detail.contains("resend"), "{detail}");

        // The console offers a Resend button for it.
        let cookie = app.console_sign_in("olga@example.test").await;
        let html = app.page(&format!("/accounts/{acme}/invitations"), &cookie).await.html;
        let form = [("csrf", csrf_of(&html)), ("email", "ivy@example.test".into()), ("role", "customer".into())];
        let res = app
            .client
            .post(app.at(&format!("/accounts/{acme}/invitations")))
            .header("cookie", &cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 409);
        let html = res.text().await.unwrap();
        assert!(html.contains(&format!("/invitations/{}/resend", first["id"].as_str().unwrap())), "{html}");
        assert!(html.contains("Resend it instead?"), "{html}");
    })
    .await;
}

#[tokio::test]
async fn r_inv_1_bulk_per_row_results_and_no_double_send() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        app.seed_members(acme, "standard", &[("Jo", "Member", "jo@example.test")]).await;
        let csv = "email,role\n\
                   kim@example.test,employee\n\
                   not-an-email,standard\n\
                   lea@example.test,wizard\n\
                   jo@example.test,standard\n\
                   KIM@example.test,admin\n\
                   max@example.test,\n\
                   ned@example.test,owner\n";
        let send_csv = || async {
            let res = app
                .client
                .post(app.at(&format!("/api/v1/accounts/{acme}/invitations/bulk")))
                .bearer_auth(&t)
                .header("content-type", "text/csv")
                .body(csv)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            res.json::<Value>().await.unwrap()
        };
        let first = send_csv().await;
        let rows: Vec<(u64, String, String)> = first["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["line"].as_u64().unwrap(),
                    r["status"].as_str().unwrap().to_owned(),
                    r["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let statuses: Vec<(u64, &str)> = rows.iter().map(|(l, s, _)| (*l, s.as_str())).collect();
        assert_eq!(
            statuses,
            [(2, "sent"), (3, "error"), (4, "error"), (5, "skipped"), (6, "skipped"), (7, "sent"), (8, "error")],
            "{first}"
        );
        assert!(rows[2].2.contains("Unknown role"), "{rows:?}");
        assert_eq!(rows[3].2, "already a member");
        assert!(rows[4].2.contains("listed twice"), "{rows:?}");
        assert!(rows[6].2.contains("owner"), "{rows:?}");
        assert_eq!(
            (first["sent"].as_u64(), first["skipped"].as_u64(), first["errors"].as_u64()),
            (Some(2), Some(2), Some(3))
        );
        app.smtp.wait_for(2, MAIL_WAIT).await;

        // Again, as CSV and as JSON: nothing is sent twice.
        let again = send_csv().await;
        assert_eq!(again["sent"], 0, "{again}");
        let kim = &again["rows"][0];
        assert_eq!((kim["status"].as_str(), kim["message"].as_str()), (Some("skipped"), Some("already invited")));
        let list = json!([{ "email": "kim@example.test", "role": "employee" }, { "email": "oz@example.test" }]);
        let Answer { status, body: json_again } =
            app.send(Method::POST, &format!("/api/v1/accounts/{acme}/invitations/bulk"), &t, Some(list)).await;
        assert_eq!(status, 200, "{json_again}");
        assert_eq!(
            (json_again["rows"][0]["status"].as_str(), json_again["rows"][1]["status"].as_str()),
            (Some("skipped"), Some("sent"))
        );
        app.smtp.wait_for(3, MAIL_WAIT).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(app.smtp.count(), 3, "one email per invited address");
        assert_eq!(pending(&app, &t, acme).await.len(), 3);

        // The console's pasted list shows the same per-row table.
        let cookie = app.console_sign_in("olga@example.test").await;
        let html = app.page(&format!("/accounts/{acme}/invitations"), &cookie).await.html;
        let form = [("csrf", csrf_of(&html)), ("list", "kim@example.test,employee\nbad-address".to_owned())];
        let res = app
            .client
            .post(app.at(&format!("/accounts/{acme}/invitations/bulk")))
            .header("cookie", &cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(html.contains("class=\"bulk-skipped\"") && html.contains("already invited"), "{html}");
        assert!(html.contains("class=\"bulk-error\""), "{html}");
    })
    .await;
}

#[tokio::test]
async fn r_perm_2_owner_only_policy() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        let inv = invite(&app, &t, acme, json!({ "email": "pat@example.test" })).await.body;
        let id = inv["id"].as_str().unwrap();
        let admin = app.seed_members(acme, "admin", &[("Ada", "Admin", "ada@example.test")]).await.remove(0);
        let at = app.token(&admin.email, Some(acme)).await;
        // owner_only is the default: an admin holding users.invite is still refused, saying why.
        let Answer { status, body } = invite(&app, &at, acme, json!({ "email": "quinn@example.test" })).await;
        assert_eq!((status, body["code"].as_str()), (403, Some("owner_only")), "{body}");
        let resend = format!("/api/v1/accounts/{acme}/invitations/{id}/resend");
        assert_eq!(app.send(Method::POST, &resend, &at, None).await.status, 403);
        let revoke = format!("/api/v1/accounts/{acme}/invitations/{id}");
        assert_eq!(app.send(Method::DELETE, &revoke, &at, None).await.status, 403);
        let bulk = json!([{ "email": "quinn@example.test" }]);
        let bulk_path = format!("/api/v1/accounts/{acme}/invitations/bulk");
        assert_eq!(app.send(Method::POST, &bulk_path, &at, Some(bulk)).await.status, 403);
        // The owner may.
        assert_eq!(invite(&app, &t, acme, json!({ "email": "quinn@example.test" })).await.status, 201);
        assert_eq!(app.send(Method::DELETE, &revoke, &t, None).await.status, 204);
    })
    .await;
}

#[tokio::test]
async fn r_perm_2_users_invite_policy() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        app.send(
            Method::PATCH,
            &format!("/api/v1/accounts/{acme}"),
            &t,
            Some(json!({ "invite_policy": "permission" })),
        )
        .await
        .assert_status(200);
        let people = app
            .seed_members(acme, "admin", &[("Ada", "Admin", "ada@example.test")])
            .await
            .into_iter()
            .chain(app.seed_members(acme, "standard", &[("Stan", "Dard", "stan@example.test")]).await)
            .collect::<Vec<_>>();
        let at = app.token(&people[0].email, Some(acme)).await;
        let st = app.token(&people[1].email, Some(acme)).await;
        assert_eq!(
            invite(&app, &at, acme, json!({ "email": "rae@example.test" })).await.status,
            201,
            "users.invite holder"
        );
        let Answer { status, body } = invite(&app, &st, acme, json!({ "email": "sol@example.test" })).await;
        assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")), "{body}");
        assert!(body["detail"].as_str().unwrap().contains("users.invite"), "{body}");
        assert_eq!(app.get_json(&format!("/api/v1/accounts/{acme}/invitations"), Some(&st)).await.status, 403);
    })
    .await;
}

#[tokio::test]
async fn r_perm_1_cannot_invite_with_more_rights() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        app.send(Method::PATCH, &format!("/api/v1/accounts/{acme}"), &t, Some(json!({ "invite_policy": "permission" })))
            .await;
        let uma = app.seed_members(acme, "standard", &[("Uma", "Inviter", "uma@example.test")]).await.remove(0);
        let short = json!({ "permissions": ["users.view", "users.invite", "time.track"] });
        app.send(Method::PATCH, &format!("/api/v1/accounts/{acme}/users/{}", uma.id), &t, Some(short)).await.assert_status(200);
        let ut = app.token(&uma.email, Some(acme)).await;
        for body in [
            json!({ "email": "vic@example.test", "role": "admin" }),
            json!({ "email": "vic@example.test", "role": "employee" }),
            json!({ "email": "vic@example.test", "permissions": ["users.manage"] }),
        ] {
            let Answer { status, body: answer } = invite(&app, &ut, acme, body.clone()).await;
            assert_eq!((status, answer["code"].as_str()), (403, Some("forbidden")), "{body}: {answer}");
        }
        let Answer { status, body: inv } = invite(&app, &ut, acme, json!({ "email": "vic@example.test", "permissions": ["time.track", "users.view"] })).await;
        assert_eq!(status, 201, "{inv}");
        assert_eq!(inv["role"], "custom");
        // The bulk path refuses the row, not the list.
        let list = json!([{ "email": "wes@example.test", "role": "admin" }, { "email": "xia@example.test", "role": "customer" }]);
        let out = app.send(Method::POST, &format!("/api/v1/accounts/{acme}/invitations/bulk"), &ut, Some(list)).await.body;
        assert_eq!((out["rows"][0]["status"].as_str(), out["rows"][1]["status"].as_str()), (Some("error"), Some("sent")), "{out}");
        // Accepting gives exactly the rights invited with.
        let secret = link_token(&mail_to(&app, 2, "vic@example.test").await);
        let Answer { status, body: member } = accept(&app, None, new_login(&secret)).await;
        assert_eq!(status, 200, "{member}");
        assert_eq!(member["permissions"], json!(["users.view", "time.track"]));
    })
    .await;
}

#[tokio::test]
async fn r_inv_1_console_invite_resend_revoke_and_accept_signed_in() {
    each_backend(|app| async move {
        let (t, acme) = owner_with_account(&app).await;
        let cookie = app.console_sign_in("olga@example.test").await;
        let Page { status, html } = app.page(&format!("/accounts/{acme}/team"), &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains(&format!("href=\"/accounts/{acme}/invitations\"")), "the team page links to it");
        let Page { status, html } = app.page(&format!("/accounts/{acme}/invitations"), &cookie).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("<option value=\"standard\""), "built-in roles offered: {html}");
        let csrf = csrf_of(&html);
        let post = |path: String, form: Vec<(&'static str, String)>| {
            let req = app.client.post(app.at(&path)).header("cookie", &cookie).form(&form);
            async move { req.send().await.unwrap() }
        };
        let res = post(
            format!("/accounts/{acme}/invitations"),
            vec![("csrf", csrf.clone()), ("email", "yan@example.test".into()), ("role", "standard".into())],
        )
        .await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(html.contains("Invitation sent to yan@example.test"), "{html}");
        assert!(html.contains("Olga Operator"), "sent by: {html}");
        let id = pending(&app, &t, acme).await[0]["id"].as_str().unwrap().to_owned();
        // Without the CSRF token nothing happens.
        let res = post(format!("/accounts/{acme}/invitations/{id}/revoke"), vec![("csrf", "nope".into())]).await;
        assert_eq!(res.status(), 403);
        sent_a_while_ago(&app, acme, &id).await;
        let res = post(format!("/accounts/{acme}/invitations/{id}/resend"), vec![("csrf", csrf.clone())]).await;
        assert_eq!(res.status(), 303);
        let secret = link_token(&mail_to(&app, 2, "yan@example.test").await);
        let res = post(format!("/accounts/{acme}/invitations/{id}/revoke"), vec![("csrf", csrf.clone())]).await;
        assert_eq!(res.status(), 303);
        assert!(pending(&app, &t, acme).await.is_empty());
        assert_eq!(accept(&app, None, new_login(&secret)).await.status, 410);

        // An existing login: the page asks to sign in as that address, then shows Accept.
        let other = app.create_account(&t, "Other").await;
        app.seed_members(other, "customer", &[("Zoe", "Known", "zoe@example.test")]).await;
        invite(&app, &t, acme, json!({ "email": "zoe@example.test" })).await;
        let secret = link_token(&mail_to(&app, 3, "zoe@example.test").await);
        let page = format!("/invitations/accept?token={secret}");
        let res = app.client.get(app.at(&page)).send().await.unwrap();
        let html = res.text().await.unwrap();
        assert!(html.contains("Sign in as zoe@example.test to accept"), "{html}");
        let res = app
            .client
            .post(app.at("/invitations/accept/sign-in"))
            .form(&[("token", secret.as_str()), ("password", roster_testkit::app::PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], page.as_str(), "back to the link");
        let zoe = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
        let Page { status, html } = app.page(&page, &zoe).await;
        assert_eq!(status, 200);
        assert!(html.contains("Accept the invitation"), "{html}");
        let form = [("token", secret.clone()), ("csrf", csrf_of(&html))];
        let res =
            app.client.post(app.at("/invitations/accept")).header("cookie", &zoe).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], format!("/accounts/{acme}").as_str());
        let team = app.get_json(&format!("/api/v1/accounts/{acme}/users"), Some(&t)).await.body;
        assert!(team["items"].as_array().unwrap().iter().any(|m| m["email"] == "zoe@example.test"), "{team}");
    })
    .await;
}

/// The invite → email → accept journey in headless Chromium: the owner invites from the
/// Invitations page, the invitee opens the emailed link, creates a login and lands signed in.
/// SQLite only, like the other journeys.
#[tokio::test]
async fn r_inv_1_browser_invite_email_accept_as_new_login() {
    use crate::browser::{Browser, ChromeDriver, browser_or_skip, fail};
    let Some(chromedriver) = browser_or_skip("r_inv_1_browser_invite_email_accept_as_new_login") else { return };
    let app = roster_testkit::app::TestApp::builder().build().await;
    let (_, acme) = owner_with_account(&app).await;
    let driver = ChromeDriver::start(&chromedriver).await;
    let b = Browser::open(&driver).await;

    // The owner signs in and invites from the Invitations page (linked from the team page).
    b.goto(&app.at("/sign-in")).await;
    b.type_into("#login", "olga@example.test").await;
    b.type_into("#password", roster_testkit::app::PASSWORD).await;
    b.click("form[action='/sign-in'] button[type='submit']").await;
    b.expect_path_matching("an account page", |p| p.starts_with("/accounts")).await;
    b.goto(&app.at(&format!("/accounts/{acme}/team"))).await;
    b.click_link("Invitations").await;
    b.expect_path(&format!("/accounts/{acme}/invitations")).await;
    b.expect_text("main h1", "Invitations").await;
    b.type_into("#email", "ann@example.test").await;
    b.click("form.invite-form button[type='submit']").await;
    b.expect_text("p.notice", "Invitation sent to ann@example.test").await;
    b.expect_text("table.pending tbody tr td:nth-child(1)", "ann@example.test").await;
    b.expect_text("table.pending tbody tr td:nth-child(3)", "Olga Operator").await;
    b.click_button("header .user-menu", "Sign out").await;
    b.expect_path("/sign-in").await;

    // The link from the email the SMTP sink received.
    let mail = mail_to(&app, 1, "ann@example.test").await;
    let text = mail.part("text/plain").unwrap_or_else(|| panic!("no text part:\n{}", mail.data));
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/invitations/accept?token=invite_"))
        .unwrap_or_else(|| panic!("no invitation link in:\n{text}"));
    assert!(link.starts_with(&app.url), "the link points at this installation: {link}");
    b.goto(link).await;
    b.expect_text("main h1", "Join Acme").await;
    b.expect_text("main p", "Olga Operator invited ann@example.test").await;

    // A refused password stays on the form, next to the field; a good one makes the login.
    b.type_into("#first_name", "Ann").await;
    b.type_into("#last_name", "Newcomer").await;
    b.type_into("#password", "password123").await;
    b.click("form[action='/invitations/accept'] button[type='submit']").await;
    b.expect_text("#password + p.field-error#password-error", "too common").await;
    b.type_into("#password", NEW_PASSWORD).await;
    b.click("form[action='/invitations/accept'] button[type='submit']").await;
    let landed = b.expect_path_matching("the account's page", |p| p.starts_with(&format!("/accounts/{acme}"))).await;
    b.expect_text("header .user-name", "Ann Newcomer").await;
    b.expect_text("header .current-account", "Acme").await;
    if !landed.starts_with("/accounts/") {
        fail!(b, "landed on {landed}");
    }

    // The link is used now: opening it again is the friendly dead-link page.
    b.goto(link).await;
    b.expect_text("main h1", "This invitation is no longer valid").await;
    b.quit().await;
}

/// Moves an invitation's last send two minutes back (through its expiry), so it may be resent.
async fn sent_a_while_ago(app: &roster_testkit::app::TestApp, account: uuid::Uuid, id: &str) {
    let id = uuid::Uuid::parse_str(id).unwrap();
    let mut tx = app.db.store.begin().await.unwrap();
    let row = tx.invitation_by_id(account, id).await.unwrap().unwrap();
    let earlier = row.expires_at - time::Duration::minutes(2);
    assert!(tx.reissue_invitation(account, id, &row.token_hash, earlier).await.unwrap());
    tx.commit().await.unwrap();
}
