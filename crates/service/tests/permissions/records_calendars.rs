//! The calendars visibility matrix below HTTP (R-CAL-1): roles × (own, another member's, another
//! account's) × (list, get, edit, delete) on both backends. `calendars.view_all` shows every
//! member's calendar but changes only one's own (decision 0086).
use roster_service::{CalendarPatch, EventInput, EventListParams, Meta, NewCalendar, ServiceError};
use roster_testkit::service::{ServiceUser, TestService};
use uuid::Uuid;

const ROLES: [(&str, bool); 8] = [
    ("owner", true),
    ("admin", true),
    ("standard", true),
    ("salesperson", true),
    ("employee", false),
    ("vendor", false),
    ("customer", false),
    ("collaborator", false),
];

fn event_at(day: &str, title: &str) -> EventInput {
    EventInput {
        title: Some(title.into()),
        starts_at: Some(format!("{day}T09:00:00Z")),
        ends_at: Some(format!("{day}T10:00:00Z")),
        ..EventInput::default()
    }
}

/// A calendar and one event of `who`'s; their ids.
async fn stock(t: &TestService, who: &ServiceUser, name: &str) -> (Uuid, Uuid) {
    let meta = Meta::default();
    let cal = t
        .service
        .create_calendar(&who.principal, who.account, &NewCalendar { name: name.into() }, &meta)
        .await
        .unwrap();
    let mut input = event_at("2030-03-04", name);
    input.calendar_id = Some(cal.id.to_string());
    let ev = t.service.create_event(&who.principal, who.account, &input, &meta).await.unwrap();
    (cal.id, ev.id)
}

fn week() -> EventListParams {
    EventListParams { from: Some("2030-03-01".into()), to: Some("2030-03-08".into()), ..Default::default() }
}

fn code(e: ServiceError) -> &'static str {
    match e {
        ServiceError::NotFound => "404",
        ServiceError::Rule { .. } | ServiceError::Forbidden(_) => "403",
        ServiceError::Conflict { .. } => "409",
        other => panic!("unexpected {other}"),
    }
}

#[tokio::test]
async fn r_cal_1_each_role_sees_and_changes_calendars_as_its_reach_says() {
    TestService::each_backend(|t| async move {
        let meta = Meta::default();
        let owner = t.owner("Acme").await;
        let other_owner = {
            // Another account: a second operator-made account is not offered by the kit; a member
            // of this account elsewhere is enough to stand for "another account's" records.
            let acc = t.service.create_account(&owner.principal, "Elsewhere", &meta).await.unwrap().id;
            ServiceUser { account: acc, principal: t.principal(&owner.email, Some(acc)).await, ..owner.clone() }
        };
        let (x_cal, x_ev) = stock(&t, &other_owner, "Elsewhere").await;
        let sam = t.member_with(&owner, "standard").await;
        let (s_cal, s_ev) = stock(&t, &sam, "Sam's").await;
        for (role, view_all) in ROLES {
            let who = if role == "owner" { owner.clone() } else { t.member_with(&owner, role).await };
            let (a, p) = (who.account, &who.principal);
            let (cal, ev) = stock(&t, &who, role).await;
            // Own: list, get, edit, delete.
            let list = t.service.events(p, a, &week()).await.unwrap();
            assert!(list.items.iter().any(|e| e.id == ev), "{role}: own event listed");
            assert_eq!(list.items.iter().any(|e| e.id == s_ev), view_all, "{role}: another member's event listed?");
            assert!(!list.items.iter().any(|e| e.id == x_ev), "{role}: never another account's");
            let cals = t.service.calendars(p, a, None, None, None).await.unwrap();
            assert_eq!(cals.items.iter().any(|c| c.id == s_cal), view_all, "{role}: calendars");
            assert!(!cals.items.iter().any(|c| c.id == x_cal), "{role}");
            t.service.event(p, a, &ev.to_string()).await.unwrap();
            let patch = EventInput { title: Some("moved".into()), ..EventInput::default() };
            assert_eq!(t.service.update_event(p, a, &ev.to_string(), &patch, &meta).await.unwrap().title, "moved");
            let rename = CalendarPatch { name: Some(format!("{role} renamed")) };
            t.service.rename_calendar(p, a, &cal.to_string(), &rename, &meta).await.unwrap();
            t.service.delete_event(p, a, &ev.to_string(), &meta).await.unwrap();
            // R-JOIN-1 made each member a default calendar: it stays; another of theirs goes.
            let cals = t.service.calendars(p, a, None, None, None).await.unwrap();
            let default = cals.items.iter().find(|c| c.owner_id == who.id && c.is_default).expect("a default calendar");
            assert_ne!(default.id, cal, "{role}: the calendar made here is not the default");
            assert_eq!(
                code(t.service.delete_calendar(p, a, &default.id.to_string(), &meta).await.unwrap_err()),
                "409",
                "{role}"
            );
            t.service.delete_calendar(p, a, &cal.to_string(), &meta).await.unwrap();

            // Another member's: seen with view_all (403 on change), not found without.
            let (see, change) = if view_all { (true, "403") } else { (false, "404") };
            assert_eq!(t.service.event(p, a, &s_ev.to_string()).await.is_ok(), see, "{role}");
            assert_eq!(t.service.calendar(p, a, &s_cal.to_string()).await.is_ok(), see, "{role}");
            let e = t.service.update_event(p, a, &s_ev.to_string(), &patch, &meta).await.unwrap_err();
            assert_eq!(code(e), change, "{role}: edit another's event");
            let e = t.service.delete_event(p, a, &s_ev.to_string(), &meta).await.unwrap_err();
            assert_eq!(code(e), change, "{role}: delete another's event");
            let e = t.service.rename_calendar(p, a, &s_cal.to_string(), &rename, &meta).await.unwrap_err();
            assert_eq!(code(e), change, "{role}: rename another's calendar");
            let e = t.service.delete_calendar(p, a, &s_cal.to_string(), &meta).await.unwrap_err();
            assert_eq!(code(e), change, "{role}: delete another's calendar");
            let mut into = event_at("2030-03-05", "intrusion");
            into.calendar_id = Some(s_cal.to_string());
            let e = t.service.create_event(p, a, &into, &meta).await.unwrap_err();
            assert!(matches!(e, ServiceError::Rule { .. } | ServiceError::Invalid(_)), "{role}: {e}");

            // Another account's: not found, whatever the role.
            for e in [
                t.service.event(p, a, &x_ev.to_string()).await.map(|_| ()),
                t.service.calendar(p, a, &x_cal.to_string()).await.map(|_| ()),
                t.service.update_event(p, a, &x_ev.to_string(), &patch, &meta).await.map(|_| ()),
                t.service.delete_event(p, a, &x_ev.to_string(), &meta).await,
                t.service.rename_calendar(p, a, &x_cal.to_string(), &rename, &meta).await.map(|_| ()),
                t.service.delete_calendar(p, a, &x_cal.to_string(), &meta).await,
            ] {
                assert_eq!(code(e.unwrap_err()), "404", "{role}: another account's");
            }
        }
        // Sam's event is still there, untouched.
        assert_eq!(t.service.event(&sam.principal, sam.account, &s_ev.to_string()).await.unwrap().title, "Sam's");
    })
    .await;
}

