//! Bad input on every record kind (issue 16): a 10,000-character name, a date outside the years
//! served or that does not exist, an assignee who is not an active member, an event ending
//! before it starts: 422 naming the field, and nothing written.
use roster_testkit::app::each_backend;
use serde_json::{Value, json};

#[tokio::test]
async fn records_bad_input_is_422_naming_the_field_and_writes_nothing() {
    each_backend(|app| async move {
        let owner = app.owner("Acme").await;
        let a = owner.account();
        let base = format!("/api/v1/accounts/{a}");
        let long = "x".repeat(10_000);
        let other = uuid::Uuid::now_v7();
        let list =
            app.post_json(&format!("{base}/todo-lists"), Some(owner.bearer()), &json!({ "name": "Calls" })).await;
        let list = list.assert_status(201).id();
        let cases: Vec<(String, Value, &str)> = vec![
            (format!("{base}/contacts"), json!({ "first_name": long, "type": "client" }), "first_name"),
            (format!("{base}/contacts"), json!({ "first_name": "Ann", "assigned_to": other }), "assigned_to"),
            (format!("{base}/contacts"), json!({ "first_name": "Ann", "follow_up_on": "2031-02-30" }), "follow_up_on"),
            (format!("{base}/projects"), json!({ "name": long }), "name"),
            (format!("{base}/tags"), json!({ "name": long }), "name"),
            (format!("{base}/todo-lists"), json!({ "name": long }), "name"),
            (format!("{base}/todo-lists/{list}/todos"), json!({ "title": long }), "title"),
            (format!("{base}/todo-lists/{list}/todos"), json!({ "title": "Call", "due_on": "10000-01-01" }), "due_on"),
            (format!("{base}/calendars"), json!({ "name": long }), "name"),
            (
                format!("{base}/events"),
                json!({ "title": "Late", "starts_at": "2031-05-06T10:00:00Z", "ends_at": "2031-05-06T09:00:00Z" }),
                "ends_at",
            ),
            (
                format!("{base}/events"),
                json!({ "title": "Ancient", "starts_at": "0001-01-01T10:00:00Z", "ends_at": "0001-01-01T11:00:00Z" }),
                "starts_at",
            ),
            (
                format!("{base}/events"),
                json!({ "title": long, "starts_at": "2031-05-06T10:00:00Z",
                                               "ends_at": "2031-05-06T11:00:00Z" }),
                "title",
            ),
        ];
        let before = counts(&app, &base, owner.bearer()).await;
        for (path, body, field) in &cases {
            let got = app.post_json(path, Some(owner.bearer()), body).await;
            assert_eq!(got.status, 422, "{path} {field}: {}", got.body);
            let fields: Vec<&str> =
                got.body["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
            assert!(fields.contains(field), "{path}: {field} named in {}", got.body);
            assert!(!got.body.to_string().contains(&long[..200]), "the long value is not echoed back");
        }
        assert_eq!(counts(&app, &base, owner.bearer()).await, before, "nothing half-written");
    })
    .await;
}

/// How many contacts, projects, lists, calendars and events the owner sees.
async fn counts(app: &roster_testkit::app::TestApp, base: &str, token: &str) -> Vec<usize> {
    let mut n = Vec::new();
    for query in [
        "contacts?hidden=true&limit=200",
        "projects?limit=200",
        "tags?limit=200",
        "todo-lists?limit=200",
        "calendars?limit=200",
        "events?from=2000-01-01&to=2100-01-01&limit=200",
    ] {
        let got = app.get_json(&format!("{base}/{query}"), Some(token)).await;
        // Tags answer a plain array, the others a page.
        n.push(got.body.as_array().or_else(|| got.body["items"].as_array()).map_or(usize::MAX, Vec::len));
    }
    n
}
