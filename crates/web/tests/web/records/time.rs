//! Time tracking through HTTP (R-TIME-1): one running timer per member (two members at once),
//! 409 naming the running one or an explicit switch, manual entries checked, visibility (author,
//! `projects.view_all` for entries on projects, admins), edits by author or admin, the report's
//! totals and its CSV.
use reqwest::Method;
use roster_testkit::app::{TestApp, TestUser, each_backend};
use serde_json::{Value, json};
use uuid::Uuid;

async fn project_with(app: &TestApp, owner: &TestUser, members: &[Uuid]) -> Uuid {
    let base = format!("/api/v1/accounts/{}", owner.account());
    let made = app.post_json(&format!("{base}/projects"), Some(owner.bearer()), &json!({ "name": "Garden" })).await;
    made.assert_status(201);
    let id = made.id();
    app.send(Method::PUT, &format!("{base}/projects/{id}/members"), owner.bearer(), Some(json!(members)))
        .await
        .assert_status(200);
    id
}

async fn manual(app: &TestApp, who: &TestUser, start: &str, minutes: i64, project: Option<Uuid>) -> Uuid {
    let body = json!({ "started_at": start, "minutes": minutes, "project_id": project, "note": "work" });
    let made =
        app.post_json(&format!("/api/v1/accounts/{}/time-entries", who.account()), Some(who.bearer()), &body).await;
    made.assert_status(201);
    made.id()
}

