//! The time entries visibility matrix below HTTP (R-TIME-1): each built-in role × (their own
//! entry, a colleague's entry without a project, a colleague's entry on a project, another
//! account's entry) × (list, get, edit, delete, report, CSV). Admins (owner, admin) see and
//! change every entry; `projects.view_all` holders (standard, salesperson) also see the entries
//! on projects; everyone else their own. Only the author or an admin changes an entry.
use roster_core::role::BuiltinRole;
use roster_core::scope;
use roster_service::{Meta, ServiceError, TimeEntryParams, TimeEntryPatch, TimeReportParams};
use roster_store::{ProjectRow, TimeEntryRow};
use roster_testkit::service::TestService;
use uuid::Uuid;

/// `(role, admin, sees entries on projects)`.
const EXPECTED: [(BuiltinRole, bool, bool); 8] = [
    (BuiltinRole::Owner, true, true),
    (BuiltinRole::Admin, true, true),
    (BuiltinRole::Standard, false, true),
    (BuiltinRole::Salesperson, false, true),
    (BuiltinRole::Employee, false, false),
    (BuiltinRole::Vendor, false, false),
    (BuiltinRole::Customer, false, false),
    (BuiltinRole::Collaborator, false, false),
];

/// 2026-03-02T09:00:00Z.
const START: i64 = 1_772_442_000;

async fn entry(t: &TestService, account: Uuid, user: Uuid, project: Option<Uuid>, seconds: i64) -> Uuid {
    let all = scope::internal(account, scope::InternalUse::Demo);
    let started_at = time::OffsetDateTime::from_unix_timestamp(START).unwrap();
    let row = TimeEntryRow {
        id: Uuid::now_v7(),
        account_id: account,
        user_id: user,
        project_id: project,
        contact_id: None,
        note: String::new(),
        source: roster_core::TimeSource::Manual,
        started_at,
        ended_at: Some(started_at + time::Duration::seconds(seconds)),
        seconds: Some(seconds),
        week: roster_service::week_of(started_at),
        created_by: user,
        created_at: started_at,
        updated_at: started_at,
    };
    let mut tx = t.db.store.begin().await.unwrap();
    tx.insert_time_entry(&all, &row).await.unwrap();
    tx.commit().await.unwrap();
    row.id
}

async fn project(t: &TestService, account: Uuid, owner: Uuid) -> Uuid {
    let all = scope::internal(account, scope::InternalUse::Demo);
    let now = time::OffsetDateTime::now_utc();
    let row = ProjectRow {
        id: Uuid::now_v7(),
        account_id: account,
        name: "Garden".into(),
        contact_id: None,
        status: roster_core::ProjectStatus::Active,
        owner_id: owner,
        created_at: now,
        updated_at: now,
    };
    let mut tx = t.db.store.begin().await.unwrap();
    tx.insert_project(&all, &row).await.unwrap();
    tx.commit().await.unwrap();
    row.id
}

#[tokio::test]
async fn r_time_1_roles_see_own_project_or_every_entry_and_change_own_or_every_entry() {
    TestService::each_backend(|t| async move {
        let owner = t.owner("Matrix").await;
        let meta = Meta::default();
        let other = t.service.create_account(&owner.principal, "Elsewhere", &meta).await.unwrap().id;
        let colleague = t.member_with(&owner, "employee").await;
        let garden = project(&t, owner.account, owner.id).await;
        let week = TimeReportParams {
            from: Some("2026-03-02".into()),
            to: Some("2026-03-08".into()),
            group: Some("member,project".into()),
            ..Default::default()
        };
        for (role, admin, projects) in EXPECTED {
            let actor =
                if role == BuiltinRole::Owner { owner.clone() } else { t.member_with(&owner, role.key()).await };
            let (s, p, a) = (&t.service, &actor.principal, owner.account);
            let cell = role.key();
            // Each round's entries are alone in their week: the round deletes them at its end.
            let own = entry(&t, a, actor.id, None, 60).await;
            let private = entry(&t, a, colleague.id, None, 600).await;
            let on_project = entry(&t, a, colleague.id, Some(garden), 6000).await;
            let foreign = entry(&t, other, owner.id, None, 60_000).await;

            let page = s.list_time_entries(p, a, &TimeEntryParams::default()).await.unwrap();
            let ids: Vec<Uuid> = page.items.iter().map(|e| e.id).collect();
            assert!(ids.contains(&own), "{cell}: own entry");
            assert_eq!(ids.contains(&private), admin, "{cell}: a colleague's entry");
            assert_eq!(ids.contains(&on_project), projects, "{cell}: a colleague's entry on a project");
            assert!(!ids.contains(&foreign), "{cell}: never another account's");

            assert!(s.time_entry(p, a, own).await.is_ok());
            assert_eq!(s.time_entry(p, a, private).await.is_ok(), admin, "{cell}: get");
            assert_eq!(s.time_entry(p, a, on_project).await.is_ok(), projects, "{cell}: get on project");
            assert!(matches!(s.time_entry(p, a, foreign).await, Err(ServiceError::NotFound)));
            // The owner made the other account, so is its owner too; nobody else reaches it.
            let stranger = role != BuiltinRole::Owner;
            assert_eq!(
                matches!(s.time_entry(p, other, foreign).await, Err(ServiceError::NotFound)),
                stranger,
                "{cell}"
            );

            let report = s.time_report(p, a, &week).await.unwrap();
            let want = 60 + if admin { 600 } else { 0 } + if projects { 6000 } else { 0 };
            assert_eq!(report.total_seconds, want, "{cell}: report total");
            let csv = String::from_utf8(s.time_report_csv(p, a, &week).await.unwrap()).unwrap();
            assert_eq!(csv.lines().count(), 2 + report.rows.len(), "{cell}: csv {csv}");
            assert_eq!(matches!(s.time_report(p, other, &week).await, Err(ServiceError::NotFound)), stranger, "{cell}");

            let note = TimeEntryPatch { note: Some("seen".into()), ..Default::default() };
            assert!(s.update_time_entry(p, a, own, &note, &meta).await.is_ok(), "{cell}: edit own");
            assert_eq!(s.update_time_entry(p, a, private, &note, &meta).await.is_ok(), admin, "{cell}: edit");
            assert_eq!(s.update_time_entry(p, a, on_project, &note, &meta).await.is_ok(), admin, "{cell}: edit");
            assert!(matches!(s.update_time_entry(p, a, foreign, &note, &meta).await, Err(ServiceError::NotFound)));

            assert!(matches!(s.delete_time_entry(p, a, foreign, &meta).await, Err(ServiceError::NotFound)));
            assert_eq!(s.delete_time_entry(p, a, on_project, &meta).await.is_ok(), admin, "{cell}: delete");
            assert_eq!(s.delete_time_entry(p, a, private, &meta).await.is_ok(), admin, "{cell}: delete");
            assert!(s.delete_time_entry(p, a, own, &meta).await.is_ok(), "{cell}: delete own");
            // Clean up what the actor could not (the owner is an admin).
            for id in [private, on_project] {
                let _ = s.delete_time_entry(&owner.principal, a, id, &meta).await;
            }
            s.delete_time_entry(&owner.principal, other, foreign, &meta).await.unwrap();
        }
    })
    .await;
}
