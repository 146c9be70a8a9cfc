//! Time entries on both backends (R-TIME-1): one running timer per member by the database, two
//! members at once; `Reach::Own` and `Reach::OwnAndProjects` reach what they say; the report
//! sums stopped time by member, project and week.
use super::super::*;
use roster_core::{Actor, MembershipFacts, MembershipStatus, Permission, PermissionSet, RoleKind, Scope, TimeUse};
use roster_store::{ProjectRow, StoreError, TimeEntryRow, TimeFilter};

fn time_scope(account_id: Uuid, user_id: Uuid, permissions: &[Permission]) -> Scope {
    let actor = Actor {
        user_id,
        is_operator: false,
        membership: Some(MembershipFacts {
            account_id,
            is_owner: false,
            status: MembershipStatus::Active,
            permissions: PermissionSet::of(permissions),
        }),
    };
    roster_core::time_scope(&actor, account_id, RoleKind::Standard, TimeUse::View).unwrap()
}

fn entry(account_id: Uuid, user: Uuid, project: Option<Uuid>, start: i64, seconds: Option<i64>) -> TimeEntryRow {
    let started_at = time::OffsetDateTime::from_unix_timestamp(start).unwrap();
    TimeEntryRow {
        id: Uuid::now_v7(),
        account_id,
        user_id: user,
        project_id: project,
        contact_id: None,
        note: String::new(),
        source: roster_core::TimeSource::Manual,
        started_at,
        ended_at: seconds.map(|s| started_at + time::Duration::seconds(s)),
        seconds,
        week: roster_service_week(started_at),
        created_by: user,
        created_at: now(),
        updated_at: now(),
    }
}

/// The Monday of the ISO week in UTC (what the service writes).
fn roster_service_week(t: time::OffsetDateTime) -> String {
    let d = t.date();
    (d - time::Duration::days(i64::from(d.weekday().number_days_from_monday()))).to_string()
}

// 2026-03-02T00:00:00Z, a Monday.
const MONDAY: i64 = 1_772_409_600;

#[tokio::test]
async fn r_time_1_one_running_timer_per_member_by_the_database_and_scoped_reads() {
    for_each_backend(|db: TestDb| async move {
        let (account, _owner) = new_account(&db.store, "Time").await;
        let ann = new_member(&db.store, account.id, "employee", "active").await;
        let bob = new_member(&db.store, account.id, "employee", "active").await;
        let all = roster_core::scope::internal(account.id, roster_core::scope::InternalUse::Demo);
        let mut tx = db.store.begin().await.unwrap();
        let project = ProjectRow {
            id: Uuid::now_v7(),
            account_id: account.id,
            name: "Garden".into(),
            contact_id: None,
            status: roster_core::ProjectStatus::Active,
            owner_id: ann.id,
            created_at: now(),
            updated_at: now(),
        };
        tx.insert_project(&all, &project).await.unwrap();
        tx.insert_time_entry(&all, &entry(account.id, ann.id, None, MONDAY, None)).await.unwrap();
        tx.insert_time_entry(&all, &entry(account.id, bob.id, Some(project.id), MONDAY, None)).await.unwrap();
        tx.commit().await.unwrap();
        // A second running timer of Ann's is refused by the unique index.
        let mut tx = db.store.begin().await.unwrap();
        let twice = tx.insert_time_entry(&all, &entry(account.id, ann.id, None, MONDAY + 60, None)).await;
        assert!(matches!(twice, Err(StoreError::Conflict("timer"))), "{twice:?}");
        drop(tx);
        // Stop, then stopped entries: many per member.
        let mut tx = db.store.begin().await.unwrap();
        let stop_at = time::OffsetDateTime::from_unix_timestamp(MONDAY + 5400).unwrap();
        let stopped = tx.stop_timer(&all, ann.id, stop_at).await.unwrap().unwrap();
        assert_eq!(stopped.seconds, Some(5400));
        assert!(tx.stop_timer(&all, ann.id, stop_at).await.unwrap().is_none(), "nothing runs any more");
        tx.insert_time_entry(&all, &entry(account.id, ann.id, Some(project.id), MONDAY + 86_400 * 7, Some(1800)))
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = db.store.read().await.unwrap();
        let anns = time_scope(account.id, ann.id, &[Permission::TimeTrack]);
        let listed = tx.time_entries(&anns, &TimeFilter::default(), None, 50).await.unwrap();
        assert_eq!(listed.len(), 2, "Ann sees her own only");
        assert!(listed.iter().all(|e| e.user_id == ann.id));
        assert!(tx.running_timer(&anns, bob.id).await.unwrap().is_none(), "Bob's timer is not Ann's to see");
        let viewer = time_scope(account.id, Uuid::now_v7(), &[Permission::ProjectsViewAll]);
        let seen = tx.time_entries(&viewer, &TimeFilter::default(), None, 50).await.unwrap();
        assert_eq!(seen.len(), 2, "the project viewer sees the two entries on projects");
        assert!(seen.iter().all(|e| e.project_id == Some(project.id)));
        // Report: stopped time only, by member, project and week, within the range.
        let range = TimeFilter {
            from: Some(time::OffsetDateTime::from_unix_timestamp(MONDAY).unwrap()),
            to: Some(time::OffsetDateTime::from_unix_timestamp(MONDAY + 86_400 * 14).unwrap()),
            ..TimeFilter::default()
        };
        let totals = tx.time_totals(&all, &range).await.unwrap();
        let mut got: Vec<(Uuid, Option<Uuid>, &str, i64)> =
            totals.iter().map(|t| (t.user_id, t.project_id, t.week.as_str(), t.seconds)).collect();
        got.sort_by(|a, b| a.2.cmp(b.2));
        assert_eq!(got, vec![(ann.id, None, "2026-03-02", 5400), (ann.id, Some(project.id), "2026-03-09", 1800)]);
        let first_week =
            TimeFilter { to: Some(time::OffsetDateTime::from_unix_timestamp(MONDAY + 86_400 * 7).unwrap()), ..range };
        assert_eq!(
            tx.time_totals(&viewer, &first_week).await.unwrap().len(),
            0,
            "the viewer has no stopped project time that week"
        );
        // Another account's scope reaches nothing.
        let (other, _) = new_account(&db.store, "Other").await;
        let elsewhere = roster_core::scope::internal(other.id, roster_core::scope::InternalUse::Demo);
        assert!(tx.time_entries(&elsewhere, &TimeFilter::default(), None, 50).await.unwrap().is_empty());
        assert!(tx.time_entry(&elsewhere, stopped.id).await.unwrap().is_none());
    })
    .await;
}
