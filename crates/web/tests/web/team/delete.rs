//! Permanent delete (R-DEL-1), and who may not be deleted (R-OWN-4, R-PERM-1).
use reqwest::Method;
use roster_testkit::app::{Answer, each_backend};
use serde_json::json;

#[tokio::test]
async fn r_del_1_a_person_in_no_other_account_is_erased_and_the_audit_keeps_the_id() {
    each_backend(|app| async move {
        let owner = app.owner("Mistakes").await;
        let token = owner.bearer().to_owned();
        let account = owner.account();
        let people = app
            .seed_members(
                account,
                "standard",
                &[("Err", "Or", "err@example.test"), ("Hal", "Heir", "hal@example.test")],
            )
            .await;
        let (err, hal) = (&people[0], &people[1]);
        // An invitation to them that is over (revoked) still names their address.
        let invitation = roster_store::InvitationRow {
            account_id: account,
            id: uuid::Uuid::now_v7(),
            email: "err@example.test".to_owned(),
            role: roster_core::RoleKind::Customer,
            custom_role_id: None,
            permissions: None,
            token_hash: vec![7; 32],
            invited_by: None,
            status: roster_core::InvitationStatus::Revoked,
            expires_at: time::OffsetDateTime::now_utc(),
            created_at: time::OffsetDateTime::now_utc(),
            accepted_at: None,
            accepted_by: None,
            revoked_at: Some(time::OffsetDateTime::now_utc()),
        };
        let mut tx = app.db.store.begin().await.unwrap();
        tx.insert_invitation(&invitation).await.unwrap();
        tx.commit().await.unwrap();
        // A reset link queued to the person: the outbox holds their address.
        let path = format!("/api/v1/accounts/{account}/users/{}", err.id);
        app.post_json(&format!("{path}/password-reset"), Some(&token), &json!({})).await.assert_status(202);
        let err_token = app.token(&err.email, Some(account)).await;

        let Answer { status, body: done } =
            app.send(Method::DELETE, &format!("{path}?transfer_to={}", hal.id), &token, None).await;
        assert_eq!(status, 200, "{done}");
        assert_eq!(
            (done["erased"].as_bool(), done["transferred_to"].as_str()),
            (Some(true), Some(hal.id.to_string().as_str()))
        );

        let status = app.get_json(&path, Some(&token)).await.status;
        assert_eq!(status, 404, "the membership is gone");
        let status = app.get_json("/api/v1/me", Some(&err_token)).await.status;
        assert_eq!(status, 401, "their sessions are gone");
        let mut tx = app.db.store.read().await.unwrap();
        let row = tx.user_by_id(err.id).await.unwrap().expect("the row stays for the ids");
        assert!(row.email.ends_with("@erased.invalid"), "{}", row.email);
        assert_eq!((row.first_name.as_str(), row.password_hash.as_deref()), ("Erased", None));
        assert!(tx.user_by_email("err@example.test").await.unwrap().is_none());
        let outbox = tx.emails_of_account(account, None, 100).await.unwrap();
        assert!(outbox.iter().all(|e| e.to_addr != "err@example.test"), "no email to them is kept");
        let over = tx.invitation_by_id(account, invitation.id).await.unwrap().unwrap();
        assert!(over.email.ends_with("@erased.invalid"), "{}", over.email);
        drop(tx);
        app.post_json("/api/v1/auth/token", None, &json!({ "login": "err@example.test", "password": err.password }))
            .await
            .assert_status(401);
        // The audit log keeps the id.
        let audit =
            app.get_json(&format!("/api/v1/accounts/{account}/audit?action=member.deleted"), Some(&token)).await.body;
        let e = &audit["items"][0];
        assert_eq!(
            (e["action"].as_str(), e["target_id"].as_str()),
            (Some("member.deleted"), Some(err.id.to_string().as_str())),
            "{audit}"
        );
        // The address is free again for a new person.
        let new =
            json!({ "email": "err@example.test", "first_name": "Err", "last_name": "Again", "send_welcome": false });
        let Answer { status, body: again } =
            app.post_json(&format!("/api/v1/accounts/{account}/users"), Some(&token), &new).await;
        assert_eq!((status, again["existing_user"].as_bool()), (201, Some(false)), "{again}");
    })
    .await;
}

#[tokio::test]
async fn r_del_1_a_person_in_another_account_keeps_their_login() {
    each_backend(|app| async move {
        app.operator("owner@example.test").await;
        let token = app.token("owner@example.test", None).await;
        let first = app.create_account(&token, "First").await;
        let second = app.create_account(&token, "Second").await;
        let pat = app.seed_members(first, "standard", &[("Pat", "Two", "pat@example.test")]).await.remove(0);
        let status = app
            .post_json(
                &format!("/api/v1/accounts/{second}/users"),
                Some(&token),
                &json!({ "email": "pat@example.test", "first_name": "Pat", "last_name": "Two", "send_welcome": false }),
            )
            .await
            .status;
        assert_eq!(status, 202, "a known login is invited (R-ADD-3)");
        let mail = app.smtp.wait_for(1, std::time::Duration::from_secs(15)).await.remove(0);
        let text = mail.part("text/plain").unwrap();
        let at = text.find("token=invite_").expect("an invitation link") + "token=".len();
        let secret = text[at..].split(char::is_whitespace).next().unwrap().to_owned();
        let pt = app.token("pat@example.test", None).await;
        let Answer { status, body } =
            app.post_json("/api/v1/invitations/accept", Some(&pt), &json!({ "token": secret })).await;
        assert_eq!(status, 200, "{body}");
        let Answer { status, body: done } =
            app.send(Method::DELETE, &format!("/api/v1/accounts/{first}/users/{}", pat.id), &token, None).await;
        assert_eq!((status, done["erased"].as_bool()), (200, Some(false)), "{done}");
        let Answer { status, body: me } = app
            .post_json("/api/v1/auth/token", None, &json!({ "login": "pat@example.test", "password": pat.password }))
            .await;
        assert_eq!(status, 200, "{me}");
        assert_eq!(me["account_id"].as_str(), Some(second.to_string().as_str()));
    })
    .await;
}

