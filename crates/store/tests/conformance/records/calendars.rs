//! Calendars and events on both backends (R-CAL-1): a `Reach::Own` scope never reaches another
//! member's calendar or event, a default calendar is not deleted, a range is an overlap.
use roster_core::{Actor, MembershipFacts, MembershipStatus, Permission, PermissionSet, Scope};
use roster_store::{CalendarQuery, CalendarRow, EventQuery, EventRow};

use super::super::*;

fn scope_of(account_id: Uuid, user_id: Uuid, view_all: bool) -> Scope {
    let permissions =
        if view_all { PermissionSet::EMPTY.with(Permission::CalendarsViewAll) } else { PermissionSet::EMPTY };
    let actor = Actor {
        user_id,
        is_operator: false,
        membership: Some(MembershipFacts {
            account_id,
            is_owner: false,
            status: MembershipStatus::Active,
            permissions,
        }),
    };
    roster_core::scope(&actor, account_id, roster_core::scope::CALENDARS).unwrap()
}

fn calendar(account_id: Uuid, owner_id: Uuid, name: &str, is_default: bool) -> CalendarRow {
    CalendarRow { id: Uuid::now_v7(), account_id, owner_id, name: name.to_owned(), is_default, created_at: now() }
}

fn event(cal: &CalendarRow, title: &str, starts_at: OffsetDateTime, minutes: i64) -> EventRow {
    EventRow {
        id: Uuid::now_v7(),
        account_id: cal.account_id,
        calendar_id: cal.id,
        title: title.to_owned(),
        starts_at,
        ends_at: starts_at + Duration::minutes(minutes),
        all_day: false,
        contact_id: None,
        project_id: None,
        created_by: cal.owner_id,
        created_at: now(),
        updated_at: now(),
    }
}

fn range(from: OffsetDateTime, to: OffsetDateTime, calendar_id: Option<Uuid>) -> EventQuery {
    EventQuery { from, to, calendar_id, after: None }
}

fn titles(rows: &[EventRow]) -> Vec<&str> {
    rows.iter().map(|e| e.title.as_str()).collect()
}

