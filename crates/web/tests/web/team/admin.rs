//! An admin's team work, named for the rules: a member's details through the API (R-USR-1,
//! R-AUTH-6: never a login other accounts share), row actions that keep the list's place and
//! say what happened, and the pickers that reach every active member (R-OWN-3, R-DEL-1).
use reqwest::Method;
use roster_testkit::app::{TestApp, csrf_of, each_backend};
use serde_json::{Value, json};
use uuid::Uuid;

async fn post_form(app: &TestApp, path: &str, cookie: &str, form: &[(&str, &str)]) -> (u16, String, String) {
    let res = app.client.post(app.at(path)).header("cookie", cookie).form(form).send().await.unwrap();
    let status = res.status().as_u16();
    let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, location, res.text().await.unwrap())
}

fn code(body: &Value) -> Option<&str> {
    body["code"].as_str()
}

#[tokio::test]
async fn r_usr_1_api_patch_edits_name_phone_company_username_and_the_list_finds_the_new_ones() {
    each_backend(|app| async move {
        let owner = app.operator("owner@example.test").await;
        let token = app.token(&owner.email, None).await;
        let account = app.create_account(&token, "Details").await;
        let sam = app.seed_members(account, "standard", &[("Sam", "Staff", "sam@example.test")]).await.remove(0);
        let path = format!("/api/v1/accounts/{account}/users/{}", sam.id);
        let patch = json!({
            "first_name": "Samuel", "last_name": "Stone", "phone": "+1 555 0100",
            "company": "Quarry Works", "username": "samstone"
        });
        let roster_testkit::app::Answer { status, body: view } =
            app.send(Method::PATCH, &path, &token, Some(patch)).await;
        assert_eq!(status, 200, "{view}");
        assert_eq!(
            (&view["first_name"], &view["last_name"], &view["phone"], &view["company"], &view["username"]),
            (&json!("Samuel"), &json!("Stone"), &json!("+1 555 0100"), &json!("Quarry Works"), &json!("samstone"))
        );
        // The list's copies follow: found by the new company, sorted by the new name.
        let roster_testkit::app::Answer { status, body: list } =
            app.get_json(&format!("/api/v1/accounts/{account}/users?q=quarry"), Some(&token)).await;
        assert_eq!(status, 200);
        let ids: Vec<&str> = list["items"].as_array().unwrap().iter().map(|m| m["user_id"].as_str().unwrap()).collect();
        assert_eq!(ids, vec![sam.id.to_string().as_str()], "{list}");
        // He signs in with the new username.
        let by_username = app.token("samstone", Some(account)).await;
        assert!(!by_username.is_empty());
        // Empty clears the optional ones; absent fields stay.
        let roster_testkit::app::Answer { status, body: view } =
            app.send(Method::PATCH, &path, &token, Some(json!({ "phone": "", "company": "  " }))).await;
        assert_eq!(status, 200, "{view}");
        assert_eq!(
            (&view["phone"], &view["company"], &view["username"]),
            (&Value::Null, &Value::Null, &json!("samstone"))
        );
        // The OpenAPI document says so.
        let roster_testkit::app::Answer { body: doc, .. } = app.get_json("/api/v1/openapi.json", None).await;
        let props = &doc["components"]["schemas"]["MemberPatch"]["properties"];
        for field in ["first_name", "last_name", "phone", "company", "username"] {
            assert!(props.get(field).is_some(), "MemberPatch lacks {field}: {props}");
        }
        // Audited as a profile change.
        let roster_testkit::app::Answer { body: audit, .. } =
            app.get_json(&format!("/api/v1/accounts/{account}/audit"), Some(&token)).await;
        assert!(audit.to_string().contains("member.profile_changed"), "{audit}");
    })
    .await;
}

