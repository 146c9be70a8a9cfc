//! The bulk writers of `roster demo --projects/--events` on both backends: what they write is
//! what the ordinary queries find (members, tags, ranges, scopes), and the database refuses a
//! member or calendar of another account.
use roster_core::{Actor, MembershipFacts, MembershipStatus, PermissionSet, ProjectStatus, Scope};
use roster_store::{CalendarRow, EventQuery, EventRow, ProjectQuery, SeedEvent, SeedProject};

use super::super::*;

fn own(account_id: Uuid, user_id: Uuid, kind: roster_core::scope::ScopeRule) -> Scope {
    let actor = Actor {
        user_id,
        is_operator: false,
        membership: Some(MembershipFacts {
            account_id,
            is_owner: false,
            status: MembershipStatus::Active,
            permissions: PermissionSet::EMPTY,
        }),
    };
    roster_core::scope(&actor, account_id, kind).unwrap()
}

fn all(account_id: Uuid) -> Scope {
    roster_core::scope::internal(account_id, roster_core::scope::InternalUse::Demo)
}

fn seed_project(owner: Uuid, name: String, members: Vec<Uuid>, tag_ids: Vec<Uuid>) -> SeedProject {
    SeedProject {
        id: Uuid::now_v7(),
        name,
        contact_id: None,
        status: ProjectStatus::Active,
        owner_id: owner,
        members,
        tag_ids,
        created_at: now(),
    }
}

#[tokio::test]
async fn bulk_projects_arrive_with_their_members_and_tags() {
    for_each_backend(|db| async move {
        let (account, owner) = new_account(&db.store, "Bulk projects").await;
        let (other, stranger) = new_account(&db.store, "Elsewhere").await;
        let mia = new_member(&db.store, account.id, "standard", "active").await;
        let scope = all(account.id);
        let mut tx = db.store.begin().await.unwrap();
        let tags = tx.ensure_tags(&scope, &["Web".to_owned(), "Print".to_owned()], now()).await.unwrap();
        let (web, print) = (tags[0].id, tags[1].id);
        let rows: Vec<SeedProject> = (0..30)
            .map(|i| {
                let members = if i < 10 { vec![owner.id, mia.id] } else { vec![owner.id] };
                let tag_ids = if i % 2 == 0 { vec![web, print] } else { vec![] };
                seed_project(owner.id, format!("Project {i:02}"), members, tag_ids)
            })
            .collect();
        assert_eq!(tx.insert_projects_bulk(&scope, &rows).await.unwrap(), 30);
        tx.commit().await.unwrap();

        let mut r = db.store.read().await.unwrap();
        let q = ProjectQuery { member: Some(mia.id), ..ProjectQuery::default() };
        let of_mia = r.search_projects(&scope, &q, 50).await.unwrap();
        let names: Vec<String> = of_mia.iter().map(|(p, _)| p.name.clone()).collect();
        assert_eq!(names, (0..10).map(|i| format!("Project {i:02}")).collect::<Vec<_>>(), "by name");
        assert_eq!(r.count_projects(&scope, &q, 100).await.unwrap(), 10);
        let mine = own(account.id, mia.id, roster_core::scope::PROJECTS);
        assert_eq!(r.search_projects(&mine, &ProjectQuery::default(), 50).await.unwrap().len(), 10);
        let by_tag = ProjectQuery { tag: Some(web), ..ProjectQuery::default() };
        assert_eq!(r.count_projects(&scope, &by_tag, 100).await.unwrap(), 15);
        let both = ProjectQuery { tag: Some(print), member: Some(mia.id), ..ProjectQuery::default() };
        assert_eq!(r.count_projects(&scope, &both, 100).await.unwrap(), 5);
        let first = &rows[0];
        let mut members = r.project_members(&scope, first.id).await.unwrap();
        members.sort();
        let mut expected = first.members.clone();
        expected.sort();
        assert_eq!(members, expected);
        assert_eq!(r.project_tags(&scope, first.id).await.unwrap().len(), 2);
        let stored = r.project(&scope, first.id).await.unwrap().unwrap();
        assert_eq!((stored.name.as_str(), stored.owner_id, stored.account_id), ("Project 00", owner.id, account.id));
        drop(r);

        // A member of another account: the database refuses, nothing is written.
        let mut tx = db.store.begin().await.unwrap();
        let bad = seed_project(owner.id, "Stray".to_owned(), vec![stranger.id], vec![]);
        assert!(tx.insert_projects_bulk(&scope, &[bad]).await.is_err());
        drop(tx);
        let mut r = db.store.read().await.unwrap();
        assert_eq!(r.count_projects(&all(other.id), &ProjectQuery::default(), 100).await.unwrap(), 0);
        assert_eq!(r.count_projects(&scope, &ProjectQuery::default(), 100).await.unwrap(), 30);
    })
    .await;
}

