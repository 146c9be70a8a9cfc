//! Import members from CSV (`POST /api/v1/accounts/{id}/users/import`): per-row errors, nothing
//! done for a bad row, idempotent by email, dry run, `users.manage`.
use roster_testkit::app::{Answer, TestApp, answer, each_backend};
use uuid::Uuid;

async fn setup(app: &TestApp) -> (Uuid, String) {
    let owner = app.operator("olga@example.test").await;
    let token = app.token(&owner.email, None).await;
    let account = app.create_account(&token, "Import Ltd").await;
    (account, app.token(&owner.email, Some(account)).await)
}

async fn import(app: &TestApp, token: &str, account: Uuid, body: Vec<u8>, dry_run: bool) -> Answer {
    let req = app
        .client
        .post(app.at(&format!("/api/v1/accounts/{account}/users/import?dry_run={dry_run}")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body);
    answer(req).await
}

async fn everyone(app: &TestApp, token: &str, account: Uuid) -> Vec<(String, String)> {
    let body = app
        .get_json(
            &format!("/api/v1/accounts/{account}/users?status=active,disabled,archived&sort=email&limit=500"),
            Some(token),
        )
        .await
        .body;
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["email"].as_str().unwrap().to_owned(), m["role"].as_str().unwrap().to_owned()))
        .collect()
}

async fn audit_count(app: &TestApp, account: Uuid) -> usize {
    let rows = app.db.store.read().await.unwrap().audit_of_account(account, 100_000).await.unwrap();
    rows.iter().filter(|r| r.action.as_str() == "member.imported").count()
}

const GOOD: &str = "Email,First Name,Last_Name,phone,company,role,status\n\
    ada@example.test,Ada,Lovelace,+44 20 7946 0000,Analytical Engines,admin,active\n\
    grace@example.test,Grace,Hopper,,Navy,employee,active\n\
    alan@example.test,Alan,Turing,,'=Bletchley,,active\n";

#[tokio::test]
async fn import_reports_bad_rows_and_changes_nothing_for_them() {
    each_backend(|app| async move {
        let (account, token) = setup(&app).await;
        let long = "x".repeat(10_000);
        let mut body = format!(
            "email,first_name,last_name,role,company\n\
             good@example.test,Good,Row,standard,Fine Co\n\
             not-an-email,Bad,Email,standard,\n\
             role@example.test,Unknown,Role,wizard,\n\
             good@example.test,Twice,Listed,standard,\n\
             formula@example.test,=cmd|' /C calc'!A0,Formula,standard,\n\
             owner-role@example.test,Would,Own,owner,\n\
             long@example.test,{long},Name,standard,\n"
        )
        .into_bytes();
        body.extend_from_slice(b"utf8@example.test,Bad\xff\xfeName,Bytes,standard,\n");
        body.extend_from_slice(b"second@example.test,Second,Good,customer,@Company\n");
        body.extend_from_slice(b"third@example.test,Third,Good,,\n");
        let Answer { status, body: report } = import(&app, &token, account, body, false).await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["rows"], 10, "{report}");
        assert_eq!(report["created"], 2, "{report}");
        assert_eq!(report["failed"], 8, "{report}");
        let errors: Vec<(u64, String)> = report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["line"].as_u64().unwrap(), e["field"].as_str().unwrap().to_owned()))
            .collect();
        for want in [
            (3, "email"),
            (4, "role"),
            (5, "email"),
            (6, "first_name"),
            (7, "role"),
            (8, "first_name"),
            (9, "first_name"),
            (10, "company"),
        ] {
            assert!(errors.contains(&(want.0, want.1.to_owned())), "{want:?} in {report}");
        }
        for e in report["errors"].as_array().unwrap() {
            assert!(!e["reason"].as_str().unwrap().is_empty());
        }
        let members = everyone(&app, &token, account).await;
        let emails: Vec<&str> = members.iter().map(|m| m.0.as_str()).collect();
        assert_eq!(emails, vec!["good@example.test", "olga@example.test", "third@example.test"]);
        assert_eq!(members[2].1, "customer", "no role: the default (R-ROLE-1)");
        // Nothing at all for refused rows: no login either.
        let mut tx = app.db.store.read().await.unwrap();
        for e in ["role@example.test", "formula@example.test", "long@example.test", "utf8@example.test"] {
            assert!(tx.user_by_email(e).await.unwrap().is_none(), "{e}");
        }
        drop(tx);
        assert_eq!(audit_count(&app, account).await, 2);

        // A file without an email column is refused as a whole.
        let Answer { status, body } = import(&app, &token, account, b"name\nAda\n".to_vec(), false).await;
        assert_eq!(status, 422, "{body}");
    })
    .await;
}