async fn csv(app: &TestApp, path: &str, token: &str) -> (u16, String) {
    let r = reqwest::Client::new().get(app.at(path)).bearer_auth(token).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn r_time_1_two_members_time_at_once_and_one_member_races_to_one_409() {
    each_backend(|app| async move {
        let owner = app.owner("Studio").await;
        let a = owner.account();
        let ann = app.member_with(&owner, "employee").await;
        let bob = app.member_with(&owner, "employee").await;
        let start = format!("/api/v1/accounts/{a}/timers/start");
        let body = json!({ "note": "on it" });
        let (x, y) = tokio::join!(
            app.post_json(&start, Some(ann.bearer()), &body),
            app.post_json(&start, Some(bob.bearer()), &body)
        );
        x.assert_status(200);
        y.assert_status(200);
        // One member, two starts at once: one 200, one 409 naming the running one.
        let carl = app.member_with(&owner, "employee").await;
        let (x, y) = tokio::join!(
            app.post_json(&start, Some(carl.bearer()), &body),
            app.post_json(&start, Some(carl.bearer()), &body)
        );
        let mut statuses = [x.status, y.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{x} / {y}");
        let refused = if x.status == 409 { &x } else { &y };
        assert_eq!(refused.code(), Some("timer_running"));
        assert_eq!(refused.rule(), Some("R-TIME-1"));
        // Each has exactly one running timer.
        for who in [&ann, &bob, &carl] {
            let current = app.get_json(&format!("/api/v1/accounts/{a}/timers/current"), Some(who.bearer())).await;
            current.assert_status(200);
            assert_eq!(current["timer"]["running"], true, "{current}");
            assert_eq!(current["timer"]["user_id"], who.id.to_string());
        }
    })
    .await;
}

#[tokio::test]
async fn r_time_1_a_second_start_is_409_naming_the_running_one_unless_switch() {
    each_backend(|app| async move {
        let owner = app.owner("Studio").await;
        let a = owner.account();
        let ann = app.member_with(&owner, "employee").await;
        let project = project_with(&app, &owner, &[ann.id]).await;
        let base = format!("/api/v1/accounts/{a}");
        let first =
            app.post_json(&format!("{base}/timers/start"), Some(ann.bearer()), &json!({ "project_id": project })).await;
        first.assert_status(200);
        let first_id = first["timer"]["id"].as_str().unwrap().to_owned();
        assert_eq!(first["stopped"], Value::Null);
        let again = app.post_json(&format!("{base}/timers/start"), Some(ann.bearer()), &json!({})).await;
        again.assert_status(409);
        assert_eq!(again.code(), Some("timer_running"));
        let detail = again["detail"].as_str().unwrap();
        assert!(detail.contains(&first_id) && detail.contains(&project.to_string()), "{detail}");
        // Nothing stopped silently.
        let current = app.get_json(&format!("{base}/timers/current"), Some(ann.bearer())).await;
        assert_eq!(current["timer"]["id"], first_id.as_str());
        // Switch: the running one stops, the new one starts, in one answer.
        let switched = app
            .post_json(&format!("{base}/timers/start"), Some(ann.bearer()), &json!({ "switch": true, "note": "next" }))
            .await;
        switched.assert_status(200);
        assert_eq!(switched["stopped"]["id"], first_id.as_str());
        assert_eq!(switched["stopped"]["running"], false);
        assert_eq!(switched["timer"]["running"], true);
        let stopped = app.post_json(&format!("{base}/timers/stop"), Some(ann.bearer()), &json!({})).await;
        stopped.assert_status(200);
        assert_eq!(stopped["id"], switched["timer"]["id"]);
        assert!(stopped["seconds"].as_i64().unwrap() >= 0);
        app.post_json(&format!("{base}/timers/stop"), Some(ann.bearer()), &json!({})).await.assert_status(404);
        let current = app.get_json(&format!("{base}/timers/current"), Some(ann.bearer())).await;
        assert_eq!(current["timer"], Value::Null);
        // Without time.track: 403.
        let customer = app.member_with(&owner, "customer").await;
        let no = app.post_json(&format!("{base}/timers/start"), Some(customer.bearer()), &json!({})).await;
        no.assert_status(403);
        // The audit log has start, switch and stops.
        let audit = app.get_json(&format!("{base}/audit?limit=50"), Some(owner.bearer())).await;
        let actions: Vec<&str> = audit.items().iter().filter_map(|e| e["action"].as_str()).collect();
        for want in ["timer.started", "timer.switched", "timer.stopped"] {
            assert!(actions.contains(&want), "{want} in {actions:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn r_time_1_manual_entries_are_checked_and_name_the_field() {
    each_backend(|app| async move {
        let owner = app.owner("Studio").await;
        let a = owner.account();
        let ann = app.member_with(&owner, "employee").await;
        let hidden = project_with(&app, &owner, &[]).await;
        let path = format!("/api/v1/accounts/{a}/time-entries");
        for (body, field) in [
            (json!({ "started_at": "yesterday", "minutes": 5 }), "started_at"),
            (json!({ "started_at": "2026-03-02T09:00:00Z" }), "ended_at"),
            (json!({ "started_at": "2026-03-02T09:00:00Z", "ended_at": "2026-03-02T08:00:00Z" }), "ended_at"),
            (json!({ "started_at": "2026-03-02T09:00:00Z", "ended_at": "2026-03-03T09:00:01Z" }), "ended_at"),
            (json!({ "started_at": "2026-03-02T09:00:00Z", "minutes": 0 }), "minutes"),
            (json!({ "started_at": "2026-03-02T09:00:00Z", "minutes": 1441 }), "minutes"),
            (json!({ "started_at": "2026-03-02T09:00:00Z", "minutes": 5, "note": "x".repeat(2001) }), "note"),
            (json!({ "started_at": "2026-03-02T09:00:00Z", "minutes": 5, "project_id": hidden }), "project_id"),
            (json!({ "started_at": "2026-03-02T09:00:00Z", "minutes": 5, "contact_id": Uuid::now_v7() }), "contact_id"),
        ] {
            let answer = app.post_json(&path, Some(ann.bearer()), &body).await;
            answer.assert_status(422);
            let fields: Vec<&str> =
                answer["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
            assert!(fields.contains(&field), "{body} → {answer}");
        }
        let ok = app
            .post_json(
                &path,
                Some(ann.bearer()),
                &json!({ "started_at": "2026-03-02T09:00:00+02:00", "ended_at": "2026-03-02T10:30:00+02:00" }),
            )
            .await;
        ok.assert_status(201);
        assert_eq!(ok["seconds"], 5400);
        assert_eq!(ok["source"], "manual");
        assert_eq!(ok["week"], "2026-03-02");
        assert_eq!(ok["started_at"], "2026-03-02T07:00:00Z");
        let bad = app.get_json(&format!("{path}?from=2026-13-01"), Some(ann.bearer())).await;
        bad.assert_status(422);
        let bad = app.get_json(&format!("/api/v1/accounts/{a}/time-report?group=colour"), Some(ann.bearer())).await;
        bad.assert_status(422);
    })
    .await;
}

#[tokio::test]
async fn r_time_1_entries_are_seen_by_author_project_viewers_and_admins_and_changed_by_author_or_admin() {
    each_backend(|app| async move {
        let owner = app.owner("Studio").await;
        let a = owner.account();
        let ann = app.member_with(&owner, "employee").await;
        let eve = app.member_with(&owner, "employee").await;
        let sam = app.member_with(&owner, "standard").await; // projects.view_all, not an admin
        let ada = app.member_with(&owner, "admin").await;
        let project = project_with(&app, &owner, &[ann.id]).await;
        let on_project = manual(&app, &ann, "2026-03-02T09:00:00Z", 60, Some(project)).await;
        let private = manual(&app, &ann, "2026-03-03T09:00:00Z", 30, None).await;
        let base = format!("/api/v1/accounts/{a}");
        // (viewer, sees the project entry, sees the private entry, may edit)
        let matrix: [(&TestUser, bool, bool, bool); 5] = [
            (&ann, true, true, true),
            (&eve, false, false, false),
            (&sam, true, false, false),
            (&ada, true, true, true),
            (&owner, true, true, true),
        ];
        for (who, sees_project, sees_private, edits) in matrix {
            let list = app.get_json(&format!("{base}/time-entries"), Some(who.bearer())).await;
            list.assert_status(200);
            let ids: Vec<&str> = list.items().iter().filter_map(|e| e["id"].as_str()).collect();
            assert_eq!(ids.contains(&on_project.to_string().as_str()), sees_project, "{} list {ids:?}", who.email);
            assert_eq!(ids.contains(&private.to_string().as_str()), sees_private, "{} list", who.email);
            let get = app.get_json(&format!("{base}/time-entries/{private}"), Some(who.bearer())).await;
            assert_eq!(get.status, if sees_private { 200 } else { 404 }, "{} get {get}", who.email);
            let report = app
                .get_json(&format!("{base}/time-report?from=2026-03-01&to=2026-03-08&group=member"), Some(who.bearer()))
                .await;
            report.assert_status(200);
            let want = i64::from(sees_project) * 3600 + i64::from(sees_private) * 1800;
            assert_eq!(report["total_seconds"], want, "{} report {report}", who.email);
            let (status, text) =
                csv(&app, &format!("{base}/time-report.csv?from=2026-03-01&to=2026-03-08"), who.bearer()).await;
            assert_eq!(status, 200);
            assert_eq!(text.lines().count(), 1 + usize::from(sees_project) + usize::from(sees_private) + 1, "{text}");
            let patch = app
                .send(
                    Method::PATCH,
                    &format!("{base}/time-entries/{on_project}"),
                    who.bearer(),
                    Some(json!({ "note": "seen" })),
                )
                .await;
            assert_eq!(patch.status, if edits { 200 } else { 404 }, "{} patch {patch}", who.email);
        }
        // Deletion: not by a project viewer, yes by an admin.
        app.send(Method::DELETE, &format!("{base}/time-entries/{on_project}"), sam.bearer(), None)
            .await
            .assert_status(404);
        app.send(Method::DELETE, &format!("{base}/time-entries/{on_project}"), ada.bearer(), None)
            .await
            .assert_status(204);
        app.send(Method::DELETE, &format!("{base}/time-entries/{private}"), ann.bearer(), None)
            .await
            .assert_status(204);
        let left = app.get_json(&format!("{base}/time-entries"), Some(owner.bearer())).await;
        assert!(left.items().is_empty(), "{left}");
        // Another account's member: 404 on every route.
        let elsewhere = app.create_account(owner.bearer(), "Elsewhere").await;
        let seeded = app.seed_members(elsewhere, "admin", &[("Eve", "Else", "eve-else@example.test")]).await.remove(0);
        let stranger = app.sign_in(&seeded, Some(elsewhere)).await;
        let e = manual(&app, &stranger, "2026-03-02T09:00:00Z", 10, None).await;
        app.get_json(&format!("{base}/time-entries"), Some(stranger.bearer())).await.assert_status(404);
        app.get_json(&format!("/api/v1/accounts/{elsewhere}/time-entries/{e}"), Some(ann.bearer()))
            .await
            .assert_status(404);
        app.get_json(&format!("{base}/time-report"), Some(stranger.bearer())).await.assert_status(404);
    })
    .await;
}

#[tokio::test]
async fn r_time_1_report_totals_by_member_project_and_week_with_a_neutralised_csv() {
    each_backend(|app| async move {
        let owner = app.owner("Studio").await;
        let a = owner.account();
        let ann = app.member_with(&owner, "employee").await;
        let sam = app.member_with(&owner, "standard").await;
        let project = project_with(&app, &owner, &[ann.id, sam.id]).await;
        manual(&app, &ann, "2026-03-02T09:00:00Z", 90, Some(project)).await;
        manual(&app, &ann, "2026-03-03T10:00:00Z", 30, None).await;
        manual(&app, &ann, "2026-03-10T09:00:00Z", 60, Some(project)).await;
        manual(&app, &sam, "2026-03-02T09:00:00Z", 120, Some(project)).await;
        // Outside the range: not counted.
        manual(&app, &sam, "2026-03-16T09:00:00Z", 600, Some(project)).await;
        let base = format!("/api/v1/accounts/{a}");
        let r = app.get_json(&format!("{base}/time-report?from=2026-03-01&to=2026-03-15"), Some(owner.bearer())).await;
        r.assert_status(200);
        assert_eq!(r["total_seconds"], 18000);
        assert_eq!(r["group"], json!(["member", "project", "week"]));
        let weeks: Vec<(String, i64)> = r["weeks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| (w["week"].as_str().unwrap().to_owned(), w["seconds"].as_i64().unwrap()))
            .collect();
        assert_eq!(
            weeks,
            vec![("2026-02-23".to_owned(), 0), ("2026-03-02".to_owned(), 14400), ("2026-03-09".to_owned(), 3600)]
        );
        assert_eq!(r["rows"].as_array().unwrap().len(), 4, "{r}");
        let by_project = app
            .get_json(&format!("{base}/time-report?from=2026-03-01&to=2026-03-15&group=project"), Some(owner.bearer()))
            .await;
        let rows: Vec<(Value, i64)> = by_project["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| (row["project_name"].clone(), row["seconds"].as_i64().unwrap()))
            .collect();
        assert!(rows.contains(&(json!("Garden"), 16200)) && rows.contains(&(json!("(no project)"), 1800)), "{rows:?}");
        let by_member = app
            .get_json(
                &format!("{base}/time-report?from=2026-03-01&to=2026-03-15&group=member&member={}", sam.id),
                Some(owner.bearer()),
            )
            .await;
        assert_eq!(by_member["total_seconds"], 7200);
        // CSV: header, rows, total; a formula-looking project name is neutralised.
        app.send(
            Method::PATCH,
            &format!("{base}/projects/{project}"),
            owner.bearer(),
            Some(json!({ "name": "=SUM(A1)" })),
        )
        .await
        .assert_status(200);
        let (status, text) =
            csv(&app, &format!("{base}/time-report.csv?from=2026-03-01&to=2026-03-15&group=project"), owner.bearer())
                .await;
        assert_eq!(status, 200);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "project_id,project,hours,entries");
        assert!(lines.iter().any(|l| l.ends_with(",'=SUM(A1),4.50,3")), "{text}");
        assert_eq!(*lines.last().unwrap(), "total,,5.00,4");
    })
    .await;
}