#[tokio::test]
async fn r_own_4_owner_cannot_be_deleted_nor_oneself_nor_someone_with_more_rights() {
    each_backend(|app| async move {
        let owner = app.owner("Guarded").await;
        let token = owner.bearer().to_owned();
        let account = owner.account();
        let mut people = app
            .seed_members(
                account,
                "standard",
                &[("Mia", "Manager", "mia@example.test"), ("Ada", "Admin", "ada@example.test")],
            )
            .await;
        people.extend(app.seed_members(account, "customer", &[("Sam", "Staff", "sam@example.test")]).await);
        let user = |id: uuid::Uuid| format!("/api/v1/accounts/{account}/users/{id}");
        let list = json!({ "permissions": ["users.view", "users.manage"] });
        app.send(Method::PATCH, &user(people[0].id), &token, Some(list)).await.assert_status(200);
        app.send(Method::PATCH, &user(people[1].id), &token, Some(json!({ "role": "admin" }))).await.assert_status(200);
        let mia = app.token(&people[0].email, Some(account)).await;

        let Answer { status, body: problem } = app.send(Method::DELETE, &user(owner.id), &mia, None).await;
        assert_eq!((status, problem["rule"].as_str()), (409, Some("R-OWN-4")), "{problem}");
        let Answer { status, body: problem } = app.send(Method::DELETE, &user(owner.id), &token, None).await;
        assert_eq!((status, problem["rule"].as_str()), (409, Some("R-OWN-4")), "{problem}");
        let Answer { status, body: problem } = app.send(Method::DELETE, &user(people[0].id), &mia, None).await;
        assert_eq!((status, problem["code"].as_str()), (409, Some("self_delete")), "{problem}");
        let status = app.send(Method::DELETE, &user(people[1].id), &mia, None).await.status;
        assert_eq!(status, 403, "Mia lacks what the admin holds");
        // The heir must be an active member other than the person deleted.
        let Answer { status, body: problem } =
            app.send(Method::DELETE, &format!("{}?transfer_to={}", user(people[2].id), people[2].id), &mia, None).await;
        assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("transfer_to")), "{problem}");
        let Answer { status, body: problem } =
            app.send(Method::DELETE, &format!("{}?transfer_to=nope", user(people[2].id)), &mia, None).await;
        assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("transfer_to")), "{problem}");
        let sam = app.token(&people[2].email, Some(account)).await;
        let status = app.send(Method::DELETE, &user(people[1].id), &sam, None).await.status;
        assert_eq!(status, 403, "a customer lacks users.manage");
        // Within her rights, Mia deletes Sam; the member is still there until then.
        let Answer { status, body: done } = app.send(Method::DELETE, &user(people[2].id), &mia, None).await;
        assert_eq!((status, done["transferred_to"].as_str()), (200, Some(people[0].id.to_string().as_str())), "{done}");
    })
    .await;
}

#[tokio::test]
async fn r_del_1_what_they_own_moves_to_the_heir() {
    each_backend(|app| async move {
        let owner = app.owner("Heirs").await;
        let token = owner.bearer().to_owned();
        let account = owner.account();
        let path = format!("/api/v1/accounts/{account}");
        app.send(Method::PATCH, &path, &token, Some(json!({ "invite_policy": "permission" }))).await.assert_status(200);
        let people = app
            .seed_members(
                account,
                "admin",
                &[("Ivy", "Inviter", "ivy@example.test"), ("Hal", "Heir", "hal@example.test")],
            )
            .await;
        let ivy = app.token(&people[0].email, Some(account)).await;
        let Answer { status, body: inv } = app
            .post_json(
                &format!("{path}/invitations"),
                Some(&ivy),
                &json!({ "email": "guest@example.test", "role": "customer" }),
            )
            .await;
        assert_eq!(status, 201, "{inv}");
        let Answer { status, body: done } = app
            .send(Method::DELETE, &format!("{path}/users/{}?transfer_to={}", people[0].id, people[1].id), &token, None)
            .await;
        assert_eq!(status, 200, "{done}");
        let list = app.get_json(&format!("{path}/invitations"), Some(&token)).await.body;
        let item = list["items"].as_array().unwrap().iter().find(|i| i["id"] == inv["id"]).expect("still pending");
        assert_eq!(item["invited_by"], people[1].id.to_string(), "{item}");
    })
    .await;
}