#[tokio::test]
async fn import_is_idempotent_by_email() {
    each_backend(|app| async move {
        let (account, token) = setup(&app).await;
        // Someone who already has a login elsewhere is invited, never joined (R-ADD-3).
        let elsewhere = app.create_account(&token, "Elsewhere").await;
        app.seed_members(elsewhere, "standard", &[("Grace", "Brewster", "grace@example.test")]).await;
        let Answer { status, body: first } = import(&app, &token, account, GOOD.as_bytes().to_vec(), false).await;
        assert_eq!(status, 200, "{first}");
        assert_eq!((first["created"].as_u64(), first["invited"].as_u64()), (Some(2), Some(1)), "{first}");
        assert_eq!(first["ignored_columns"], serde_json::json!(["status"]));
        let before = everyone(&app, &token, account).await;
        assert_eq!(before.len(), 3, "{before:?}");
        assert!(!before.iter().any(|(e, _)| e == "grace@example.test"), "not joined: {before:?}");
        let pending = app.get_json(&format!("/api/v1/accounts/{account}/invitations"), Some(&token)).await.body;
        assert_eq!(pending["items"][0]["email"], "grace@example.test", "{pending}");
        assert_eq!(pending["items"][0]["role"], "employee", "{pending}");
        let alan =
            app.get_json(&format!("/api/v1/accounts/{account}/users?q=alan%40example.test"), Some(&token)).await.body;
        assert_eq!(alan["items"][0]["company"], "=Bletchley", "an exported cell's ' is removed");

        // Again: nothing new, nothing duplicated, no second invitation.
        let again = import(&app, &token, account, GOOD.as_bytes().to_vec(), false).await.body;
        assert_eq!(
            (
                again["created"].as_u64(),
                again["invited"].as_u64(),
                again["updated"].as_u64(),
                again["unchanged"].as_u64()
            ),
            (Some(0), Some(1), Some(0), Some(2)),
            "{again}"
        );
        assert_eq!(everyone(&app, &token, account).await, before);
        let pending = app.get_json(&format!("/api/v1/accounts/{account}/invitations"), Some(&token)).await.body;
        assert_eq!(pending["items"].as_array().unwrap().len(), 1, "{pending}");
        // A changed role updates the member.
        let changed = GOOD.replace("Analytical Engines,admin", "Analytical Engines,salesperson");
        let third = import(&app, &token, account, changed.into_bytes(), false).await.body;
        assert_eq!((third["updated"].as_u64(), third["unchanged"].as_u64()), (Some(1), Some(1)), "{third}");
        let after = everyone(&app, &token, account).await;
        assert!(after.contains(&("ada@example.test".to_owned(), "salesperson".to_owned())), "{after:?}");
        assert_eq!(audit_count(&app, account).await, 3);
    })
    .await;
}

#[tokio::test]
async fn import_dry_run_changes_nothing() {
    each_backend(|app| async move {
        let (account, token) = setup(&app).await;
        let Answer { status, body: report } = import(&app, &token, account, GOOD.as_bytes().to_vec(), true).await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["dry_run"], true);
        assert_eq!(report["created"], 3, "{report}");
        assert_eq!(everyone(&app, &token, account).await.len(), 1, "only the owner");
        assert!(app.db.store.read().await.unwrap().user_by_email("ada@example.test").await.unwrap().is_none());
        assert_eq!(audit_count(&app, account).await, 0);
    })
    .await;
}

