//! The users list (R-LIST-1) and its CSV export (R-EXP-1): search, filters, every sort with
//! keyset paging, the Archived tab and the disabled toggle, formula neutralising, permission.
use std::collections::HashSet;

use roster_store::{MembershipRow, UserRow};
use roster_testkit::app::{Answer, Page, TestApp, each_backend};
use serde_json::Value;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// One generated person: (first, last, email, company, role, status, signed in days ago).
type Person = (String, String, String, Option<String>, &'static str, &'static str, Option<i64>);

/// An account owned by Olga (operator, owner) with the people given, straight through the store.
async fn account_with(app: &TestApp, people: &[Person]) -> (Uuid, String) {
    let owner = app.operator("olga@example.test").await;
    let token = app.token(&owner.email, None).await;
    let account = app.create_account(&token, "List Ltd").await;
    let token = app.token(&owner.email, Some(account)).await;
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let (mut users, mut members) = (Vec::new(), Vec::new());
    for (first, last, email, company, role, status, ago) in people {
        let u = UserRow {
            id: Uuid::now_v7(),
            email: email.clone(),
            username: None,
            first_name: first.clone(),
            last_name: last.clone(),
            phone: None,
            company: company.clone(),
            password_hash: None,
            time_zone: "UTC".into(),
            is_operator: false,
            email_verified_at: None,
            created_at: now,
            updated_at: now,
        };
        let mut m = MembershipRow::new(account, u.id, roster_core::RoleKind::parse(role).unwrap(), now);
        m.status = roster_core::MembershipStatus::parse(status).unwrap();
        m.last_sign_in_at = ago.map(|d| now - Duration::days(d));
        users.push(u);
        members.push(m);
    }
    let mut tx = app.db.store.begin().await.unwrap();
    tx.insert_members_bulk(&users, &members).await.unwrap();
    tx.commit().await.unwrap();
    (account, token)
}

fn person(first: &str, last: &str, company: Option<&str>, role: &'static str, status: &'static str) -> Person {
    let email = format!("{}.{}@example.test", first.to_lowercase(), last.to_lowercase());
    (first.into(), last.into(), email, company.map(str::to_owned), role, status, None)
}

async fn list(app: &TestApp, token: &str, account: Uuid, query: &str) -> Answer {
    app.get_json(&format!("/api/v1/accounts/{account}/users?{query}"), Some(token)).await
}

fn emails(body: &Value) -> Vec<String> {
    body["items"].as_array().unwrap().iter().map(|m| m["email"].as_str().unwrap().to_owned()).collect()
}

fn sample() -> Vec<Person> {
    vec![
        person("Ada", "Lovelace", Some("Analytical Engines"), "admin", "active"),
        person("Charles", "Babbage", Some("Analytical Engines"), "standard", "active"),
        person("Grace", "Hopper", Some("Navy Computing"), "employee", "active"),
        person("Alan", "Turing", Some("Bletchley Park"), "employee", "disabled"),
        person("Joan", "Clarke", Some("Bletchley Park"), "customer", "archived"),
        person("Katherine", "Johnson", None, "salesperson", "active"),
    ]
}

