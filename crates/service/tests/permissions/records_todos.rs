//! The to-dos visibility matrix below HTTP (R-TODO-1): each built-in role × (their own list,
//! another member's list, another account's list) × (list, count, get, edit, delete). With
//! `todos.view_all` (owner, admin, standard, salesperson) every list and adding to any;
//! without it one's own lists only. Any active member works on their own lists.
use roster_core::role::BuiltinRole;
use roster_core::scope;
use roster_service::{Meta, NewTodo, ServiceError, TodoListParams, TodoListPatch};
use roster_store::TodoListRow;
use roster_testkit::service::TestService;
use uuid::Uuid;

const EXPECTED: [(BuiltinRole, bool); 8] = [
    (BuiltinRole::Owner, true),
    (BuiltinRole::Admin, true),
    (BuiltinRole::Standard, true),
    (BuiltinRole::Salesperson, true),
    (BuiltinRole::Employee, false),
    (BuiltinRole::Vendor, false),
    (BuiltinRole::Customer, false),
    (BuiltinRole::Collaborator, false),
];

async fn list(t: &TestService, account: Uuid, owner: Uuid, name: &str) -> Uuid {
    let all = scope::internal(account, scope::InternalUse::Demo);
    let row = TodoListRow {
        id: Uuid::now_v7(),
        account_id: account,
        owner_id: owner,
        name: name.to_owned(),
        is_default: false,
        created_at: time::OffsetDateTime::now_utc(),
    };
    let mut tx = t.db.store.begin().await.unwrap();
    tx.insert_todo_list(&all, &row).await.unwrap();
    tx.commit().await.unwrap();
    row.id
}

#[tokio::test]
async fn r_todo_1_roles_reach_own_lists_and_every_list_with_view_all() {
    TestService::each_backend(|t| async move {
        let owner = t.owner("Matrix").await;
        let meta = Meta::default();
        let other = t.service.create_account(&owner.principal, "Elsewhere", &meta).await.unwrap().id;
        let colleague = t.member_with(&owner, "employee").await;
        for (role, view_all) in EXPECTED {
            let actor =
                if role == BuiltinRole::Owner { owner.clone() } else { t.member_with(&owner, role.key()).await };
            let (s, p, a) = (&t.service, &actor.principal, owner.account);
            let cell = role.key();
            let own = list(&t, a, actor.id, &format!("{cell} own")).await;
            let theirs = list(&t, a, colleague.id, &format!("{cell} theirs")).await;
            let foreign = list(&t, other, owner.id, &format!("{cell} foreign")).await;

            let page =
                s.list_todo_lists(p, a, &TodoListParams { limit: Some(500), ..Default::default() }).await.unwrap();
            let ids: Vec<Uuid> = page.items.iter().map(|l| l.id).collect();
            assert!(ids.contains(&own), "{cell}: own list");
            assert_eq!(ids.contains(&theirs), view_all, "{cell}: another's list");
            assert!(!ids.contains(&foreign), "{cell}: never another account's");
            let mine = TodoListParams { owner_id: Some(actor.id.to_string()), ..Default::default() };
            // Their default list (R-JOIN-1) and the one made here.
            assert_eq!(s.list_todo_lists(p, a, &mine).await.unwrap().items.len(), 2, "{cell}: count of own lists");

            assert!(s.todo_list(p, a, own).await.is_ok());
            assert_eq!(s.todo_list(p, a, theirs).await.is_ok(), view_all, "{cell}: get another's");
            assert!(matches!(s.todo_list(p, a, foreign).await, Err(ServiceError::NotFound)), "{cell}");

            let task = NewTodo { title: "Task".into(), ..Default::default() };
            assert!(s.create_todo(p, a, own, &task, &meta).await.is_ok(), "{cell}: add to own");
            assert_eq!(s.create_todo(p, a, theirs, &task, &meta).await.is_ok(), view_all, "{cell}: add to another's");
            assert!(matches!(s.create_todo(p, a, foreign, &task, &meta).await, Err(ServiceError::NotFound)));

            let rename = TodoListPatch { name: Some("Renamed".into()) };
            assert!(s.update_todo_list(p, a, own, &rename, &meta).await.is_ok(), "{cell}: rename own");
            assert_eq!(s.update_todo_list(p, a, theirs, &rename, &meta).await.is_ok(), view_all, "{cell}");
            assert!(matches!(s.update_todo_list(p, a, foreign, &rename, &meta).await, Err(ServiceError::NotFound)));

            assert!(matches!(s.delete_todo_list(p, a, foreign, &meta).await, Err(ServiceError::NotFound)));
            assert_eq!(s.delete_todo_list(p, a, theirs, &meta).await.is_ok(), view_all, "{cell}: delete another's");
            assert!(s.delete_todo_list(p, a, own, &meta).await.is_ok(), "{cell}: delete own");
            assert!(s.todo_list(&owner.principal, other, foreign).await.is_ok(), "{cell}: the foreign list stays");
        }
    })
    .await;
}