#[tokio::test]
async fn import_needs_users_manage_and_grants_only_what_the_importer_holds() {
    each_backend(|app| async move {
        let (account, token) = setup(&app).await;
        let people = app.seed_members(account, "employee", &[("Emma", "Ployee", "emma@example.test")]).await;
        let emma = app.token(&people[0].email, Some(account)).await;
        let Answer { status, body } = import(&app, &emma, account, GOOD.as_bytes().to_vec(), false).await;
        assert_eq!(status, 403, "{body}");
        let other = app.create_account(&token, "Elsewhere").await;
        import(&app, &emma, other, GOOD.as_bytes().to_vec(), false).await.assert_status(404);
        assert_eq!(everyone(&app, &token, account).await.len(), 2);
        // The owner's own row cannot change their role.
        let report = import(&app, &token, account, b"email,role\nolga@example.test,admin\n".to_vec(), false).await.body;
        assert_eq!(report["failed"], 1, "{report}");
        assert_eq!(report["errors"][0]["field"], "role", "{report}");
    })
    .await;
}

/// Rows of batches written at once (two on PostgreSQL): every good row lands once, and the
/// listed errors are the file's first 1,000 in line order, whichever batch finished first.
#[tokio::test]
async fn import_in_small_batches_keeps_counts_and_the_first_errors_in_line_order() {
    each_backend(|app| async move {
        let (account, _) = setup(&app).await;
        let mut csv = String::from("email,first_name,last_name,role\n");
        let mut want_errors = Vec::new();
        let mut good = 0u64;
        for i in 0..2_600u64 {
            let line = i + 2;
            match i % 5 {
                // Refused while reading the file.
                0 => {
                    csv.push_str(&format!("bad{i},Bad,Email,standard\n"));
                    want_errors.push((line, "email"));
                }
                // Refused inside its batch (the role is looked up in the account).
                1 => {
                    csv.push_str(&format!("role{i}@example.test,Un,Known,wizard\n"));
                    want_errors.push((line, "role"));
                }
                _ => {
                    csv.push_str(&format!("p{i}@example.test,Person,N{i},employee\n"));
                    good += 1;
                }
            }
        }
        let opts = roster_service::ImportOptions { dry_run: false, batch: 7 };
        let meta = roster_service::Meta::default();
        let seen = std::sync::Mutex::new(Vec::new());
        let report = app
            .service
            .import_members(
                roster_service::Identity::Internal(roster_service::Internal::Cli),
                account,
                csv.as_bytes(),
                opts,
                &meta,
                &|n| seen.lock().unwrap().push(n),
            )
            .await
            .unwrap();
        assert_eq!((report.rows, report.created, report.failed), (2_600, good, 2_600 - good));
        let got: Vec<(u64, &str)> = report.errors.iter().map(|e| (e.line, e.field.as_str())).collect();
        want_errors.truncate(1_000);
        assert_eq!(got, want_errors);
        let seen = seen.into_inner().unwrap();
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "progress only goes forward");
        assert_eq!(seen.last(), Some(&2_600));
        let emails: Vec<String> = (0..2_600).filter(|i| i % 5 >= 2).map(|i| format!("p{i}@example.test")).collect();
        let mut tx = app.db.store.read().await.unwrap();
        let users = tx.users_by_emails(&emails).await.unwrap();
        assert_eq!(users.len() as u64, good);
        let ids: Vec<Uuid> = users.iter().map(|u| u.id).collect();
        assert_eq!(tx.memberships_of_users(account, &ids).await.unwrap().len() as u64, good);
        drop(tx);
        assert_eq!(audit_count(&app, account).await, good as usize);
    })
    .await;
}