#[tokio::test]
async fn r_list_1_search_by_name_email_company_role() {
    each_backend(|app| async move {
        let (account, token) = account_with(&app, &sample()).await;
        let cases: &[(&str, &[&str])] = &[
            // Name (the trigram index), case-insensitive, part of a word.
            ("q=LOVEL", &["ada.lovelace@example.test"]),
            ("q=ada%20love", &["ada.lovelace@example.test"]),
            // Email.
            ("q=hopper%40exam", &["grace.hopper@example.test"]),
            // A whole address: exactly that member.
            ("q=Grace.Hopper%40example.test", &["grace.hopper@example.test"]),
            // Company, shorter than a trigram too (walks the sort index).
            ("q=analytical", &["ada.lovelace@example.test", "charles.babbage@example.test"]),
            ("q=na", &["ada.lovelace@example.test", "charles.babbage@example.test", "grace.hopper@example.test"]),
            // Disabled people are listed by default, archived ones are not.
            ("q=bletchley", &["alan.turing@example.test"]),
            // Role filter, alone and with text.
            ("role=employee", &["alan.turing@example.test", "grace.hopper@example.test"]),
            ("role=employee&q=grace", &["grace.hopper@example.test"]),
            // Nothing matches; a LIKE wildcard is text.
            ("q=zzz", &[]),
            ("q=%25", &[]),
        ];
        for (query, want) in cases {
            let Answer { status, body } = list(&app, &token, account, query).await;
            assert_eq!(status, 200, "{query}: {body}");
            let mut got = emails(&body);
            got.sort();
            let mut want: Vec<String> = want.iter().map(|s| (*s).to_owned()).collect();
            want.sort();
            assert_eq!(got, want, "{query}");
        }
        // Bad parameters name the field.
        for (query, field) in
            [("sort=age", "sort"), ("order=up", "order"), ("status=gone", "status"), ("cursor=zz", "cursor")]
        {
            let Answer { status, body } = list(&app, &token, account, query).await;
            assert_eq!(status, 422, "{query}: {body}");
            assert_eq!(body["errors"][0]["field"], field, "{body}");
        }
    })
    .await;
}

#[tokio::test]
async fn r_list_1_every_sort_pages_with_a_cursor_without_gaps_or_repeats() {
    each_backend(|app| async move {
        // Many equal first keys (names, companies, roles, sign-in days, never signed in), so the
        // user id must break ties and the cursor must carry every key.
        let firsts = ["Ann", "Bob", "Cy"];
        let roles = ["admin", "standard", "employee", "customer"];
        let mut people = Vec::new();
        for i in 0..45 {
            let first = firsts[i % 3];
            let last = if i % 5 == 0 { "Same" } else { ["Ng", "Ox", "Po", "Qi"][i % 4] };
            let email = format!("p{i:02}.{}@example.test", first.to_lowercase());
            let company = match i % 4 {
                0 => None,
                1 => Some("Acme".to_owned()),
                2 => Some("acme".to_owned()),
                _ => Some(format!("Zeta {}", i % 3)),
            };
            let ago = (i % 3 != 0).then_some((i % 4) as i64);
            people.push((first.to_owned(), last.to_owned(), email, company, roles[i % 4], "active", ago));
        }
        let (account, token) = account_with(&app, &people).await;
        let total = people.len() + 1; // and the owner
        for sort in ["name", "email", "company", "role", "last_sign_in_at", "created_at"] {
            for order in ["asc", "desc"] {
                // No search, the trigram index (SQLite: FTS5), and text too short for it.
                for q in ["", "&q=example", "&q=ex"] {
                    let mut seen = Vec::new();
                    let mut cursor: Option<String> = None;
                    for _ in 0..50 {
                        let c = cursor.as_ref().map(|c| format!("&cursor={c}")).unwrap_or_default();
                        let Answer { status, body } =
                            list(&app, &token, account, &format!("sort={sort}&order={order}&limit=7{q}{c}")).await;
                        assert_eq!(status, 200, "{sort} {order}: {body}");
                        seen.extend(emails(&body));
                        cursor = body["next_cursor"].as_str().map(str::to_owned);
                        if cursor.is_none() {
                            break;
                        }
                    }
                    let unique: HashSet<&String> = seen.iter().collect();
                    assert_eq!(unique.len(), seen.len(), "{sort} {order}{q}: a member came twice");
                    assert_eq!(seen.len(), total, "{sort} {order}{q}: members missing");
                    // The same order as one big page.
                    let all =
                        list(&app, &token, account, &format!("sort={sort}&order={order}&limit=500{q}")).await.body;
                    assert_eq!(seen, emails(&all), "{sort} {order}{q}: pages differ from one page");
                }
            }
            // A cursor of another sort is refused.
            let body = list(&app, &token, account, &format!("sort={sort}&limit=2")).await.body;
            let c = body["next_cursor"].as_str().unwrap();
            let other = if sort == "name" { "email" } else { "name" };
            let status = list(&app, &token, account, &format!("sort={other}&cursor={c}")).await.status;
            assert_eq!(status, 422);
        }
        // One big page is in the order asked for; created_at is when they joined.
        let all = list(&app, &token, account, "sort=created_at&limit=500").await.body;
        let joined: Vec<(OffsetDateTime, String)> = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let at = OffsetDateTime::parse(
                    m["created_at"].as_str().unwrap(),
                    &time::format_description::well_known::Rfc3339,
                );
                (at.unwrap(), m["user_id"].as_str().unwrap().to_owned())
            })
            .collect();
        let mut sorted_joined = joined.clone();
        sorted_joined.sort();
        assert_eq!(joined, sorted_joined);
        let all = list(&app, &token, account, "sort=email&limit=500").await.body;
        let got = emails(&all);
        let mut sorted = got.clone();
        sorted.sort();
        assert_eq!(got, sorted);
        let all = list(&app, &token, account, "sort=last_sign_in_at&order=desc&limit=500").await.body;
        let times: Vec<Option<&str>> =
            all["items"].as_array().unwrap().iter().map(|m| m["last_sign_in_at"].as_str()).collect();
        let never = times.iter().position(Option::is_none).unwrap();
        assert!(times[never..].iter().all(Option::is_none), "never signed in comes last when newest first");
        let rfc = time::format_description::well_known::Rfc3339;
        let dated: Vec<OffsetDateTime> =
            times[..never].iter().map(|t| OffsetDateTime::parse(t.unwrap(), &rfc).unwrap()).collect();
        assert!(dated.windows(2).all(|w| w[0] >= w[1]), "{dated:?}");
    })
    .await;
}

