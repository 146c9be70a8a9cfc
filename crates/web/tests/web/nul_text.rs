//! No NUL character (U+0000) enters as text (issue 18, decision 0103): PostgreSQL answered 500
//! (`invalid byte sequence`) and SQLite stored it. Through JSON, query strings, console forms and
//! CSV, on both backends: 422 naming the field, and nothing written.
use roster_testkit::app::{csrf_of, each_backend};
use serde_json::{Value, json};

#[tokio::test]
async fn nul_in_text_is_422_naming_the_field_on_every_way_in() {
    each_backend(|app| async move {
        let owner = app.owner("Acme").await;
        let a = owner.account();
        let base = format!("/api/v1/accounts/{a}");
        let bearer = owner.bearer();
        let before = app.get_json(&format!("{base}/contacts?hidden=true&limit=200"), Some(bearer)).await.items().len();

        // JSON bodies.
        let user = |extra: Value| {
            let mut b =
                json!({ "email": "nul@example.test", "first_name": "Nul", "last_name": "Case", "send_welcome": false });
            for (k, v) in extra.as_object().unwrap() {
                b[k] = v.clone();
            }
            b
        };
        let cases: Vec<(String, Value, &str)> = vec![
            (format!("{base}/contacts"), json!({ "first_name": "Ann", "company": "a\u{0}b" }), "company"),
            (format!("{base}/projects"), json!({ "name": "x\u{0}" }), "name"),
            (format!("{base}/users"), user(json!({ "role": "admin\u{0}" })), "role"),
            (format!("{base}/users"), user(json!({ "phone": "555\u{0}" })), "phone"),
            (format!("{base}/users"), user(json!({ "username": "nul\u{0}" })), "username"),
            (format!("{base}/users"), user(json!({ "welcome_subject": "Hi\u{0}" })), "welcome_subject"),
            (
                format!("{base}/users"),
                user(json!({ "preferences": { "default_contact_tab": "notes\u{0}" } })),
                "preferences.default_contact_tab",
            ),
        ];
        for (path, body, field) in &cases {
            let got = app.post_json(path, Some(bearer), body).await;
            assert_eq!(got.status, 422, "{path} {field}: {}", got.body);
            assert_eq!(got.code(), Some("invalid_fields"), "{}", got.body);
            assert_eq!(got.body["errors"][0]["field"], *field, "{path}: {}", got.body);
        }
        let got = app
            .send(
                reqwest::Method::PUT,
                &format!("{base}/email-templates/welcome"),
                bearer,
                Some(json!({ "subject": "S\u{0}" })),
            )
            .await;
        assert_eq!((got.status, got.body["errors"][0]["field"].as_str()), (422, Some("subject")), "{}", got.body);

        // Query strings: the members search, its CSV (which once cut the stream after 200),
        // the audit filters and the contacts search.
        for (path, field) in [
            (format!("{base}/users?q=a%00b"), "q"),
            (format!("{base}/users.csv?q=a%00b"), "q"),
            (format!("{base}/audit?action=a%00"), "action"),
            (format!("{base}/contacts?q=an%00n"), "q"),
        ] {
            let got = app.get_json(&path, Some(bearer)).await;
            assert_eq!(got.status, 422, "{path}: {}", got.body);
            assert_eq!(got.body["errors"][0]["field"], field, "{path}: {}", got.body);
        }

        // CSV: the cell is refused on its row; nothing written.
        let csv = "first_name,company\nAda,ok\nBob,a\u{0}b\n";
        let res = app
            .client
            .post(app.at(&format!("{base}/contacts/import")))
            .bearer_auth(bearer)
            .header("content-type", "text/csv")
            .body(csv.as_bytes().to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 422);
        let report: Value = res.json().await.unwrap();
        assert_eq!(report["rows"][1]["errors"][0]["field"], "company", "{report}");

        // A console form: a page that says what is wrong, with 422.
        let cookie = app.console_sign_in(&owner.email).await;
        let form = app.page(&format!("/accounts/{a}/contacts/new"), &cookie).await;
        let csrf = csrf_of(&form.html);
        let res = app
            .client
            .post(app.at(&format!("/accounts/{a}/contacts")))
            .header("cookie", &cookie)
            .form(&[("csrf", csrf.as_str()), ("first_name", "Ann"), ("company", "a\u{0}b")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("company") && html.contains("NUL"), "{html}");

        let after = app.get_json(&format!("{base}/contacts?hidden=true&limit=200"), Some(bearer)).await.items().len();
        assert_eq!(after, before, "nothing written");
        let members = app.get_json(&format!("{base}/users?q=nul"), Some(bearer)).await;
        assert!(members.items().is_empty(), "{members}");
    })
    .await;
}
