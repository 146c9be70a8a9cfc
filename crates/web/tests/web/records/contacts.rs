//! Contacts through HTTP (R-CON-1, R-CON-2): the API and the console pages, a salesperson's
//! view, 404 for another account's and another member's contact, bad input → 422 naming the field.
use reqwest::Method;
use roster_testkit::app::{TestApp, csrf_of, each_backend};
use serde_json::{Value, json};

async fn post_form(app: &TestApp, path: &str, cookie: &str, form: &[(&str, &str)]) -> (u16, String, String) {
    let res = app.client.post(app.at(path)).header("cookie", cookie).form(form).send().await.unwrap();
    let status = res.status().as_u16();
    let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, location, res.text().await.unwrap())
}

fn field(body: &Value) -> Option<&str> {
    body["errors"][0]["field"].as_str()
}

#[tokio::test]
async fn r_con_1_salesperson_sees_only_assigned_contacts_through_the_api() {
    each_backend(|app| async move {
        let owner = app.owner("Acme").await;
        let a = owner.account();
        let sales = app.member_with(&owner, "salesperson").await;
        let base = format!("/api/v1/accounts/{a}/contacts");
        let made = app
            .post_json(
                &base,
                owner.token.as_deref(),
                &json!({
                    "type": "lead", "first_name": "Sally", "last_name": "Lead", "company": "Leads Inc",
                    "emails": ["Sally@Example.test"], "tags": ["vip", "warm"], "stage": "qualified",
                    "assigned_to": sales.id, "follow_up_on": "2026-12-31"
                }),
            )
            .await;
        assert_eq!(made.status, 201, "{made}");
        let mine = made.id();
        assert_eq!(made.body["type"], "lead");
        assert_eq!(made.body["emails"], json!(["sally@example.test"]));
        assert_eq!(made.body["tags"], json!(["vip", "warm"]));
        assert_eq!(made.body["assignee_archived"], false);
        let theirs = app.post_json(&base, owner.token.as_deref(), &json!({ "first_name": "Olaf" })).await;
        assert_eq!(theirs.status, 201, "{theirs}");
        assert_eq!(theirs.body["assigned_to"], json!(owner.id), "assigned to the maker by default");
        let theirs = theirs.id();

        let list = app.get_json(&base, sales.token.as_deref()).await;
        assert_eq!(list.status, 200, "{list}");
        let ids: Vec<&str> = list.items().iter().filter_map(|c| c["id"].as_str()).collect();
        assert_eq!(ids, vec![mine.to_string().as_str()], "only the assigned one");
        let all = app.get_json(&base, owner.token.as_deref()).await;
        assert_eq!(all.items().len(), 2, "{all}");
        let found = app.get_json(&format!("{base}?q=olaf"), sales.token.as_deref()).await;
        assert!(found.items().is_empty(), "{found}");
        let found = app.get_json(&format!("{base}?q=sally@example.test"), owner.token.as_deref()).await;
        assert_eq!(found.items().len(), 1, "{found}");
        let pipeline = app.get_json(&format!("{base}/pipeline"), sales.token.as_deref()).await;
        let total: i64 = pipeline.body.as_array().unwrap().iter().map(|c| c["count"].as_i64().unwrap()).sum();
        assert_eq!(total, 1, "{pipeline}");

        // Another member's contact, a malformed id and another account's admin: 404.
        let other = app.get_json(&format!("{base}/{theirs}"), sales.token.as_deref()).await;
        assert_eq!(other.status, 404, "{other}");
        let patched =
            app.send(Method::PATCH, &format!("{base}/{theirs}"), sales.bearer(), Some(json!({"notes": "x"}))).await;
        assert_eq!(patched.status, 404, "{patched}");
        assert_eq!(app.get_json(&format!("{base}/not-an-id"), owner.token.as_deref()).await.status, 404);
        let op = app.token(&owner.email, None).await;
        let elsewhere = app.create_account(&op, "Elsewhere").await;
        let stranger = app.seed_members(elsewhere, "admin", &[("Eve", "Admin", "eve@example.test")]).await.remove(0);
        let eve = app.token(&stranger.email, Some(elsewhere)).await;
        assert_eq!(app.get_json(&format!("{base}/{mine}"), Some(&eve)).await.status, 404);

        // The CSV holds what the list holds.
        let res = app
            .client
            .get(app.at(&format!("/api/v1/accounts/{a}/contacts.csv")))
            .bearer_auth(sales.bearer())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let csv = res.text().await.unwrap();
        assert!(csv.contains(&mine.to_string()) && !csv.contains(&theirs.to_string()), "{csv}");

        // Bad input names the field; a salesperson may assign only to themselves.
        for (body, want) in [
            (json!({ "first_name": "X", "type": "friend" }), "type"),
            (json!({ "first_name": "X", "stage": "maybe" }), "stage"),
            (json!({ "first_name": "X", "emails": ["not an address"] }), "emails"),
            (json!({ "first_name": "X", "follow_up_on": "tomorrow" }), "follow_up_on"),
            (json!({ "first_name": "X".repeat(201) }), "first_name"),
            (json!({ "first_name": "X", "notes": "n".repeat(10_001) }), "notes"),
            (json!({ "first_name": "X", "assigned_to": owner.id }), "assigned_to"),
        ] {
            let r = app.post_json(&base, sales.token.as_deref(), &body).await;
            assert_eq!((r.status, field(&r.body)), (422, Some(want)), "{r}");
        }
        let bad = app.get_json(&format!("{base}?stage=maybe"), sales.token.as_deref()).await;
        assert_eq!((bad.status, field(&bad.body)), (422, Some("stage")), "{bad}");

        // Saved filters: the salesperson's own, applied inside their scope.
        let f = app
            .post_json(
                &format!("/api/v1/accounts/{a}/filters"),
                sales.token.as_deref(),
                &json!({ "name": "Warm", "query": { "tag": "warm" } }),
            )
            .await;
        assert_eq!(f.status, 201, "{f}");
        let again = app
            .post_json(&format!("/api/v1/accounts/{a}/filters"), sales.token.as_deref(), &json!({ "name": "Warm" }))
            .await;
        assert_eq!((again.status, again.code()), (409, Some("filter_name_taken")), "{again}");
        let seen = app.get_json(&format!("/api/v1/accounts/{a}/filters/{}", f.id()), owner.token.as_deref()).await;
        assert_eq!(seen.status, 404, "another member's filter");
        let standard = app.member_with(&owner, "standard").await;
        let refused = app
            .post_json(&format!("/api/v1/accounts/{a}/filters"), standard.token.as_deref(), &json!({ "name": "Mine" }))
            .await;
        assert_eq!(refused.status, 403, "{refused}");

        // Delete: the salesperson lacks contacts.delete; the owner deletes.
        let del = app.send(Method::DELETE, &format!("{base}/{mine}"), sales.bearer(), None).await;
        assert_eq!(del.status, 403, "{del}");
        let del = app.send(Method::DELETE, &format!("{base}/{mine}"), owner.bearer(), None).await;
        assert_eq!(del.status, 204, "{del}");
        assert_eq!(app.get_json(&format!("{base}/{mine}"), owner.token.as_deref()).await.status, 404);
    })
    .await;
}

