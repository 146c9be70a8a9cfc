//! A contact's to-dos and events on both backends (R-CON-1 tabs, decision 0093): each through
//! its own kind's scope (a list's or a calendar's owner), never another account's.
use roster_core::policy::{Actor, MembershipFacts};
use roster_core::{ContactKind, ContactStage, MembershipStatus, PermissionSet, Scope};
use roster_store::{CalendarRow, ContactRow, EventRow, TodoListRow, TodoRow};

use super::super::*;

fn own(account_id: Uuid, user_id: Uuid, rule: roster_core::scope::ScopeRule) -> Scope {
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
    roster_core::scope(&actor, account_id, rule).unwrap()
}

fn contact(account_id: Uuid, first: &str) -> ContactRow {
    let t = now();
    ContactRow {
        id: Uuid::now_v7(),
        account_id,
        kind: ContactKind::Client,
        first_name: first.to_owned(),
        last_name: "Doe".to_owned(),
        company: None,
        email: None,
        emails: vec![],
        phones: vec![],
        address: None,
        notes: None,
        stage: ContactStage::New,
        assigned_to: None,
        hidden_from_client_list: false,
        follow_up_on: None,
        member_user_id: None,
        created_at: t,
        updated_at: t,
        tags: vec![],
        assignee_archived: false,
    }
}

fn task(account_id: Uuid, list: &TodoListRow, title: &str, contact_id: Option<Uuid>) -> TodoRow {
    TodoRow {
        id: Uuid::now_v7(),
        account_id,
        list_id: list.id,
        title: title.into(),
        due_on: None,
        done: false,
        done_at: None,
        project_id: None,
        contact_id,
        assignee_id: None,
        created_by: list.owner_id,
        created_at: now(),
        updated_at: now(),
    }
}

fn event(cal: &CalendarRow, title: &str, day: i64, contact_id: Option<Uuid>) -> EventRow {
    let starts_at = now() + Duration::days(day);
    EventRow {
        id: Uuid::now_v7(),
        account_id: cal.account_id,
        calendar_id: cal.id,
        title: title.to_owned(),
        starts_at,
        ends_at: starts_at + Duration::hours(1),
        all_day: false,
        contact_id,
        project_id: None,
        created_by: cal.owner_id,
        created_at: now(),
        updated_at: now(),
    }
}

#[tokio::test]
async fn r_con_1_a_contacts_todos_and_events_stay_in_their_kinds_scope() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Links").await;
        let (other, _) = new_account(&db.store, "Elsewhere").await;
        let sam = new_member(&db.store, account.id, "standard", "active").await;
        let all = roster_core::scope::internal(account.id, roster_core::scope::InternalUse::Demo);
        let elsewhere = roster_core::scope::internal(other.id, roster_core::scope::InternalUse::Demo);
        let (sam_todos, sam_cals) = (
            own(account.id, sam.id, roster_core::scope::TODOS),
            own(account.id, sam.id, roster_core::scope::CALENDARS),
        );
        let mut tx = db.store.begin().await.unwrap();
        let c = contact(account.id, "Cleo");
        let d = contact(account.id, "Dora");
        assert!(tx.insert_contact(&all, &c).await.unwrap());
        assert!(tx.insert_contact(&all, &d).await.unwrap());
        let list_of = |owner_id: Uuid, name: &str| TodoListRow {
            id: Uuid::now_v7(),
            account_id: account.id,
            owner_id,
            name: name.into(),
            is_default: false,
            created_at: now(),
        };
        let (sams, owners) = (list_of(sam.id, "Sam's"), list_of(owner.id, "Owner's"));
        tx.insert_todo_list(&all, &sams).await.unwrap();
        tx.insert_todo_list(&all, &owners).await.unwrap();
        let mut done = task(account.id, &sams, "Sent the quote", Some(c.id));
        done.done = true;
        done.done_at = Some(now());
        for t in [
            task(account.id, &sams, "Call Cleo", Some(c.id)),
            done,
            task(account.id, &sams, "Call Dora", Some(d.id)),
            task(account.id, &sams, "Unlinked", None),
            task(account.id, &owners, "Owner's call", Some(c.id)),
        ] {
            assert_eq!(tx.insert_todo(&all, &t).await.unwrap(), 1);
        }
        let cal_of = |owner_id: Uuid| CalendarRow {
            id: Uuid::now_v7(),
            account_id: account.id,
            owner_id,
            name: "Cal".into(),
            is_default: false,
            created_at: now(),
        };
        let (sam_cal, owner_cal) = (cal_of(sam.id), cal_of(owner.id));
        assert!(tx.insert_calendar(&all, &sam_cal).await.unwrap());
        assert!(tx.insert_calendar(&all, &owner_cal).await.unwrap());
        for e in [
            event(&sam_cal, "Lunch with Cleo", 1, Some(c.id)),
            event(&sam_cal, "Visit Cleo", 3, Some(c.id)),
            event(&sam_cal, "Visit Dora", 2, Some(d.id)),
            event(&owner_cal, "Owner meets Cleo", 2, Some(c.id)),
        ] {
            assert!(tx.insert_event(&all, &e).await.unwrap());
        }
        tx.commit().await.unwrap();

        let mut tx = db.store.begin().await.unwrap();
        let titles = |rows: Vec<TodoRow>| rows.into_iter().map(|t| t.title).collect::<Vec<_>>();
        assert_eq!(titles(tx.todos_of_contact(&sam_todos, c.id, 50).await.unwrap()), ["Call Cleo", "Sent the quote"]);
        assert_eq!(tx.todos_of_contact(&all, c.id, 50).await.unwrap().len(), 3);
        assert_eq!(tx.todos_of_contact(&all, c.id, 1).await.unwrap().len(), 1, "the limit holds");
        assert!(tx.todos_of_contact(&elsewhere, c.id, 50).await.unwrap().is_empty(), "another account's scope");
        let names = |rows: Vec<EventRow>| rows.into_iter().map(|e| e.title).collect::<Vec<_>>();
        assert_eq!(names(tx.events_of_contact(&sam_cals, c.id, 50).await.unwrap()), ["Visit Cleo", "Lunch with Cleo"]);
        assert_eq!(
            names(tx.events_of_contact(&all, c.id, 50).await.unwrap()),
            ["Visit Cleo", "Owner meets Cleo", "Lunch with Cleo"]
        );
        assert!(tx.events_of_contact(&elsewhere, c.id, 50).await.unwrap().is_empty());
        // Deleting the contact unlinks its rows (the index finds them).
        assert_eq!(tx.delete_contact(&all, c.id).await.unwrap(), 1);
        assert!(tx.todos_of_contact(&all, c.id, 50).await.unwrap().is_empty());
        assert!(tx.events_of_contact(&all, c.id, 50).await.unwrap().is_empty());
        tx.commit().await.unwrap();
    })
    .await;
}