#[tokio::test]
async fn r_list_1_archived_tab_and_disabled_toggle() {
    each_backend(|app| async move {
        let (account, token) = account_with(&app, &sample()).await;
        let body = list(&app, &token, account, "").await.body;
        let default = emails(&body);
        assert!(default.contains(&"alan.turing@example.test".to_owned()), "disabled listed by default");
        assert!(!default.contains(&"joan.clarke@example.test".to_owned()), "archived not listed by default");
        let body = list(&app, &token, account, "status=active").await.body;
        assert!(!emails(&body).contains(&"alan.turing@example.test".to_owned()), "disabled hidden");
        let body = list(&app, &token, account, "status=archived").await.body;
        assert_eq!(emails(&body), vec!["joan.clarke@example.test"]);
        let body = list(&app, &token, account, "status=active,disabled,archived").await.body;
        assert_eq!(emails(&body).len(), 7);

        // The console keeps the query in the URL: tabs, sort headers, the next page, Export CSV.
        let cookie = app.console_sign_in("olga@example.test").await;
        let Page { status, html } = app.page(&format!("/accounts/{account}/team?tab=archived&q=clarke"), &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains("joan.clarke@example.test"), "{html}");
        assert!(!html.contains("ada.lovelace@example.test"));
        assert!(html.contains("users.csv?q=clarke&#38;status=archived"), "{html}");
        let html =
            app.page(&format!("/accounts/{account}/team?hide_disabled=1&sort=email&order=desc"), &cookie).await.html;
        assert!(!html.contains("alan.turing@example.test"));
        assert!(html.find("katherine.johnson@").unwrap() < html.find("ada.lovelace@").unwrap(), "email, newest first");
        assert!(html.contains("aria-sort=\"descending\""));
    })
    .await;
}

/// R-LIST-1: the console says how many members match the tab, filters and search in all.
#[tokio::test]
async fn r_list_1_console_shows_the_total_of_the_tab_filters_and_search() {
    each_backend(|app| async move {
        let (account, _) = account_with(&app, &sample()).await;
        let cookie = app.console_sign_in("olga@example.test").await;
        for (query, summary) in [
            ("", "Members 1–6 of 6 (page 1)."),
            ("tab=archived", "Archived members 1–1 of 1 (page 1)."),
            ("role=employee", "Members 1–2 of 2 (page 1)."),
            ("role=employee&hide_disabled=1", "Members 1–1 of 1 (page 1)."),
            ("q=analytical", "Members 1–2 of 2 (page 1)."),
            ("q=analytical&role=admin", "Members 1–1 of 1 (page 1)."),
            ("q=nobody", "Members: none on this page (0 in all)."),
        ] {
            let Page { status, html } = app.page(&format!("/accounts/{account}/team?{query}"), &cookie).await;
            assert_eq!(status, 200, "{query}");
            assert!(html.contains(summary), "{query}: {summary} in {html}");
        }
    })
    .await;
}

