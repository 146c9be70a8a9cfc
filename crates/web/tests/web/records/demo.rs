//! `roster demo` fills every record kind once (issue 16, "Everywhere"), and its bulk flags add
//! projects and events where the benchmarks expect them.
use roster_core::scope::{InternalUse, internal};
use roster_service::DemoRecords;
use roster_store::{CalendarQuery, EventQuery, ProjectQuery, Store};
use roster_testkit::app::each_backend;
use time::{Duration, OffsetDateTime};

/// Every event of the scope overlapping `[from, to)`, page by page.
async fn events_between(
    store: &dyn Store,
    scope: &roster_core::Scope,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> usize {
    let mut r = store.read().await.unwrap();
    let mut q = EventQuery { from, to, calendar_id: None, after: None };
    let mut n = 0;
    loop {
        let page = r.events(scope, &q, 500).await.unwrap();
        n += page.len();
        match page.last() {
            Some(last) if page.len() == 500 => q.after = Some((last.starts_at, last.id)),
            _ => return n,
        }
    }
}

#[tokio::test]
async fn the_demo_makes_projects_todos_and_events_once_and_its_flags_add_more() {
    each_backend(|app| async move {
        app.service.demo().await.unwrap();
        let made = app.service.demo_fill_records().await.unwrap();
        assert_eq!(
            made,
            DemoRecords {
                contacts: 6,
                projects: 6,
                todos: 12,
                events: 13,
                tickets: 3,
                time_entries: 16,
                workflow_templates: 2,
                workflow_runs: 2
            }
        );
        assert_eq!(app.service.demo_fill_records().await.unwrap(), DemoRecords::default(), "a second run adds nothing");

        let demo = app.service.account_id_by_slug("demo").await.unwrap();
        let scope = internal(demo, InternalUse::Demo);
        let store = app.db.store.clone();
        let mut r = store.read().await.unwrap();
        let sales = r.user_by_email("sales@demo.roster.example").await.unwrap().unwrap().id;
        let owner = r.user_by_email("owner@demo.roster.example").await.unwrap().unwrap().id;
        assert_eq!(r.count_projects(&scope, &ProjectQuery::default(), 100).await.unwrap(), 6);
        let of_sales = ProjectQuery { member: Some(sales), ..ProjectQuery::default() };
        assert_eq!(r.count_projects(&scope, &of_sales, 100).await.unwrap(), 3);
        let of_owner = ProjectQuery { member: Some(owner), ..ProjectQuery::default() };
        assert_eq!(r.count_projects(&scope, &of_owner, 100).await.unwrap(), 6, "admins join every project");
        for (p, _) in r.search_projects(&scope, &ProjectQuery::default(), 50).await.unwrap() {
            assert!(p.contact_id.is_some(), "{} has a client", p.name);
            assert!(!r.project_tags(&scope, p.id).await.unwrap().is_empty(), "{} has tags", p.name);
        }
        let lists = r.todo_lists(&scope, Some(sales), None, 10).await.unwrap();
        let list = lists.iter().find(|l| l.is_default).unwrap();
        let tasks = r.todos(&scope, list.id, None, 50).await.unwrap();
        assert_eq!(tasks.len(), 4);
        assert!(tasks.iter().any(|t| t.done) && tasks.iter().any(|t| !t.done));
        assert!(tasks.iter().any(|t| t.contact_id.is_some() && t.project_id.is_some()));
        let cals = r.calendars(&scope, &CalendarQuery { owner_id: Some(sales), after: None }, 10).await.unwrap();
        assert!(cals.iter().any(|c| c.calendar.is_default));
        drop(r);
        let now = OffsetDateTime::now_utc();
        assert_eq!(events_between(&*store, &scope, now - Duration::days(8), now + Duration::days(15)).await, 13);

        // The bulk flags: the salesperson joins the first 100 projects; events land over a year.
        assert_eq!(app.service.demo_fill_projects(None, 150, &|_| {}).await.unwrap(), 150);
        let mut r = store.read().await.unwrap();
        assert_eq!(r.count_projects(&scope, &of_sales, 1000).await.unwrap(), 103);
        assert_eq!(r.count_projects(&scope, &of_owner, 1000).await.unwrap(), 156);
        drop(r);
        assert_eq!(app.service.demo_fill_events(None, 600, &|_| {}).await.unwrap(), 600);
        let year = events_between(&*store, &scope, now - Duration::days(200), now + Duration::days(200)).await;
        assert_eq!(year, 613);

        // R-TKT-1: three tickets with threads, then `--tickets` numbered after them.
        let mut r = store.read().await.unwrap();
        let few = r.list_tickets(&scope, &roster_store::TicketQuery::default(), 10).await.unwrap();
        assert_eq!(few.iter().map(|t| t.number).collect::<Vec<_>>(), vec![1, 2, 3]);
        for t in &few {
            assert!(!r.ticket_messages(&scope, t.id, 10).await.unwrap().is_empty(), "#{} has a thread", t.number);
        }
        drop(r);
        assert_eq!(app.service.demo_fill_tickets(None, 250, &|_| {}).await.unwrap(), 250);
        let mut r = store.read().await.unwrap();
        let all = roster_store::TicketFilter::default();
        assert_eq!(r.count_tickets(&scope, &all, 1000).await.unwrap(), 253);
        let desc = roster_store::TicketQuery { descending: true, ..Default::default() };
        let newest = r.list_tickets(&scope, &desc, 1).await.unwrap();
        assert_eq!(newest[0].number, 253, "numbers go on without a gap");
    })
    .await;
}