#[tokio::test]
async fn r_con_1_console_pages_for_a_salesperson() {
    each_backend(|app| async move {
        let owner = app.owner("Acme").await;
        let a = owner.account();
        let sales = app.member_with(&owner, "salesperson").await;
        let base = format!("/api/v1/accounts/{a}/contacts");
        let mine = app
            .post_json(
                &base,
                owner.token.as_deref(),
                &json!({ "first_name": "Mina", "assigned_to": sales.id, "notes": "Likes tea" }),
            )
            .await
            .id();
        let theirs = app.post_json(&base, owner.token.as_deref(), &json!({ "first_name": "Otto" })).await.id();
        let hidden = app
            .post_json(
                &base,
                owner.token.as_deref(),
                &json!({ "first_name": "Hilde", "assigned_to": sales.id, "hidden_from_client_list": true }),
            )
            .await
            .id();
        let cookie = app.console_sign_in(&sales.email).await;
        let list = app.page(&format!("/accounts/{a}/contacts"), &cookie).await;
        list.assert_status(200);
        assert!(
            list.html.contains("Mina") && !list.html.contains("Otto") && !list.html.contains("Hilde"),
            "{}",
            list.html
        );
        assert!(list.html.contains("1 contacts"), "{}", list.html);
        assert!(list.html.contains(&format!("href=\"/accounts/{a}/contacts\"")), "the nav links to contacts");
        let shown = app.page(&format!("/accounts/{a}/contacts?hidden=true"), &cookie).await;
        assert!(shown.html.contains(&format!("/contacts/{hidden}")), "{}", shown.html);
        app.page(&format!("/accounts/{a}/contacts/{theirs}"), &cookie).await.assert_status(404);
        app.page(&format!("/accounts/{a}/contacts/nope"), &cookie).await.assert_status(404);
        let page = app.page(&format!("/accounts/{a}/contacts/{mine}"), &cookie).await;
        page.assert_status(200);
        assert!(page.html.contains("aria-current=\"page\" class=\"current\">Overview"), "{}", page.html);
        let notes = app.page(&format!("/accounts/{a}/contacts/{mine}?tab=notes"), &cookie).await;
        assert!(notes.html.contains("Likes tea"), "{}", notes.html);
        let pipeline = app.page(&format!("/accounts/{a}/contacts/pipeline"), &cookie).await;
        pipeline.assert_status(200);
        assert!(pipeline.html.contains("Mina") && !pipeline.html.contains("Otto"), "{}", pipeline.html);

        // The form: errors next to their fields, then a good save.
        let form = app.page(&format!("/accounts/{a}/contacts/new"), &cookie).await;
        form.assert_status(200);
        let csrf = csrf_of(&form.html);
        let (status, _, html) = post_form(
            &app,
            &format!("/accounts/{a}/contacts"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("type", "client"),
                ("first_name", ""),
                ("stage", "new"),
                ("follow_up_on", "soon"),
                ("assigned_to", &sales.id.to_string()),
            ],
        )
        .await;
        assert_eq!(status, 422, "{html}");
        assert!(html.contains("id=\"first_name-error\"") && html.contains("id=\"follow_up_on-error\""), "{html}");
        let (status, location, html) = post_form(
            &app,
            &format!("/accounts/{a}/contacts"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("type", "lead"),
                ("first_name", "Nora <b>"),
                ("stage", "won"),
                ("tags", "a, b"),
                ("assigned_to", &sales.id.to_string()),
            ],
        )
        .await;
        assert_eq!(status, 303, "{html}");
        // Import: pasted CSV, each row's result.
        let form = app.page(&format!("/accounts/{a}/contacts/import"), &cookie).await;
        form.assert_status(200);
        let csv = "first_name,emails\nIrma,irma@example.test\n";
        let (status, _, html) =
            post_form(&app, &format!("/accounts/{a}/contacts/import"), &cookie, &[("csrf", &csrf), ("csv", csv)]).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("1 created"), "{html}");
        let page = app.page(&location, &cookie).await;
        assert!(
            page.html.contains("Nora &#60;b&#62;")
                && !page.html.contains("Nora <b>")
                && page.html.contains("Contact created."),
            "{}",
            page.html
        );
    })
    .await;
}