#[tokio::test]
async fn r_cal_1_an_own_scope_reaches_only_ones_own_calendars_and_events() {
    for_each_backend(|db| async move {
        let (account, owner) = new_account(&db.store, "Calendars").await;
        let (other, stranger) = new_account(&db.store, "Elsewhere").await;
        let mia = new_member(&db.store, account.id, "standard", "active").await;
        let (mine, theirs) = (scope_of(account.id, mia.id, false), scope_of(account.id, owner.id, false));
        let all = scope_of(account.id, mia.id, true);
        let m_cal = calendar(account.id, mia.id, "Mia", true);
        let o_cal = calendar(account.id, owner.id, "Olivia", true);
        let x_cal = calendar(other.id, stranger.id, "Stranger", true);
        let t0 = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let mut tx = db.store.begin().await.unwrap();
        assert!(!tx.insert_calendar(&mine, &o_cal).await.unwrap(), "not for another member");
        assert!(tx.insert_calendar(&mine, &m_cal).await.unwrap());
        assert!(tx.insert_calendar(&theirs, &o_cal).await.unwrap());
        assert!(tx.insert_calendar(&scope_of(other.id, stranger.id, true), &x_cal).await.unwrap());
        let (me1, oe1) = (event(&m_cal, "Mia's", t0, 30), event(&o_cal, "Olivia's", t0, 30));
        assert!(!tx.insert_event(&mine, &oe1).await.unwrap(), "not into another member's calendar");
        assert!(!tx.insert_event(&all, &event(&x_cal, "x", t0, 1)).await.unwrap(), "not into another account");
        assert!(tx.insert_event(&mine, &me1).await.unwrap());
        assert!(tx.insert_event(&theirs, &oe1).await.unwrap());
        tx.commit().await.unwrap();

        let mut r = db.store.read().await.unwrap();
        let cals = r.calendars(&mine, &CalendarQuery::default(), 50).await.unwrap();
        assert_eq!(cals.iter().map(|c| c.calendar.clone()).collect::<Vec<_>>(), vec![m_cal.clone()]);
        assert_eq!(r.calendars(&all, &CalendarQuery::default(), 50).await.unwrap().len(), 2);
        assert!(r.calendar(&mine, o_cal.id).await.unwrap().is_none());
        assert!(r.calendar(&all, x_cal.id).await.unwrap().is_none(), "another account's");
        let q = range(t0 - Duration::days(1), t0 + Duration::days(1), None);
        assert_eq!(titles(&r.events(&mine, &q, 50).await.unwrap()), vec!["Mia's"]);
        let both = r.events(&all, &q, 50).await.unwrap();
        assert_eq!(both.len(), 2);
        let of_olivia = range(q.from, q.to, Some(o_cal.id));
        assert!(r.events(&mine, &of_olivia, 50).await.unwrap().is_empty());
        assert_eq!(titles(&r.events(&all, &of_olivia, 50).await.unwrap()), vec!["Olivia's"]);
        assert!(r.event(&mine, oe1.id).await.unwrap().is_none());
        assert_eq!(r.event(&all, oe1.id).await.unwrap(), Some(oe1.clone()));
        drop(r);

        let mut tx = db.store.begin().await.unwrap();
        assert!(!tx.rename_calendar(&mine, o_cal.id, "Mine now").await.unwrap());
        let moved = EventRow { calendar_id: m_cal.id, ..oe1.clone() };
        assert!(!tx.update_event(&mine, &moved).await.unwrap(), "an unreachable event");
        let stolen = EventRow { calendar_id: o_cal.id, ..me1.clone() };
        assert!(!tx.update_event(&mine, &stolen).await.unwrap(), "into an unreachable calendar");
        assert!(!tx.delete_event(&mine, oe1.id).await.unwrap());
        assert!(!tx.delete_calendar(&mine, o_cal.id).await.unwrap());
        let renamed = EventRow { title: "Renamed".into(), ..me1.clone() };
        assert!(tx.update_event(&mine, &renamed).await.unwrap());
        assert!(tx.rename_calendar(&mine, m_cal.id, "Work").await.unwrap());
        tx.commit().await.unwrap();
        let mut r = db.store.read().await.unwrap();
        assert_eq!(r.event(&mine, me1.id).await.unwrap(), Some(renamed));
        assert_eq!(r.calendar(&mine, m_cal.id).await.unwrap().unwrap().calendar.name, "Work");
    })
    .await;
}

#[tokio::test]
async fn r_cal_1_a_default_calendar_is_not_deleted_another_goes_with_its_events() {
    for_each_backend(|db| async move {
        let (account, owner) = new_account(&db.store, "Calendars").await;
        let me = scope_of(account.id, owner.id, false);
        let default = calendar(account.id, owner.id, "Default", true);
        let extra = calendar(account.id, owner.id, "Extra", false);
        let t0 = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let e = event(&extra, "gone with it", t0, 10);
        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.insert_calendar(&me, &default).await.unwrap());
        assert!(tx.insert_calendar(&me, &extra).await.unwrap());
        assert!(tx.insert_event(&me, &e).await.unwrap());
        assert!(!tx.delete_calendar(&me, default.id).await.unwrap(), "a default calendar stays");
        assert!(tx.delete_calendar(&me, extra.id).await.unwrap());
        tx.commit().await.unwrap();
        let mut r = db.store.read().await.unwrap();
        assert!(r.event(&me, e.id).await.unwrap().is_none());
        assert!(r.calendar(&me, default.id).await.unwrap().is_some());
    })
    .await;
}