#[tokio::test]
async fn r_auth_6_api_patch_refuses_what_could_take_over_or_rename_a_shared_login() {
    each_backend(|app| async move {
        let owner = app.operator("owner@example.test").await;
        let token = app.token(&owner.email, None).await;
        let account = app.create_account(&token, "Here").await;
        let elsewhere = app.create_account(&token, "Elsewhere").await;
        let people = app
            .seed_members(
                account,
                "standard",
                &[("Sam", "Staff", "sam@example.test"), ("Tia", "Taken", "tia@example.test")],
            )
            .await;
        let (sam, tia) = (&people[0], &people[1]);
        let ann = app.seed_members(account, "admin", &[("Ann", "Admin", "ann@example.test")]).await.remove(0);
        let ann_token = app.token(&ann.email, Some(account)).await;
        let member = |id: Uuid| format!("/api/v1/accounts/{account}/users/{id}");

        // Tia's login also belongs to another account: nobody here renames it or changes how
        // it signs in (a username would let this account's admin shape the shared login).
        let mut tx = app.db.store.begin().await.unwrap();
        let now = time::OffsetDateTime::now_utc();
        tx.insert_membership(&roster_store::MembershipRow::new(
            elsewhere,
            tia.id,
            roster_core::RoleKind::Standard,
            now,
        ))
        .await
        .unwrap();
        tx.commit().await.unwrap();
        for body in [json!({ "username": "tia" }), json!({ "first_name": "Mallory" }), json!({ "company": "X" })] {
            let roster_testkit::app::Answer { status, body: problem } =
                app.send(Method::PATCH, &member(tia.id), &ann_token, Some(body)).await;
            assert_eq!(
                (status, code(&problem), problem["rule"].as_str()),
                (409, Some("shared_login"), Some("R-AUTH-6"))
            );
        }
        // Nor an operator's login (the owner here is one), nor the owner's by an admin.
        let roster_testkit::app::Answer { status, body: problem } =
            app.send(Method::PATCH, &member(owner.id), &ann_token, Some(json!({ "username": "boss" }))).await;
        assert_eq!((status, problem["rule"].as_str()), (409, Some("R-OWN-2")), "{problem}");

        // The email is not an editable field (changing it would hand the login to whoever
        // holds the new address): 422, nothing changes.
        let roster_testkit::app::Answer { status, .. } = app
            .send(Method::PATCH, &member(sam.id), &ann_token, Some(json!({ "email": "ann+sam@example.test" })))
            .await;
        assert_eq!(status, 422);
        // A taken or malformed username, an empty name: 422 naming the field.
        let roster_testkit::app::Answer { status, .. } =
            app.send(Method::PATCH, &member(sam.id), &token, Some(json!({ "username": "samuel" }))).await;
        assert_eq!(status, 200);
        for (body, field) in [
            (json!({ "username": "samuel" }), "username"),
            (json!({ "username": "a b" }), "username"),
            (json!({ "username": "sam@example.test" }), "username"),
            (json!({ "first_name": "" }), "first_name"),
            (json!({ "phone": "x".repeat(41) }), "phone"),
        ] {
            let roster_testkit::app::Answer { status, body: problem } =
                app.send(Method::PATCH, &member(tia.id), &token, Some(body.clone())).await;
            // Tia is shared: the owner is refused before the fields are read.
            assert_eq!(status, 409, "{body}: {problem}");
            let roster_testkit::app::Answer { status, body: problem } =
                app.send(Method::PATCH, &member(ann.id), &token, Some(body.clone())).await;
            assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some(field)), "{body}: {problem}");
        }
        // R-PERM-1: someone holding less may not edit someone holding more.
        let sam_token = app.token(&sam.email, Some(account)).await;
        let roster_testkit::app::Answer { status, body: problem } =
            app.send(Method::PATCH, &member(ann.id), &sam_token, Some(json!({ "first_name": "Annie" }))).await;
        assert_eq!(status, 403, "{problem}");
        let roster_testkit::app::Answer { body: ann_view, .. } = app.get_json(&member(ann.id), Some(&token)).await;
        assert_eq!(ann_view["first_name"], "Ann");
        assert_eq!(ann_view["username"], Value::Null);
    })
    .await;
}