#[tokio::test]
async fn r_con_1_contact_page_opens_on_the_default_tab_and_outlines_an_archived_assignee() {
    each_backend(|app| async move {
        let owner = app.owner("Acme").await;
        let a = owner.account();
        let gone = app.member_with(&owner, "standard").await;
        let base = format!("/api/v1/accounts/{a}/contacts");
        let c = app
            .post_json(&base, owner.token.as_deref(), &json!({ "first_name": "Abe", "assigned_to": gone.id }))
            .await
            .id();
        let r = app
            .send(Method::POST, &format!("/api/v1/accounts/{a}/users/{}/archive", gone.id), owner.bearer(), None)
            .await;
        assert!(r.status < 300, "{r}");
        let view = app.get_json(&format!("{base}/{c}"), owner.token.as_deref()).await;
        assert_eq!(view.body["assignee_archived"], true, "{view}");
        let r = app
            .send(
                Method::PATCH,
                &format!("/api/v1/accounts/{a}/users/{}", owner.id),
                owner.bearer(),
                Some(json!({ "preferences": { "contact_tab": "notes" } })),
            )
            .await;
        assert_eq!(r.status, 200, "{r}");
        let cookie = app.console_sign_in(&owner.email).await;
        let page = app.page(&format!("/accounts/{a}/contacts/{c}"), &cookie).await;
        page.assert_status(200);
        assert!(page.html.contains("class=\"current\">Notes"), "{}", page.html);
        let page = app.page(&format!("/accounts/{a}/contacts/{c}?tab=overview"), &cookie).await;
        assert!(page.html.contains("assignee assignee-archived"), "{}", page.html);
    })
    .await;
}

