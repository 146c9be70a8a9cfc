//! Support tickets through HTTP (R-TKT-1): open, reply, status changes, the list's filters and
//! pages, bad input (422 naming the field), the reply email through a real SMTP exchange, and
//! the console pages.
use std::time::Duration;

use reqwest::Method;
use roster_testkit::app::{TestApp, csrf_of, each_backend};
use serde_json::json;
use uuid::Uuid;

async fn post_form(app: &TestApp, path: &str, cookie: &str, form: &[(&str, &str)]) -> (u16, String, String) {
    let res = app.client.post(app.at(path)).header("cookie", cookie).form(form).send().await.unwrap();
    let status = res.status().as_u16();
    let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, location, res.text().await.unwrap())
}

async fn contact(app: &TestApp, a: Uuid, token: &str, first: &str, emails: &[&str]) -> Uuid {
    app.post_json(
        &format!("/api/v1/accounts/{a}/contacts"),
        Some(token),
        &json!({ "first_name": first, "last_name": "Client", "emails": emails }),
    )
    .await
    .assert_status(201)
    .id()
}

#[tokio::test]
async fn r_tkt_1_open_reply_reopen_and_list_through_the_api() {
    each_backend(|app| async move {
        let owner = app.owner("Helpdesk").await;
        let a = owner.account();
        let emp = app.member_with(&owner, "employee").await;
        let cust = app.member_with(&owner, "customer").await;
        let base = format!("/api/v1/accounts/{a}");
        let grace = contact(&app, a, owner.bearer(), "Grace", &["grace@example.org"]).await;
        let open = json!({ "subject": "Printer jams", "contact_id": grace, "priority": "high",
                           "assigned_to": emp.id, "body": "It jams on page 2.", "from_contact": true });
        let t1 = app.post_json(&format!("{base}/tickets"), Some(emp.bearer()), &open).await;
        t1.assert_status(201);
        assert_eq!(t1["number"], 1);
        assert_eq!(t1["status"], "open");
        assert_eq!(t1["opened_by"], "contact");
        let t1 = t1.id();
        let t2 =
            app.post_json(&format!("{base}/tickets"), Some(owner.bearer()), &json!({ "subject": "Invoice" })).await;
        t2.assert_status(201);
        assert_eq!(t2["number"], 2, "numbers count per account");
        assert_eq!(t2["priority"], "normal");
        // A customer cannot open one, nor see one not assigned to them.
        app.post_json(&format!("{base}/tickets"), Some(cust.bearer()), &json!({ "subject": "x" }))
            .await
            .assert_status(403);
        app.get_json(&format!("{base}/tickets/{t1}"), Some(cust.bearer())).await.assert_status(404);
        assert!(app.get_json(&format!("{base}/tickets"), Some(cust.bearer())).await.items().is_empty());

        // A member's reply answers it; the contact's message re-opens it.
        let msgs = format!("{base}/tickets/{t1}/messages");
        let r = app.post_json(&msgs, Some(emp.bearer()), &json!({ "body": "A new roller is on its way." })).await;
        r.assert_status(201);
        assert_eq!(r["ticket"]["status"], "answered");
        assert_eq!(r["emailed"], true);
        assert_eq!(r["message"]["emailed_to"], "grace@example.org");
        let r = app.post_json(&msgs, Some(emp.bearer()), &json!({ "body": "Still jams.", "from_contact": true })).await;
        r.assert_status(201);
        assert_eq!(r["ticket"]["status"], "open");
        assert_eq!(r["emailed"], false);
        let thread = app.get_json(&msgs, Some(emp.bearer())).await;
        let authors: Vec<&str> = thread.items().iter().map(|m| m["author"].as_str().unwrap()).collect();
        assert_eq!(authors, vec!["contact", "member", "contact"]);

        // Filters: status and assignee; `#1` finds by number; keyset pages.
        let list =
            app.get_json(&format!("{base}/tickets?status=open&assigned_to={}", emp.id), Some(owner.bearer())).await;
        list.assert_status(200);
        assert_eq!(list.items().len(), 1);
        let by_number = app.get_json(&format!("{base}/tickets?q=%232"), Some(owner.bearer())).await;
        assert_eq!(by_number.items()[0]["subject"], "Invoice");
        let first = app.get_json(&format!("{base}/tickets?limit=1"), Some(owner.bearer())).await;
        assert_eq!(first.items()[0]["number"], 2, "newest first");
        let cursor = first["next_cursor"].as_str().unwrap().to_owned();
        let second = app.get_json(&format!("{base}/tickets?limit=1&cursor={cursor}"), Some(owner.bearer())).await;
        assert_eq!(second.items()[0]["number"], 1);

        // Status, priority and assignee changes; delete is an admin's.
        let item = format!("{base}/tickets/{t1}");
        let closed = app
            .send(Method::PATCH, &item, emp.bearer(), Some(json!({ "status": "closed", "priority": "urgent" })))
            .await;
        closed.assert_status(200);
        assert_eq!(closed["status"], "closed");
        app.send(Method::DELETE, &item, emp.bearer(), None).await.assert_status(403);
        app.send(Method::DELETE, &item, owner.bearer(), None).await.assert_status(204);
        app.get_json(&item, Some(owner.bearer())).await.assert_status(404);

        // The audit log has each change.
        let audit = app.get_json(&format!("{base}/audit?limit=100"), Some(owner.bearer())).await;
        let actions: Vec<&str> = audit.items().iter().filter_map(|e| e["action"].as_str()).collect();
        for want in ["ticket.opened", "ticket.replied", "ticket.updated", "ticket.deleted"] {
            assert!(actions.contains(&want), "{want}: {actions:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn r_tkt_1_bad_input_answers_422_naming_the_field() {
    each_backend(|app| async move {
        let owner = app.owner("Helpdesk").await;
        let a = owner.account();
        let base = format!("/api/v1/accounts/{a}");
        let stranger = Uuid::now_v7();
        let long = "x".repeat(10_000);
        for (body, field) in [
            (json!({ "subject": "" }), "subject"),
            (json!({ "subject": long }), "subject"),
            (json!({ "subject": "ok", "priority": "whenever" }), "priority"),
            (json!({ "subject": "ok", "assigned_to": stranger }), "assigned_to"),
            (json!({ "subject": "ok", "contact_id": stranger }), "contact_id"),
            (json!({ "subject": "ok", "from_contact": true }), "from_contact"),
            (json!({ "subject": "ok", "body": "y".repeat(10_001) }), "body"),
        ] {
            let answer = app.post_json(&format!("{base}/tickets"), Some(owner.bearer()), &body).await;
            answer.assert_status(422);
            assert!(answer.to_string().contains(field), "{field}: {answer}");
        }
        for (query, field) in [
            ("status=lost", "status"),
            ("priority=x", "priority"),
            ("assigned_to=me", "assigned_to"),
            ("sort=colour", "sort"),
            ("order=up", "order"),
            ("cursor=zz", "cursor"),
            ("limit=0", "limit"),
        ] {
            let answer = app.get_json(&format!("{base}/tickets?{query}"), Some(owner.bearer())).await;
            answer.assert_status(422);
            assert!(answer.to_string().contains(field), "{field}: {answer}");
        }
        let t =
            app.post_json(&format!("{base}/tickets"), Some(owner.bearer()), &json!({ "subject": "Fine" })).await.id();
        let item = format!("{base}/tickets/{t}");
        for (body, field) in [
            (json!({ "status": "lost" }), "status"),
            (json!({ "assigned_to": stranger }), "assigned_to"),
            (json!({ "clear": ["subject"] }), "clear"),
        ] {
            let answer = app.send(Method::PATCH, &item, owner.bearer(), Some(body)).await;
            answer.assert_status(422);
            assert!(answer.to_string().contains(field), "{field}: {answer}");
        }
        for (body, field) in
            [(json!({ "body": "" }), "body"), (json!({ "body": "hi", "from_contact": true }), "from_contact")]
        {
            let answer = app.post_json(&format!("{item}/messages"), Some(owner.bearer()), &body).await;
            answer.assert_status(422);
            assert!(answer.to_string().contains(field), "{field}: {answer}");
        }
        app.get_json(&format!("{base}/tickets/not-an-id"), Some(owner.bearer())).await.assert_status(404);
    })
    .await;
}

#[tokio::test]
async fn r_tkt_1_a_reply_reaches_the_contact_by_smtp_with_the_ticket_number() {
    each_backend(|app| async move {
        let owner = app.owner("Acme Support").await;
        let a = owner.account();
        let base = format!("/api/v1/accounts/{a}");
        let grace = contact(&app, a, owner.bearer(), "Grace", &["grace@example.org"]).await;
        let mute = contact(&app, a, owner.bearer(), "Mute", &[]).await;
        let t = app
            .post_json(
                &format!("{base}/tickets"),
                Some(owner.bearer()),
                &json!({ "subject": "Card reader", "contact_id": grace }),
            )
            .await;
        let (id, number) = (t.id(), t["number"].as_i64().unwrap());
        app.smtp.forget();
        let body = json!({ "body": "We replaced the reader.\nIt should work now." });
        let r = app.post_json(&format!("{base}/tickets/{id}/messages"), Some(owner.bearer()), &body).await;
        r.assert_status(201);
        assert_eq!(r["emailed"], true);
        let mail = app.smtp.wait_for(1, Duration::from_secs(15)).await.remove(0);
        assert_eq!(mail.to, vec!["grace@example.org".to_owned()]);
        let subject = mail.header("Subject").unwrap();
        assert!(subject.contains(&format!("#{number}")) && subject.contains("Card reader"), "{subject}");
        let text = mail.part("text/plain").unwrap();
        assert!(text.contains("We replaced the reader."), "{text}");
        assert!(!text.contains("token") && !text.contains("password"), "no secret in it: {text}");

        // A contact without an address: the reply is stored, no email, and the answer says so.
        let t = app
            .post_json(
                &format!("{base}/tickets"),
                Some(owner.bearer()),
                &json!({ "subject": "No address", "contact_id": mute }),
            )
            .await
            .id();
        let r = app
            .post_json(&format!("{base}/tickets/{t}/messages"), Some(owner.bearer()), &json!({ "body": "Hi" }))
            .await;
        r.assert_status(201);
        assert_eq!(r["emailed"], false);
        assert!(r["warning"].as_str().unwrap().contains("no email address"), "{r}");
        let thread = app.get_json(&format!("{base}/tickets/{t}/messages"), Some(owner.bearer())).await;
        assert_eq!(thread.items().len(), 1);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(app.smtp.count(), 1, "nothing else was sent");
    })
    .await;
}

#[tokio::test]
async fn r_tkt_1_console_list_new_ticket_reply_and_changes() {
    each_backend(|app: TestApp| async move {
        let owner = app.owner("Console desk").await;
        let a = owner.account();
        let emp = app.member_with(&owner, "employee").await;
        let cust = app.member_with(&owner, "customer").await;
        let grace = contact(&app, a, owner.bearer(), "Grace", &["grace@example.org"]).await;
        let cookie = app.console_sign_in(&emp.email).await;
        let home = app.page(&format!("/accounts/{a}/tickets"), &cookie).await;
        assert_eq!(home.status, 200, "{}", home.html);
        assert!(home.html.contains(">Tickets</a>"), "the nav entry");
        assert!(home.html.contains("No tickets match."));
        let new = app.page(&format!("/accounts/{a}/tickets/new"), &cookie).await;
        assert_eq!(new.status, 200);
        let csrf = csrf_of(&new.html);
        // Errors next to the fields.
        let (status, _, html) = post_form(
            &app,
            &format!("/accounts/{a}/tickets"),
            &cookie,
            &[("csrf", &csrf), ("subject", ""), ("priority", "normal"), ("contact_id", ""), ("assigned_to", "")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"subject-error\""), "{html}");
        let grace_s = grace.to_string();
        let emp_s = emp.id.to_string();
        let (status, location, _) = post_form(
            &app,
            &format!("/accounts/{a}/tickets"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("subject", "Broken <b>login</b>"),
                ("priority", "high"),
                ("contact_id", &grace_s),
                ("assigned_to", &emp_s),
                ("body", "I cannot sign in."),
                ("from_contact", "1"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{location}");
        let page = app.page(&location, &cookie).await;
        assert_eq!(page.status, 200);
        assert!(
            page.html.contains("#1 Broken &#60;b&#62;login&#60;/b&#62;")
                || page.html.contains("#1 Broken &lt;b&gt;login"),
            "escaped: {}",
            page.html
        );
        assert!(page.html.contains("I cannot sign in."));
        // An empty reply: the error next to the field.
        let (status, _, html) =
            post_form(&app, &format!("{location}/reply"), &cookie, &[("csrf", &csrf), ("body", " ")]).await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"body-error\""));
        let (status, back, _) = post_form(
            &app,
            &format!("{location}/reply"),
            &cookie,
            &[("csrf", &csrf), ("body", "Reset your password.")],
        )
        .await;
        assert_eq!(status, 303);
        let page = app.page(&back, &cookie).await;
        assert!(page.html.contains("emailed to the contact"), "{}", page.html);
        assert!(page.html.contains("answered"));
        let (status, back, _) = post_form(
            &app,
            &format!("{location}/edit"),
            &cookie,
            &[("csrf", &csrf), ("status", "closed"), ("priority", "low"), ("assigned_to", &emp_s)],
        )
        .await;
        assert_eq!(status, 303);
        let page = app.page(&back, &cookie).await;
        assert!(page.html.contains("Ticket saved.") && page.html.contains("closed"));
        assert!(!page.html.contains("Delete ticket"), "an employee does not delete");
        let list = app.page(&format!("/accounts/{a}/tickets?status=closed"), &cookie).await;
        assert!(list.html.contains("closed: 1"), "{}", list.html);
        // The contact page links to the contact's tickets.
        let owner_cookie = app.console_sign_in(&owner.email).await;
        let page = app.page(&format!("/accounts/{a}/contacts/{grace}"), &owner_cookie).await;
        let link = format!("/accounts/{a}/tickets?contact_id={grace}");
        assert!(page.html.contains(&link), "{}", page.html);
        let list = app.page(&link, &owner_cookie).await;
        assert!(list.html.contains("#1</td>") && list.html.contains("One contact"), "{}", list.html);
        // A customer has no nav entry and does not reach the ticket.
        let theirs = app.console_sign_in(&cust.email).await;
        let ticket_path = location.split('?').next().unwrap().to_owned();
        assert_eq!(app.page(&ticket_path, &theirs).await.status, 404);
        let list = app.page(&format!("/accounts/{a}/tickets"), &theirs).await;
        assert!(!list.html.contains("New ticket"));
    })
    .await;
}