#[tokio::test]
async fn r_cal_1_a_range_finds_events_overlapping_it_in_start_order_by_pages() {
    for_each_backend(|db| async move {
        let (account, owner) = new_account(&db.store, "Calendars").await;
        let me = scope_of(account.id, owner.id, false);
        let cal = calendar(account.id, owner.id, "Default", true);
        let from = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let to = from + Duration::days(7);
        let rows = [
            event(&cal, "before", from - Duration::hours(2), 60),
            event(&cal, "ends at from", from - Duration::hours(1), 60),
            event(&cal, "across from", from - Duration::days(3), 4 * 24 * 60),
            event(&cal, "instant at from", from, 0),
            event(&cal, "inside", from + Duration::days(1), 60),
            event(&cal, "inside 2", from + Duration::days(1), 90),
            event(&cal, "at to", to, 60),
        ];
        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.insert_calendar(&me, &cal).await.unwrap());
        for e in &rows {
            assert!(tx.insert_event(&me, e).await.unwrap());
        }
        tx.commit().await.unwrap();
        let mut r = db.store.read().await.unwrap();
        let q = range(from, to, Some(cal.id));
        let found = r.events(&me, &q, 50).await.unwrap();
        assert_eq!(titles(&found), vec!["across from", "instant at from", "inside", "inside 2"]);
        assert_eq!(titles(&r.events(&me, &range(from, to, None), 50).await.unwrap()), titles(&found));
        let first = r.events(&me, &q, 2).await.unwrap();
        let last = first.last().unwrap();
        let next = EventQuery { after: Some((last.starts_at, last.id)), ..q.clone() };
        assert_eq!(titles(&r.events(&me, &next, 2).await.unwrap()), vec!["inside", "inside 2"]);
    })
    .await;
}

/// Decision 0101: an own scope reads each of the member's calendars by its own index and merges
/// the pages: the same events, in the same order and the same page cuts, as the account-wide
/// walk of a `view_all` scope restricted to that member; past 16 calendars the walk is used.
#[tokio::test]
async fn r_cal_1_an_own_scope_over_several_calendars_merges_them_in_start_order_and_pages_alike() {
    for_each_backend(|db| async move {
        let (account, owner) = new_account(&db.store, "Merged").await;
        let mia = new_member(&db.store, account.id, "standard", "active").await;
        let mine = scope_of(account.id, mia.id, false);
        let theirs = scope_of(account.id, owner.id, false);
        let t0 = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        for calendars in [3_usize, 20] {
            let mut tx = db.store.begin().await.unwrap();
            let mut cals = Vec::new();
            for i in 0..calendars {
                let c = calendar(account.id, mia.id, &format!("Mia {calendars}/{i}"), false);
                assert!(tx.insert_calendar(&mine, &c).await.unwrap());
                cals.push(c);
            }
            let o_cal = calendar(account.id, owner.id, &format!("Olivia {calendars}"), false);
            assert!(tx.insert_calendar(&theirs, &o_cal).await.unwrap());
            // Interleaved starts across the calendars, a long one starting before the range,
            // and the owner's events in between (never Mia's).
            let base = t0 + Duration::days(i64::try_from(calendars).unwrap() * 10);
            for k in 0..30_i64 {
                let cal = &cals[usize::try_from(k).unwrap() % calendars];
                assert!(
                    tx.insert_event(
                        &mine,
                        &event(cal, &format!("m{calendars}-{k:02}"), base + Duration::minutes(k * 7), 30)
                    )
                    .await
                    .unwrap()
                );
                assert!(
                    tx.insert_event(&theirs, &event(&o_cal, &format!("o{k}"), base + Duration::minutes(k * 7 + 3), 30))
                        .await
                        .unwrap()
                );
            }
            assert!(
                tx.insert_event(
                    &mine,
                    &event(&cals[1], &format!("m{calendars}-long"), base - Duration::days(2), 3 * 24 * 60)
                )
                .await
                .unwrap()
            );
            tx.commit().await.unwrap();

            let mut r = db.store.read().await.unwrap();
            let mut q = range(base - Duration::hours(1), base + Duration::days(1), None);
            let mut seen: Vec<String> = Vec::new();
            loop {
                let page = r.events(&mine, &q, 7).await.unwrap();
                assert!(page.windows(2).all(|w| (w[0].starts_at, w[0].id) < (w[1].starts_at, w[1].id)), "start order");
                assert!(page.iter().all(|e| e.title.starts_with('m')), "only Mia's");
                seen.extend(page.iter().map(|e| e.title.clone()));
                match page.last() {
                    Some(last) if page.len() == 7 => q.after = Some((last.starts_at, last.id)),
                    _ => break,
                }
            }
            let mut want: Vec<String> = (0..30).map(|k| format!("m{calendars}-{k:02}")).collect();
            want.insert(0, format!("m{calendars}-long"));
            assert_eq!(seen, want, "{calendars} calendars: every event once, in order, across pages");
        }
    })
    .await;
}