#[tokio::test]
async fn r_con_1_import_is_idempotent_by_email_and_all_or_nothing() {
    each_backend(|app| async move {
        let owner = app.owner("Acme").await;
        let a = owner.account();
        let url = app.at(&format!("/api/v1/accounts/{a}/contacts/import"));
        let send = |body: Vec<u8>| {
            let req = app.client.post(url.clone()).bearer_auth(owner.bearer()).header("content-type", "text/csv").body(body);
            async move {
                let res = req.send().await.unwrap();
                (res.status().as_u16(), res.json::<Value>().await.unwrap_or(Value::Null))
            }
        };
        let csv = "first_name,last_name,emails,stage,tags\nAda,Lovelace,ada@example.test,won,vip\nBob,,bob@example.test,new,\n";
        let (status, body) = send(csv.as_bytes().to_vec()).await;
        assert_eq!((status, body["created"].as_u64()), (200, Some(2)), "{body}");
        let (status, body) = send(csv.as_bytes().to_vec()).await;
        assert_eq!((status, body["unchanged"].as_u64(), body["created"].as_u64()), (200, Some(2), Some(0)), "{body}");
        let changed = "first_name,emails,stage\nAda,ADA@example.test,lost\n";
        let (status, body) = send(changed.as_bytes().to_vec()).await;
        assert_eq!((status, body["updated"].as_u64()), (200, Some(1)), "{body}");
        // A bad row (and a cell that is not UTF-8): 422 per row, nothing written.
        let mut bad = b"first_name,emails,stage\nCleo,cleo@example.test,new\nDan,dan@example.test,maybe\n".to_vec();
        bad.extend_from_slice(b"E\xff,e@example.test,new\n");
        let (status, body) = send(bad).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["rows"][1]["errors"][0]["field"], "stage", "{body}");
        assert_eq!(body["rows"][2]["status"], 422, "{body}");
        let list = app.get_json(&format!("/api/v1/accounts/{a}/contacts?q=cleo@example.test"), owner.token.as_deref()).await;
        assert!(list.items().is_empty(), "nothing half-written: {list}");
        let all = app.get_json(&format!("/api/v1/accounts/{a}/contacts"), owner.token.as_deref()).await;
        assert_eq!(all.items().len(), 2, "{all}");
    })
    .await;
}
