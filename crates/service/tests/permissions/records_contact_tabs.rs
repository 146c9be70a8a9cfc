//! A contact's to-dos and events tabs below HTTP (R-CON-1 with R-TODO-1 and R-CAL-1, decision
//! 0093): each built-in role × (a contact assigned to them, one assigned to another) × (their own
//! task or event, a colleague's, another account's). The contact must be in the caller's contacts
//! scope (else 404); within it, a colleague's task shows only with `todos.view_all`, a
//! colleague's event only with `calendars.view_all`; another account's never.
use roster_core::role::BuiltinRole;
use roster_core::{ContactKind, ContactStage, scope};
use roster_service::ServiceError;
use roster_store::{CalendarRow, ContactRow, EventRow, TodoListRow, TodoRow};
use roster_testkit::service::TestService;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// `(role, contacts.view_all, todos.view_all, calendars.view_all)`.
const EXPECTED: [(BuiltinRole, bool, bool, bool); 8] = [
    (BuiltinRole::Owner, true, true, true),
    (BuiltinRole::Admin, true, true, true),
    (BuiltinRole::Standard, true, true, true),
    (BuiltinRole::Salesperson, false, true, true),
    (BuiltinRole::Employee, false, false, false),
    (BuiltinRole::Vendor, false, false, false),
    (BuiltinRole::Customer, false, false, false),
    (BuiltinRole::Collaborator, false, false, false),
];

fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1_000 * 1_000).unwrap()
}

/// Writes, through the store in the account's whole scope, a contact assigned to `to`, and for
/// each of `people` a list with a task and a calendar with an event linked to it, titled by
/// `(label, person)`; returns the contact.
async fn seed(t: &TestService, account: Uuid, to: Uuid, people: &[(&str, Uuid)]) -> Uuid {
    let all = scope::internal(account, scope::InternalUse::Demo);
    let at = now();
    let contact = ContactRow {
        id: Uuid::now_v7(),
        account_id: account,
        kind: ContactKind::Client,
        first_name: "Cleo".into(),
        last_name: "Client".into(),
        company: None,
        email: None,
        emails: vec![],
        phones: vec![],
        address: None,
        notes: None,
        stage: ContactStage::New,
        assigned_to: Some(to),
        hidden_from_client_list: false,
        follow_up_on: None,
        member_user_id: None,
        created_at: at,
        updated_at: at,
        tags: vec![],
        assignee_archived: false,
    };
    let mut tx = t.db.store.begin().await.unwrap();
    assert!(tx.insert_contact(&all, &contact).await.unwrap());
    for (label, person) in people {
        let list = TodoListRow {
            id: Uuid::now_v7(),
            account_id: account,
            owner_id: *person,
            name: (*label).into(),
            is_default: false,
            created_at: at,
        };
        tx.insert_todo_list(&all, &list).await.unwrap();
        let task = TodoRow {
            id: Uuid::now_v7(),
            account_id: account,
            list_id: list.id,
            title: (*label).into(),
            due_on: None,
            done: false,
            done_at: None,
            project_id: None,
            contact_id: Some(contact.id),
            assignee_id: None,
            created_by: *person,
            created_at: at,
            updated_at: at,
        };
        assert_eq!(tx.insert_todo(&all, &task).await.unwrap(), 1);
        let cal = CalendarRow {
            id: Uuid::now_v7(),
            account_id: account,
            owner_id: *person,
            name: (*label).into(),
            is_default: false,
            created_at: at,
        };
        assert!(tx.insert_calendar(&all, &cal).await.unwrap());
        let event = EventRow {
            id: Uuid::now_v7(),
            account_id: account,
            calendar_id: cal.id,
            title: (*label).into(),
            starts_at: at + Duration::days(1),
            ends_at: at + Duration::days(1) + Duration::hours(1),
            all_day: false,
            contact_id: Some(contact.id),
            project_id: None,
            created_by: *person,
            created_at: at,
            updated_at: at,
        };
        assert!(tx.insert_event(&all, &event).await.unwrap());
    }
    tx.commit().await.unwrap();
    contact.id
}

#[tokio::test]
async fn r_con_1_contact_tabs_reach_by_role_contacts_then_todos_and_calendars_scopes() {
    TestService::each_backend(|t| async move {
        let owner = t.owner("Matrix").await;
        let colleague = t.member_with(&owner, "employee").await;
        for (role, contacts_all, todos_all, calendars_all) in EXPECTED {
            let actor =
                if role == BuiltinRole::Owner { owner.clone() } else { t.member_with(&owner, role.key()).await };
            let (s, p, a) = (&t.service, &actor.principal, owner.account);
            let cell = role.key();
            let mine = seed(&t, a, actor.id, &[("own", actor.id), ("colleague's", colleague.id)]).await;
            let titles = |v: Vec<String>| {
                let mut v = v;
                v.sort();
                v
            };
            let todos = s.contact_todos(p, a, mine).await.unwrap().into_iter().map(|t| t.title).collect();
            let events = s.contact_events(p, a, mine).await.unwrap().into_iter().map(|e| e.title).collect();
            let want =
                |all: bool| if all { vec!["colleague's".to_owned(), "own".to_owned()] } else { vec!["own".to_owned()] };
            assert_eq!(titles(todos), want(todos_all), "{cell}: to-dos tab");
            assert_eq!(titles(events), want(calendars_all), "{cell}: events tab");

            // A contact assigned to the colleague: reached only with contacts.view_all.
            let theirs = seed(&t, a, colleague.id, &[("colleague's", colleague.id)]).await;
            let got = s.contact_todos(p, a, theirs).await;
            assert_eq!(got.is_ok(), contacts_all, "{cell}: another's contact");
            if !contacts_all {
                assert!(matches!(got, Err(ServiceError::NotFound)), "{cell}: 404, not 403");
                assert!(matches!(s.contact_events(p, a, theirs).await, Err(ServiceError::NotFound)), "{cell}");
            }
        }
        // Another account's contact: 404 for everyone here, the owner too.
        let meta = roster_service::Meta::default();
        let other = t.service.create_account(&owner.principal, "Elsewhere", &meta).await.unwrap().id;
        let foreign = seed(&t, other, owner.id, &[("foreign", owner.id)]).await;
        let p = &colleague.principal;
        assert!(matches!(t.service.contact_todos(p, owner.account, foreign).await, Err(ServiceError::NotFound)));
        assert!(matches!(t.service.contact_events(p, owner.account, foreign).await, Err(ServiceError::NotFound)));
        let own = t.service.contact_todos(&owner.principal, owner.account, foreign).await;
        assert!(matches!(own, Err(ServiceError::NotFound)), "another account's contact, asked for in this one");
    })
    .await;
}