async fn csv(app: &TestApp, token: &str, account: Uuid, query: &str) -> (u16, String, String) {
    let res = app
        .client
        .get(app.at(&format!("/api/v1/accounts/{account}/users.csv?{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, ct, res.text().await.unwrap())
}

#[tokio::test]
async fn r_exp_1_csv_neutralises_formulas() {
    each_backend(|app| async move {
        let mut people = sample();
        people.push(person("Eve", "Formula", Some("=HYPERLINK(\"http://x.test\")"), "customer", "active"));
        people.push(person("Mal", "Plus", Some("+1+2"), "customer", "active"));
        people.push(person("Min", "Us", Some("-2"), "customer", "active"));
        people.push(person("At", "Sign", Some("@SUM(A1)"), "customer", "active"));
        people.push(person("Tab", "Char", Some("\tTab"), "customer", "active"));
        let (account, token) = account_with(&app, &people).await;
        let (status, ct, body) = csv(&app, &token, account, "q=example").await;
        assert_eq!(status, 200, "{body}");
        assert!(ct.starts_with("text/csv"), "{ct}");
        let mut lines = body.lines();
        assert_eq!(
            lines.next().unwrap(),
            "email,first_name,last_name,phone,username,company,role,status,last_sign_in_at,created_at"
        );
        assert!(body.contains("'=HYPERLINK"), "{body}");
        assert!(body.contains("'+1+2"), "{body}");
        assert!(body.contains(",'-2,"), "{body}");
        assert!(body.contains("'@SUM(A1)"), "{body}");
        assert!(body.contains("'\tTab"), "{body}");
        for line in body.lines() {
            for cell in line.split(',') {
                let cell = cell.trim_matches('"');
                assert!(!cell.starts_with(['=', '+', '-', '@']), "{line}");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn r_exp_1_needs_users_export() {
    each_backend(|app| async move {
        let (account, owner) = account_with(&app, &sample()).await;
        let employee = app.seed_members(account, "employee", &[("Emma", "Ployee", "emma@example.test")]).await;
        let admin = app.seed_members(account, "admin", &[("Adam", "Admin", "adam@example.test")]).await;
        let emma = app.token(&employee[0].email, Some(account)).await;
        // Emma may see the team (users.view) but not export it.
        let status = list(&app, &emma, account, "").await.status;
        assert_eq!(status, 200);
        let (status, _, body) = csv(&app, &emma, account, "").await;
        assert_eq!(status, 403, "{body}");
        assert!(body.contains("users.export"), "{body}");
        let adam = app.token(&admin[0].email, Some(account)).await;
        assert_eq!(csv(&app, &adam, account, "").await.0, 200);
        assert_eq!(csv(&app, &owner, account, "").await.0, 200);
        // Another account's id is not found.
        let other = app.create_account(&owner, "Elsewhere").await;
        assert_eq!(csv(&app, &adam, other, "").await.0, 404);
        assert_eq!(app.get_json(&format!("/api/v1/accounts/{account}/users.csv"), None).await.status, 401);
    })
    .await;
}

#[tokio::test]
async fn r_exp_1_export_matches_search() {
    each_backend(|app| async move {
        let mut people = sample();
        for i in 0..30 {
            people.push(person(&format!("Gen{i:02}"), "Person", Some("Bulk Co"), "customer", "active"));
        }
        let (account, token) = account_with(&app, &people).await;
        for query in ["", "q=bulk", "q=analytical", "role=employee", "status=archived", "q=gen1&sort=email&order=desc"]
        {
            // Without a sort, an export comes in joining order: the list's `sort=created_at`.
            let order = if query.contains("sort=") { "" } else { "&sort=created_at" };
            let listed = list(&app, &token, account, &format!("{query}{order}&limit=500")).await.body;
            let (status, _, body) = csv(&app, &token, account, query).await;
            assert_eq!(status, 200, "{query}");
            let exported: Vec<String> = body.lines().skip(1).map(|l| l.split(',').next().unwrap().to_owned()).collect();
            assert_eq!(exported, emails(&listed), "{query}");
        }
        let (_, _, body) = csv(&app, &token, account, "").await;
        assert_eq!(body.lines().count(), 1 + 1 + 5 + 30, "header, owner, five listed people, thirty more");
    })
    .await;
}

#[tokio::test]
async fn r_list_1_a_bulk_load_is_searchable_and_later_members_too() {
    each_backend(|app| async move {
        app.operator("owner@example.test").await;
        let token = app.token("owner@example.test", None).await;
        // 600 members in one batch: SQLite indexes them for search in one pass.
        assert_eq!(app.service.demo_fill(Some("bulk"), 600, &|_| {}).await.unwrap(), 600);
        let account = app.db.store.read().await.unwrap().account_by_slug("bulk").await.unwrap().unwrap().id;
        let Answer { status, body: page } = list(&app, &token, account, "limit=1&sort=email").await;
        assert_eq!(status, 200, "{page}");
        let first = emails(&page).remove(0);
        let local = first.split('@').next().unwrap();
        let needle = &local[local.len() - 8..];
        let found = list(&app, &token, account, &format!("q={needle}")).await.body;
        assert!(emails(&found).contains(&first), "{needle} should find {first}: {found}");
        // A member added afterwards, one at a time, is searchable too (the trigger is back).
        app.seed_members(account, "employee", &[("Zebulon", "Quill", "zebulon.quill@example.test")]).await;
        let found = list(&app, &token, account, "q=ebulon").await.body;
        assert_eq!(emails(&found), vec!["zebulon.quill@example.test".to_owned()], "{found}");
        let all = list(&app, &token, account, "limit=500&status=active,disabled,archived").await.body;
        assert!(all["next_cursor"].is_string(), "600 members page on");
    })
    .await;
}

/// Every page of `query`, following the cursors.
async fn all_pages(app: &TestApp, token: &str, account: Uuid, query: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor = String::new();
    loop {
        let Answer { status, body } = list(app, token, account, &format!("{query}{cursor}")).await;
        assert_eq!(status, 200, "{query}: {body}");
        items.extend(body["items"].as_array().unwrap().iter().cloned());
        match body["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => return items,
        }
    }
}

#[tokio::test]
async fn r_list_1_text_search_pages_are_the_filtered_list_in_order() {
    each_backend(|app| async move {
        app.operator("owner@example.test").await;
        let token = app.token("owner@example.test", None).await;
        // 700 generated members in one batch (all statuses, shared surnames and companies).
        app.service.demo_fill(Some("many"), 700, &|_| {}).await.unwrap();
        let account = app.db.store.read().await.unwrap().account_by_slug("many").await.unwrap().unwrap().id;
        let statuses = "&status=active,disabled";
        let everyone = all_pages(&app, &token, account, &format!("limit=200{statuses}")).await;
        let text_of = |m: &Value| {
            let s = |k: &str| m[k].as_str().unwrap_or_default().to_lowercase();
            [format!("{} {}", s("first_name"), s("last_name")), s("email"), s("company")]
        };
        // Text most people have (the walk fills pages), text a few have (the trigram index
        // answers), text under three characters (the walk to the end) and text nobody has.
        for term in ["example", "kowalski", "harbor", "labs 1", "xu", "zzqx"] {
            for (sort, order) in [("name", "asc"), ("name", "desc"), ("email", "asc"), ("company", "desc")] {
                let q = format!("limit=7&sort={sort}&order={order}&q={}{statuses}", term.replace(' ', "%20"));
                let found = all_pages(&app, &token, account, &q).await;
                let found: Vec<&str> = found.iter().map(|m| m["email"].as_str().unwrap()).collect();
                // The whole list in this order, filtered here.
                let ordered =
                    all_pages(&app, &token, account, &format!("limit=200&sort={sort}&order={order}{statuses}")).await;
                let want: Vec<&str> = ordered
                    .iter()
                    .filter(|m| text_of(m).iter().any(|t| t.contains(term)))
                    .map(|m| m["email"].as_str().unwrap())
                    .collect();
                assert_eq!(found, want, "q={term} sort={sort} {order}");
            }
        }
        assert!(everyone.len() > 600, "most of the 700 are active or disabled");
    })
    .await;
}
