//! The projects visibility matrix below HTTP (R-PRJ-1): each built-in role × (a project they
//! belong to, another's project, another account's project) × (list, count, get, edit, delete).
//! Written from PRODUCT.md §3: owner, admin, standard and salesperson hold `projects.view_all`
//! and `projects.manage`; employee, vendor, customer and collaborator reach only the projects
//! they belong to and change none.
use roster_core::role::BuiltinRole;
use roster_core::{ProjectStatus, scope};
use roster_service::{Meta, ProjectListParams, ProjectPatch, ServiceError};
use roster_store::ProjectRow;
use roster_testkit::service::TestService;
use uuid::Uuid;

/// `(role, sees every project, manages projects)`.
const EXPECTED: [(BuiltinRole, bool, bool); 8] = [
    (BuiltinRole::Owner, true, true),
    (BuiltinRole::Admin, true, true),
    (BuiltinRole::Standard, true, true),
    (BuiltinRole::Salesperson, true, true),
    (BuiltinRole::Employee, false, false),
    (BuiltinRole::Vendor, false, false),
    (BuiltinRole::Customer, false, false),
    (BuiltinRole::Collaborator, false, false),
];

/// A project of `account` whose members are `members`, made through the store.
async fn project(t: &TestService, account: Uuid, owner: Uuid, name: &str, members: &[Uuid]) -> Uuid {
    let all = scope::internal(account, scope::InternalUse::Demo);
    let at = time::OffsetDateTime::now_utc();
    let row = ProjectRow {
        id: Uuid::now_v7(),
        account_id: account,
        name: name.to_owned(),
        contact_id: None,
        status: ProjectStatus::Active,
        owner_id: owner,
        created_at: at,
        updated_at: at,
    };
    let mut tx = t.db.store.begin().await.unwrap();
    tx.insert_project(&all, &row).await.unwrap();
    tx.set_project_members(&all, row.id, members).await.unwrap();
    tx.commit().await.unwrap();
    row.id
}

fn is_not_found<T: std::fmt::Debug>(r: &Result<T, ServiceError>) -> bool {
    matches!(r, Err(ServiceError::NotFound))
}

#[tokio::test]
async fn r_prj_1_roles_reach_own_projects_and_every_project_with_view_all() {
    TestService::each_backend(|t| async move {
        let owner = t.owner("Matrix").await;
        let meta = Meta::default();
        let other = t.service.create_account(&owner.principal, "Elsewhere", &meta).await.unwrap().id;
        for (role, view_all, manage) in EXPECTED {
            let actor =
                if role == BuiltinRole::Owner { owner.clone() } else { t.member_with(&owner, role.key()).await };
            let (s, p, a) = (&t.service, &actor.principal, owner.account);
            let own = project(&t, a, owner.id, &format!("{} own", role.key()), &[actor.id]).await;
            let theirs = project(&t, a, owner.id, &format!("{} theirs", role.key()), &[]).await;
            let foreign = project(&t, other, owner.id, &format!("{} foreign", role.key()), &[owner.id]).await;
            let cell = role.key();

            // list and count
            let page =
                s.list_projects(p, a, &ProjectListParams { limit: Some(500), ..Default::default() }).await.unwrap();
            let ids: Vec<Uuid> = page.items.iter().map(|v| v.id).collect();
            assert!(ids.contains(&own), "{cell}: lists its own project");
            assert_eq!(ids.contains(&theirs), view_all, "{cell}: another's project in the list");
            assert!(!ids.contains(&foreign), "{cell}: never another account's");
            assert_eq!(page.total, ids.len() as i64, "{cell}: the count is the list's");
            // get
            assert!(s.project(p, a, own).await.is_ok(), "{cell}: get own");
            assert_eq!(s.project(p, a, theirs).await.is_ok(), view_all, "{cell}: get another's");
            assert!(is_not_found(&s.project(p, a, foreign).await), "{cell}: get another account's");
            // edit
            let patch = ProjectPatch { name: Some(format!("{cell} renamed")), ..Default::default() };
            for (target, reachable) in [(own, true), (theirs, view_all)] {
                let r = s.update_project(p, a, target, &patch, &meta).await;
                match (manage, reachable) {
                    (false, _) => assert!(matches!(r, Err(ServiceError::Forbidden(_))), "{cell}: edit {r:?}"),
                    (true, true) => assert!(r.is_ok(), "{cell}: edit {r:?}"),
                    (true, false) => assert!(is_not_found(&r), "{cell}: edit {r:?}"),
                }
            }
            let r = s.update_project(p, a, foreign, &patch, &meta).await;
            assert!(is_not_found(&r) || (!manage && matches!(r, Err(ServiceError::Forbidden(_)))), "{cell}: {r:?}");
            // delete
            let r = s.delete_project(p, a, foreign, &meta).await;
            assert!(is_not_found(&r) || (!manage && matches!(r, Err(ServiceError::Forbidden(_)))), "{cell}: {r:?}");
            for target in [theirs, own] {
                let r = s.delete_project(p, a, target, &meta).await;
                if manage {
                    assert!(r.is_ok(), "{cell}: delete {r:?}");
                } else {
                    assert!(matches!(r, Err(ServiceError::Forbidden(_))), "{cell}: delete {r:?}");
                }
            }
            assert!(s.project(&owner.principal, other, foreign).await.is_ok(), "{cell}: the foreign project stays");
        }
    })
    .await;
}