/// "All projects of this person" reads a person's few memberships first and walks the projects
/// for a person in thousands (an admin joins every one, decision 0095): both give the same
/// pages, counts, members and tags.
#[tokio::test]
async fn r_prj_1_projects_of_a_member_of_thousands_page_like_those_of_a_member_of_few() {
    for_each_backend(|db| async move {
        let (account, owner) = new_account(&db.store, "Many projects").await;
        let mia = new_member(&db.store, account.id, "standard", "active").await;
        let scope = all(account.id);
        let mut tx = db.store.begin().await.unwrap();
        let web = tx.ensure_tags(&scope, &["Web".to_owned()], now()).await.unwrap()[0].id;
        // The owner is in all 2,100; Mia in every seventh (300).
        let rows: Vec<SeedProject> = (0..2_100)
            .map(|i| {
                let members = if i % 7 == 0 { vec![owner.id, mia.id] } else { vec![owner.id] };
                let tags = if i % 3 == 0 { vec![web] } else { vec![] };
                seed_project(owner.id, format!("Project {i:04}"), members, tags)
            })
            .collect();
        assert_eq!(tx.insert_projects_bulk(&scope, &rows).await.unwrap(), 2_100);
        tx.commit().await.unwrap();

        let mut r = db.store.read().await.unwrap();
        for (who, expected) in [(owner.id, 2_100usize), (mia.id, 300)] {
            let mut q = ProjectQuery { member: Some(who), ..ProjectQuery::default() };
            assert_eq!(r.count_projects(&scope, &q, 5_000).await.unwrap(), expected as i64);
            let mut names = Vec::new();
            loop {
                let page = r.search_projects(&scope, &q, 400).await.unwrap();
                let ids: Vec<Uuid> = page.iter().map(|(p, _)| p.id).collect();
                let members = r.page_project_members(&scope, &ids).await.unwrap();
                let tags = r.page_project_tags(&scope, &ids).await.unwrap();
                for (p, _) in &page {
                    let n: usize = p.name[8..].parse().unwrap();
                    assert!(members.contains(&(p.id, who)), "{} lists {who}", p.name);
                    assert_eq!(
                        tags.iter().filter(|(t, _)| *t == p.id).count(),
                        usize::from(n.is_multiple_of(3)),
                        "{}",
                        p.name
                    );
                }
                names.extend(page.iter().map(|(p, _)| p.name.clone()));
                match page.last() {
                    Some((_, k)) if page.len() == 400 => q.after = Some(k.clone()),
                    _ => break,
                }
            }
            let step = if who == owner.id { 1 } else { 7 };
            let want: Vec<String> = (0..2_100).step_by(step).map(|i| format!("Project {i:04}")).collect();
            assert_eq!(names.len(), expected);
            assert_eq!(names, want, "in name order, each once");
        }
        // Another account's scope names none of them, whatever ids it is given.
        let (other, _) = new_account(&db.store, "Elsewhere").await;
        let ids: Vec<Uuid> = rows.iter().take(50).map(|p| p.id).collect();
        assert!(r.page_project_members(&all(other.id), &ids).await.unwrap().is_empty());
        assert!(r.page_project_tags(&all(other.id), &ids).await.unwrap().is_empty());
    })
    .await;
}

fn seed_event(cal: &CalendarRow, title: &str, starts_at: OffsetDateTime, minutes: i64) -> SeedEvent {
    SeedEvent {
        id: Uuid::now_v7(),
        calendar_id: cal.id,
        title: title.to_owned(),
        starts_at,
        ends_at: starts_at + Duration::minutes(minutes),
        all_day: false,
        contact_id: None,
        project_id: None,
        created_by: cal.owner_id,
        created_at: now(),
    }
}

/// Every page of `q` in `scope`, `limit` at a time.
async fn every_page(store: &Arc<dyn Store>, scope: &Scope, mut q: EventQuery, limit: i64) -> Vec<EventRow> {
    let mut r = store.read().await.unwrap();
    let mut out: Vec<EventRow> = Vec::new();
    loop {
        let page = r.events(scope, &q, limit).await.unwrap();
        out.extend(page.iter().cloned());
        match page.last() {
            Some(last) if page.len() as i64 == limit => q.after = Some((last.starts_at, last.id)),
            _ => return out,
        }
    }
}

