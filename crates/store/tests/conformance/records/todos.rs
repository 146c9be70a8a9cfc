//! todos on both backends: lists in the owner's scope, tasks through their list (R-TODO-1).
use super::super::*;
use roster_core::{Actor, MembershipFacts, MembershipStatus, PermissionSet, Scope};
use roster_store::{TodoListRow, TodoRow};

fn own_scope(account_id: Uuid, user_id: Uuid) -> Scope {
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
    roster_core::scope(&actor, account_id, roster_core::scope::TODOS).unwrap()
}

fn list(account_id: Uuid, owner: Uuid, name: &str, is_default: bool) -> TodoListRow {
    TodoListRow { id: Uuid::now_v7(), account_id, owner_id: owner, name: name.into(), is_default, created_at: now() }
}

fn task(account_id: Uuid, list_id: Uuid, by: Uuid, title: &str) -> TodoRow {
    TodoRow {
        id: Uuid::now_v7(),
        account_id,
        list_id,
        title: title.into(),
        due_on: Some("2026-12-24".into()),
        done: false,
        done_at: None,
        project_id: None,
        contact_id: None,
        assignee_id: Some(by),
        created_by: by,
        created_at: now(),
        updated_at: now(),
    }
}

#[tokio::test]
async fn r_todo_1_lists_and_tasks_stay_in_their_scope() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Todos").await;
        let sam = new_member(&db.store, account.id, "standard", "active").await;
        let all = roster_core::scope::internal(account.id, roster_core::scope::InternalUse::Demo);
        let mine = own_scope(account.id, sam.id);
        let mut tx = db.store.begin().await.unwrap();
        let default = list(account.id, sam.id, "To-dos", true);
        let extra = list(account.id, sam.id, "Errands", false);
        let owners = list(account.id, owner.id, "Owner's", false);
        tx.insert_todo_list(&all, &default).await.unwrap();
        tx.insert_todo_list(&mine, &extra).await.unwrap();
        tx.insert_todo_list(&all, &owners).await.unwrap();
        // Sam cannot add to the owner's list; the whole account can.
        assert_eq!(tx.insert_todo(&mine, &task(account.id, owners.id, sam.id, "No")).await.unwrap(), 0);
        assert_eq!(tx.insert_todo(&all, &task(account.id, owners.id, sam.id, "Yes")).await.unwrap(), 1);
        let mut t = task(account.id, extra.id, sam.id, "Buy milk");
        assert_eq!(tx.insert_todo(&mine, &t).await.unwrap(), 1);
        tx.insert_todo(&mine, &task(account.id, extra.id, sam.id, "Second")).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = db.store.begin().await.unwrap();
        let lists = tx.todo_lists(&mine, None, None, 50).await.unwrap();
        assert_eq!(lists.iter().map(|l| l.id).collect::<Vec<_>>(), vec![default.id, extra.id]);
        assert_eq!(tx.todo_lists(&all, None, None, 50).await.unwrap().len(), 3);
        assert_eq!(tx.todo_lists(&all, Some(owner.id), None, 50).await.unwrap().len(), 1);
        assert!(tx.todo_list(&mine, owners.id).await.unwrap().is_none());
        assert!(tx.todos(&mine, owners.id, None, 50).await.unwrap().is_empty());
        assert_eq!(tx.todo(&mine, t.id).await.unwrap().unwrap().due_on.as_deref(), Some("2026-12-24"));
        // Done tasks sort after open ones; pages follow `(done, id)`.
        t.done = true;
        t.done_at = Some(now());
        assert_eq!(tx.update_todo(&mine, &t).await.unwrap(), 1);
        let titles: Vec<String> =
            tx.todos(&mine, extra.id, None, 50).await.unwrap().into_iter().map(|t| t.title).collect();
        assert_eq!(titles, vec!["Second".to_owned(), "Buy milk".to_owned()]);
        let first = tx.todos(&mine, extra.id, None, 1).await.unwrap().remove(0);
        let next = tx.todos(&mine, extra.id, Some((first.done, first.id)), 5).await.unwrap();
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].id, t.id);
        // The default list is never deleted; another's list is out of reach.
        assert_eq!(tx.delete_todo_list(&mine, default.id).await.unwrap(), 0);
        assert_eq!(tx.rename_todo_list(&mine, owners.id, "Mine now").await.unwrap(), 0);
        assert_eq!(tx.rename_todo_list(&mine, extra.id, "Shopping").await.unwrap(), 1);
        assert_eq!(tx.delete_todo(&own_scope(account.id, owner.id), t.id).await.unwrap(), 0);
        assert_eq!(tx.delete_todo_list(&mine, extra.id).await.unwrap(), 1);
        assert!(tx.todo(&all, t.id).await.unwrap().is_none(), "tasks go with their list");
        tx.commit().await.unwrap();
    })
    .await;
}