#[tokio::test]
async fn r_dis_1_console_disable_keeps_the_search_and_names_the_member() {
    each_backend(|app| async move {
        let owner = app.operator("owner@example.test").await;
        let token = app.token(&owner.email, None).await;
        let account = app.create_account(&token, "Feedback").await;
        let people = app
            .seed_members(
                account,
                "standard",
                &[("Ana", "Lima", "ana@example.test"), ("Bo", "Berg", "bo@example.test")],
            )
            .await;
        let ana = &people[0];
        let cookie = app.console_sign_in(&owner.email).await;
        let list = format!("/accounts/{account}/team?q=lima&sort=email&order=desc");
        let roster_testkit::app::Page { status, html } = app.page(&list, &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains(r#"name="back" value="q=lima&#38;sort=email&#38;order=desc""#), "{html}");
        let csrf = csrf_of(&html);
        let action = format!("/accounts/{account}/team/{}/disable", ana.id);
        let back = "q=lima&sort=email&order=desc&evil=<b>x</b>&done=deleted";
        let (status, location, _) = post_form(&app, &action, &cookie, &[("csrf", &csrf), ("back", back)]).await;
        assert_eq!(status, 303);
        assert_eq!(
            location,
            format!("/accounts/{account}/team?q=lima&sort=email&order=desc&done=disabled&who={}", ana.id),
            "only the list's own keys come back, with a fixed code and the member's id"
        );
        let roster_testkit::app::Page { status, html } = app.page(&location, &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains("Ana Lima is disabled"), "{html}");
        assert!(html.contains(r#"value="lima""#), "the search box keeps the search");
        assert!(!html.contains("bo@example.test"), "the search still narrows the list");
        // Enable says so too.
        let (_, location, _) = post_form(
            &app,
            &format!("/accounts/{account}/team/{}/enable", ana.id),
            &cookie,
            &[("csrf", &csrf), ("back", "q=lima")],
        )
        .await;
        let roster_testkit::app::Page { html, .. } = app.page(&location, &cookie).await;
        assert!(html.contains("Ana Lima is enabled"), "{html}");
        // A forged link cannot make the page say arbitrary words: unknown codes and ids say nothing.
        let forged = format!("/accounts/{account}/team?done=Your+account+is+closed&who={}", ana.id);
        let roster_testkit::app::Page { html, .. } = app.page(&forged, &cookie).await;
        assert!(!html.contains("Your account is closed") && !html.contains(r#"class="notice""#));
        let forged = format!("/accounts/{account}/team?done=disabled&who={}", Uuid::now_v7());
        let roster_testkit::app::Page { html, .. } = app.page(&forged, &cookie).await;
        assert!(!html.contains(r#"class="notice""#), "a member of no account here is not named");
    })
    .await;
}

/// 1,200 active members seeded in one transaction; names sort as their numbers.
async fn big_team(app: &TestApp, account: Uuid) -> Vec<roster_testkit::app::TestUser> {
    let people: Vec<(String, String, String)> =
        (1..=1200).map(|i| ("Member".to_owned(), format!("N{i:04}"), format!("member{i:04}@example.test"))).collect();
    let refs: Vec<(&str, &str, &str)> = people.iter().map(|(f, l, e)| (f.as_str(), l.as_str(), e.as_str())).collect();
    app.seed_members(account, "standard", &refs).await
}

#[tokio::test]
async fn r_own_3_transfer_picker_finds_member_1000_of_1200() {
    each_backend(|app| async move {
        let owner = app.operator("owner@example.test").await;
        let token = app.token(&owner.email, None).await;
        let account = app.create_account(&token, "Big").await;
        let team = big_team(&app, account).await;
        let cookie = app.console_sign_in(&owner.email).await;
        let target = &team[999];
        assert_eq!(target.email, "member1000@example.test");
        // Unsearched: the first 50, and a way to the next ones.
        let roster_testkit::app::Page { status, html } =
            app.page(&format!("/accounts/{account}/transfer"), &cookie).await;
        assert_eq!(status, 200);
        assert_eq!(html.matches("<option value=\"").count(), 51, "50 members and the empty choice");
        assert!(html.contains("show the next members"), "{html}");
        assert!(!html.contains("member1000@"));
        // Searched: number 1,000 is there.
        let roster_testkit::app::Page { status, html } =
            app.page(&format!("/accounts/{account}/transfer?q=N1000"), &cookie).await;
        assert_eq!(status, 200);
        assert!(
            html.contains(&format!(r#"<option value="{}">Member N1000 (member1000@example.test)</option>"#, target.id)),
            "{html}"
        );
        // Paging without a search reaches them too (page 20 of 50 holds numbers 951–1,000).
        let mut path = format!("/accounts/{account}/transfer");
        let mut pages = 0;
        let html = loop {
            let roster_testkit::app::Page { html, .. } = app.page(&path, &cookie).await;
            pages += 1;
            if html.contains("member1000@example.test") {
                break html;
            }
            let marker = "Narrow the search, or <a href=\"";
            let from = html.find(marker).unwrap_or_else(|| panic!("member 1,000 not reached after {pages} pages"))
                + marker.len();
            let to = from + html[from..].find('"').unwrap();
            path = html[from..to].replace("&#38;", "&").replace("&amp;", "&");
        };
        assert_eq!(pages, 20);
        // The owner hands the account to them.
        let csrf = csrf_of(&html);
        let id = target.id.to_string();
        let (status, _, body) = post_form(
            &app,
            &format!("/accounts/{account}/transfer"),
            &cookie,
            &[("csrf", &csrf), ("user_id", &id), ("password", roster_testkit::app::PASSWORD)],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        let roster_testkit::app::Answer { body: acc, .. } =
            app.get_json(&format!("/api/v1/accounts/{account}"), Some(&token)).await;
        assert_eq!(acc["owner_id"], json!(id));
    })
    .await;
}

#[tokio::test]
async fn r_del_1_heir_picker_searches_every_active_member() {
    each_backend(|app| async move {
        let owner = app.operator("owner@example.test").await;
        let token = app.token(&owner.email, None).await;
        let account = app.create_account(&token, "Heirs").await;
        let team = big_team(&app, account).await;
        let cookie = app.console_sign_in(&owner.email).await;
        let leaving = &team[0];
        let page = format!("/accounts/{account}/team/{}", leaving.id);
        let roster_testkit::app::Page { status, html } = app.page(&page, &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains("— you</option>"), "the admin is the default heir");
        assert!(!html.contains("member1100@"));
        let roster_testkit::app::Page { html, .. } =
            app.page(&format!("{page}?heir_q=member1100%40example.test"), &cookie).await;
        assert!(html.contains(&format!(r#"<option value="{}">Member N1100"#, team[1099].id)), "{html}");
        assert!(!html.contains(&format!(r#"<option value="{}">"#, leaving.id)), "not the member being deleted");
    })
    .await;
}

#[tokio::test]
async fn r_inv_1_console_invites_with_chosen_permissions_and_a_resend_too_soon_says_when() {
    each_backend(|app| async move {
        let owner = app.operator("owner@example.test").await;
        let token = app.token(&owner.email, None).await;
        let account = app.create_account(&token, "Invites").await;
        let ann = app.seed_members(account, "admin", &[("Ann", "Admin", "ann@example.test")]).await.remove(0);
        let page = format!("/accounts/{account}/invitations");

        // R-PERM-2: "owner only" is the default; Ann sees a sentence, not forms she cannot use.
        let ann_cookie = app.console_sign_in(&ann.email).await;
        let roster_testkit::app::Page { status, html } = app.page(&page, &ann_cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains("Only the account's owner invites people here"), "{html}");
        assert!(!html.contains(&format!(r#"action="{page}" "#)) && !html.contains("Send invitation"), "{html}");

        // The owner chooses permissions with the add-member form's boxes (R-INV-1).
        let cookie = app.console_sign_in(&owner.email).await;
        let roster_testkit::app::Page { html, .. } = app.page(&page, &cookie).await;
        assert!(
            html.contains(r#"<option value="__choose""#) && html.contains(r#"name="permissions" value="time.track""#)
        );
        let csrf = csrf_of(&html);
        let form = [
            ("csrf", csrf.as_str()),
            ("email", "nia@example.test"),
            ("role", "__choose"),
            ("permissions", "users.view"),
            ("permissions", "time.track"),
        ];
        let (status, _, html) = post_form(&app, &page, &cookie, &form).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("Invitation sent to nia@example.test"), "{html}");
        let roster_testkit::app::Answer { body: list, .. } =
            app.get_json(&format!("/api/v1/accounts/{account}/invitations"), Some(&token)).await;
        let sent = &list["items"][0];
        assert_eq!((&sent["role"], &sent["permissions"]), (&json!("custom"), &json!(["users.view", "time.track"])));

        // Resending at once: the same page, saying when it will be possible.
        let id = sent["id"].as_str().unwrap();
        let (status, location, html) =
            post_form(&app, &format!("{page}/{id}/resend"), &cookie, &[("csrf", csrf.as_str())]).await;
        assert_eq!((status, location.as_str()), (409, ""), "no redirect: {html}");
        assert!(html.contains("it can be sent again in") && html.contains("Pending invitations"), "{html}");
        // Revoke asks first: the button sits behind a step that says what it does.
        assert!(
            html.contains("<summary>Revoke</summary>") && html.contains("Revoke the invitation to nia@example.test")
        );
    })
    .await;
}

#[tokio::test]
async fn r_usr_1_console_member_page_shows_the_api_id_edits_details_and_names_custom_roles() {
    each_backend(|app| async move {
        let owner = app.operator("owner@example.test").await;
        let token = app.token(&owner.email, None).await;
        let account = app.create_account(&token, "Members").await;
        let sam = app.seed_members(account, "standard", &[("Sam", "Staff", "sam@example.test")]).await.remove(0);
        let roster_testkit::app::Answer { status, body: role } = app
            .post_json(
                &format!("/api/v1/accounts/{account}/roles"),
                Some(&token),
                &json!({ "name": "Field crew", "permissions": ["time.track"] }),
            )
            .await;
        assert_eq!(status, 201, "{role}");
        let member_api = format!("/api/v1/accounts/{account}/users/{}", sam.id);
        let roster_testkit::app::Answer { status, .. } =
            app.send(Method::PATCH, &member_api, &token, Some(json!({ "role": role["id"].clone() }))).await;
        assert_eq!(status, 200);
        let cookie = app.console_sign_in(&owner.email).await;
        let page = format!("/accounts/{account}/team/{}", sam.id);
        let roster_testkit::app::Page { status, html } = app.page(&page, &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains(&format!("<dt>API id</dt><dd><code>{}</code>", sam.id)), "{html}");
        assert!(html.contains("<dt>Role</dt><dd>Field crew</dd>"), "a custom role by its name: {html}");
        assert!(html.contains("The account&#39;s home page") || html.contains("The account's home page"));
        assert!(html.contains("Send a reset link") && html.contains("Set password"));
        let roster_testkit::app::Page { html: team, .. } =
            app.page(&format!("/accounts/{account}/team"), &cookie).await;
        assert!(team.contains("<td data-label=\"Role\">Field crew</td>"), "{team}");

        let csrf = csrf_of(&html);
        let form = [
            ("csrf", csrf.as_str()),
            ("part", "profile"),
            ("first_name", "Samuel"),
            ("last_name", "Stone"),
            ("phone", "+1 555 0100"),
            ("company", "Quarry Works"),
            ("username", "samstone"),
        ];
        let (status, location, _) = post_form(&app, &page, &cookie, &form).await;
        assert_eq!((status, location), (303, format!("{page}?done=profile")));
        let roster_testkit::app::Answer { body: view, .. } = app.get_json(&member_api, Some(&token)).await;
        assert_eq!((&view["first_name"], &view["username"]), (&json!("Samuel"), &json!("samstone")));
        // A bad username comes back on the form, naming the field.
        let bad = [
            ("csrf", csrf.as_str()),
            ("part", "profile"),
            ("first_name", "Samuel"),
            ("last_name", "Stone"),
            ("username", "s s"),
        ];
        let (status, _, html) = post_form(&app, &page, &cookie, &bad).await;
        assert_eq!(status, 422);
        assert!(html.contains("without spaces or @") && html.contains(r#"value="s s""#), "{html}");
    })
    .await;
}