#[tokio::test]
async fn bulk_events_are_found_by_ranges_with_long_ones_that_began_weeks_before() {
    for_each_backend(|db| async move {
        let (account, owner) = new_account(&db.store, "Bulk events").await;
        let (other, stranger) = new_account(&db.store, "Elsewhere").await;
        let mia = new_member(&db.store, account.id, "standard", "active").await;
        let scope = all(account.id);
        let cal = |account_id: Uuid, owner_id: Uuid| CalendarRow {
            id: Uuid::now_v7(),
            account_id,
            owner_id,
            name: "Default".to_owned(),
            is_default: true,
            created_at: now(),
        };
        let (o_cal, m_cal, x_cal) = (cal(account.id, owner.id), cal(account.id, mia.id), cal(other.id, stranger.id));
        let mut tx = db.store.begin().await.unwrap();
        for c in [&o_cal, &m_cal] {
            assert!(tx.insert_calendar(&scope, c).await.unwrap());
        }
        assert!(tx.insert_calendar(&all(other.id), &x_cal).await.unwrap());
        let from = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let to = from + Duration::days(7);
        let mut rows = Vec::new();
        // Short events every five hours from 40 days before to 20 days after, both calendars.
        for i in 0..(60 * 24 / 5) {
            let c = if i % 3 == 0 { &m_cal } else { &o_cal };
            rows.push(seed_event(c, &format!("short {i}"), from - Duration::days(40) + Duration::hours(5 * i), 90));
        }
        rows.push(seed_event(&m_cal, "long, began 20 days before", from - Duration::days(20), 30 * 24 * 60));
        rows.push(seed_event(&m_cal, "long, over before", from - Duration::days(40), 10 * 24 * 60));
        rows.push(seed_event(&o_cal, "all day, the day before", from - Duration::days(1), 24 * 60));
        rows.push(seed_event(&m_cal, "overnight into the range", from - Duration::hours(12), 13 * 60));
        rows.push(seed_event(&o_cal, "a day and a half, into it", from - Duration::hours(30), 31 * 60));
        rows.push(seed_event(&m_cal, "instant at the start", from, 0));
        assert_eq!(tx.insert_events_bulk(&scope, &rows).await.unwrap(), rows.len() as u64);
        tx.commit().await.unwrap();

        let overlap = |e: &SeedEvent| e.starts_at < to && (e.ends_at > from || e.starts_at >= from);
        let expect = |cal: Option<Uuid>| {
            let mut v: Vec<(OffsetDateTime, Uuid)> = rows
                .iter()
                .filter(|e| overlap(e) && cal.is_none_or(|c| c == e.calendar_id))
                .map(|e| (e.starts_at, e.id))
                .collect();
            v.sort();
            v
        };
        let keys = |v: &[EventRow]| v.iter().map(|e| (e.starts_at, e.id)).collect::<Vec<_>>();
        let q = |calendar_id| EventQuery { from, to, calendar_id, after: None };
        for limit in [7, 500] {
            let every = every_page(&db.store, &scope, q(None), limit).await;
            assert_eq!(keys(&every), expect(None), "every calendar, {limit} a page");
            assert!(every.iter().any(|e| e.title == "long, began 20 days before"));
            assert!(every.iter().any(|e| e.title == "a day and a half, into it"));
            assert!(!every.iter().any(|e| e.title == "long, over before" || e.title == "all day, the day before"));
            let mine = own(account.id, mia.id, roster_core::scope::CALENDARS);
            assert_eq!(keys(&every_page(&db.store, &mine, q(None), limit).await), expect(Some(m_cal.id)), "own");
            let one = every_page(&db.store, &scope, q(Some(o_cal.id)), limit).await;
            assert_eq!(keys(&one), expect(Some(o_cal.id)), "one calendar");
            assert!(every_page(&db.store, &mine, q(Some(o_cal.id)), limit).await.is_empty(), "not another's");
        }

        // A calendar of another account: refused, nothing written.
        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.insert_events_bulk(&scope, &[seed_event(&x_cal, "stray", from, 30)]).await.is_err());
        drop(tx);
        assert!(every_page(&db.store, &all(other.id), q(None), 50).await.is_empty());
    })
    .await;
}
