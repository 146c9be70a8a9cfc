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

/// Which entries a scope reaches, as the test states it.
type Reaches<'a> = dyn Fn(&TimeEntryRow) -> bool + 'a;

/// The report's sums recomputed from the entries themselves, as the scope reaches them.
fn expected_totals(
    entries: &[TimeEntryRow],
    reach: &Reaches<'_>,
    f: &TimeFilter,
) -> Vec<(Uuid, Option<Uuid>, String, i64, i64)> {
    let mut sums: std::collections::BTreeMap<(Uuid, Option<Uuid>, String), (i64, i64)> = Default::default();
    for e in entries.iter().filter(|e| e.seconds.is_some() && reach(e)) {
        let inside = f.from.is_none_or(|t| e.started_at >= t)
            && f.to.is_none_or(|t| e.started_at < t)
            && f.member.is_none_or(|m| e.user_id == m)
            && f.project.is_none_or(|p| e.project_id == Some(p));
        if inside {
            let s = sums.entry((e.user_id, e.project_id, e.week.clone())).or_default();
            s.0 += e.seconds.unwrap_or(0);
            s.1 += 1;
        }
    }
    sums.into_iter().map(|((u, p, w), (s, n))| (u, p, w, s, n)).collect()
}

#[tokio::test]
async fn r_time_1_the_report_from_the_weekly_rollup_equals_the_entries_after_every_kind_of_write() {
    for_each_backend(|db: TestDb| async move {
        let (account, _owner) = new_account(&db.store, "Rollup").await;
        let ann = new_member(&db.store, account.id, "employee", "active").await;
        let bob = new_member(&db.store, account.id, "employee", "active").await;
        let all = roster_core::scope::internal(account.id, roster_core::scope::InternalUse::Demo);
        let project = |name: &str| ProjectRow {
            id: Uuid::now_v7(),
            account_id: account.id,
            name: name.into(),
            contact_id: None,
            status: roster_core::ProjectStatus::Active,
            owner_id: ann.id,
            created_at: now(),
            updated_at: now(),
        };
        let (garden, roof) = (project("Garden"), project("Roof"));
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_project(&all, &garden).await.unwrap();
        tx.insert_project(&all, &roof).await.unwrap();
        // Six weeks of entries, every 7 hours, round the members and projects (bulk), then a
        // few one by one and two running timers.
        let people = [ann.id, bob.id];
        let projects = [Some(garden.id), Some(roof.id), None];
        let bulk: Vec<TimeEntryRow> = (0..144)
            .map(|i| {
                entry(account.id, people[i % 2], projects[i % 3], MONDAY + 7 * 3600 * i as i64, Some(600 + i as i64))
            })
            .collect();
        tx.insert_time_entries_bulk(&all, &bulk).await.unwrap();
        for i in 0..6 {
            let e = entry(
                account.id,
                people[i % 2],
                projects[(i + 1) % 3],
                MONDAY + 86_400 * 9 + 3600 * i as i64,
                Some(60),
            );
            tx.insert_time_entry(&all, &e).await.unwrap();
        }
        tx.insert_time_entry(&all, &entry(account.id, ann.id, Some(garden.id), MONDAY + 86_400 * 20, None))
            .await
            .unwrap();
        tx.insert_time_entry(&all, &entry(account.id, bob.id, None, MONDAY + 86_400 * 30, None)).await.unwrap();
        tx.commit().await.unwrap();

        // Every kind of write: a timer stopped, entries moved to another week, member's project
        // and length, entries deleted, and a project deleted (its entries keep no project).
        let mut tx = db.store.begin().await.unwrap();
        tx.stop_timer(&all, ann.id, time::OffsetDateTime::from_unix_timestamp(MONDAY + 86_400 * 20 + 4000).unwrap())
            .await
            .unwrap();
        for (i, e) in bulk.iter().enumerate().filter(|(i, _)| i % 10 == 0) {
            let mut moved = e.clone();
            moved.started_at += time::Duration::days(if i % 20 == 0 { 8 } else { -3 });
            moved.seconds = Some(900 + i as i64);
            moved.ended_at = Some(moved.started_at + time::Duration::seconds(900 + i as i64));
            moved.week = roster_service_week(moved.started_at);
            moved.project_id = projects[(i + 1) % 3];
            assert_eq!(tx.update_time_entry(&all, &moved).await.unwrap(), 1);
        }
        for e in bulk.iter().skip(5).step_by(17) {
            assert_eq!(tx.delete_time_entry(&all, e.id).await.unwrap(), 1);
        }
        assert_eq!(tx.delete_project(&all, roof.id).await.unwrap(), 1);
        tx.commit().await.unwrap();

        let mut tx = db.store.read().await.unwrap();
        let entries = tx.time_entries(&all, &TimeFilter::default(), None, 10_000).await.unwrap();
        assert!(entries.len() > 100, "{} entries", entries.len());
        assert!(entries.iter().all(|e| e.project_id != Some(roof.id)), "the deleted project's entries keep none");
        let day =
            |d: i64, h: i64| Some(time::OffsetDateTime::from_unix_timestamp(MONDAY + 86_400 * d + 3600 * h).unwrap());
        let anns = time_scope(account.id, ann.id, &[Permission::TimeTrack]);
        let viewer = time_scope(account.id, bob.id, &[Permission::TimeTrack, Permission::ProjectsViewAll]);
        let scopes: [(&Scope, &Reaches<'_>); 3] = [
            (&all, &|_| true),
            (&anns, &|e| e.user_id == ann.id),
            (&viewer, &|e| e.user_id == bob.id || e.project_id.is_some()),
        ];
        // Ranges: whole weeks, partial weeks at either edge or both, less than a week, none.
        let ranges = [
            (0, 0, 42, 0),
            (2, 0, 30, 0),
            (0, 0, 26, 0),
            (3, 0, 25, 0),
            (1, 0, 5, 0),
            (8, 0, 9, 0),
            (-7, 0, 60, 0),
            (2, 5, 23, 7),
        ];
        for (scope, reach) in scopes {
            for (fd, fh, td, th) in ranges {
                for (member, project) in
                    [(None, None), (Some(bob.id), None), (None, Some(garden.id)), (Some(ann.id), Some(garden.id))]
                {
                    let f = TimeFilter { from: day(fd, fh), to: day(td, th), member, project };
                    let mut got: Vec<_> = tx
                        .time_totals(scope, &f)
                        .await
                        .unwrap()
                        .into_iter()
                        .map(|t| (t.user_id, t.project_id, t.week, t.seconds, t.entries))
                        .collect();
                    got.sort();
                    assert_eq!(
                        got,
                        expected_totals(&entries, reach, &f),
                        "range {fd}d{fh}h..{td}d{th}h {member:?} {project:?}"
                    );
                }
            }
        }
        // Another account's scope reaches none of this account's weeks or edge days.
        let (other, _) = new_account(&db.store, "Elsewhere").await;
        let elsewhere = roster_core::scope::internal(other.id, roster_core::scope::InternalUse::Demo);
        for (fd, fh, td, th) in ranges {
            let f = TimeFilter { from: day(fd, fh), to: day(td, th), ..TimeFilter::default() };
            assert!(tx.time_totals(&elsewhere, &f).await.unwrap().is_empty(), "another account, {fd}..{td}");
        }
    })
    .await;
}