/// R-MAIL-5: two job runners at once queue one reminder per member per local day; a member with
/// nothing to say gets a claim and no email; before 07:00 local nothing happens.
#[tokio::test]
async fn r_mail_5_two_runners_at_once_queue_one_daily_reminder() {
    TestService::each_backend(|t| async move {
        let meta = Meta::default();
        let owner = t.owner("Acme").await;
        let emp = t.member_with(&owner, "employee").await;
        let on = roster_service::PreferencesPatch { daily_reminders: Some(true), ..Default::default() };
        for who in [&owner, &emp] {
            let patch = roster_service::MemberPatch { preferences: Some(on.clone()), ..Default::default() };
            t.service.update_member(&owner.principal, owner.account, who.id, &patch, &meta).await.unwrap();
        }
        t.service
            .create_event(&emp.principal, emp.account, &event_at("2030-03-04", "Site visit"), &meta)
            .await
            .unwrap();
        // Account mail needs the owner's proved address (R-AUTH-8).
        let mut tx = t.db.store.begin().await.unwrap();
        assert!(tx.mark_email_verified(owner.id, time::OffsetDateTime::now_utc()).await.unwrap());
        tx.commit().await.unwrap();
        let early = time::macros::datetime!(2030-03-04 06:59 UTC);
        assert_eq!(t.service.run_daily_reminders(early).await.unwrap(), roster_service::ReminderRun::default());
        let now = time::macros::datetime!(2030-03-04 07:30 UTC);
        let (a, b) = tokio::join!(t.service.run_daily_reminders(now), t.service.run_daily_reminders(now));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.sent + b.sent, 1, "one email for the employee: {a:?} {b:?}");
        assert_eq!(a.empty + b.empty, 1, "the owner had nothing: a claim, no email");
        let again = t.service.run_daily_reminders(now + time::Duration::hours(3)).await.unwrap();
        assert_eq!(again, roster_service::ReminderRun::default(), "once per day");
        let next_day = t.service.run_daily_reminders(now + time::Duration::days(1)).await.unwrap();
        assert_eq!(next_day.sent, 0, "no event that day");
        let mut r = t.db.store.read().await.unwrap();
        let outbox = r.emails_of_account(owner.account, None, 50).await.unwrap();
        let reminders: Vec<_> = outbox.iter().filter(|e| e.template == "daily_reminder").collect();
        assert_eq!(reminders.len(), 1);
        assert_eq!(reminders[0].to_addr, emp.email);
        assert!(reminders[0].text_body.contains("09:00–10:00 Site visit"), "{}", reminders[0].text_body);
    })
    .await;
}
