//! projects on both backends: the scope in every query, "all projects of this person" by
//! membership or tag, keyset pages and the capped count (R-PRJ-1).
use super::super::*;
use roster_core::{Actor, MembershipFacts, MembershipStatus, PermissionSet, ProjectStatus, Scope};
use roster_store::{ProjectKey, ProjectQuery, ProjectRow, ProjectSort};

/// The scope of a member without `projects.view_all`: their own projects.
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
    roster_core::scope(&actor, account_id, roster_core::scope::PROJECTS).unwrap()
}

fn all_scope(account_id: Uuid) -> Scope {
    roster_core::scope::internal(account_id, roster_core::scope::InternalUse::Demo)
}

fn project(account_id: Uuid, owner: Uuid, name: &str) -> ProjectRow {
    ProjectRow {
        id: Uuid::now_v7(),
        account_id,
        name: name.to_owned(),
        contact_id: None,
        status: ProjectStatus::Active,
        owner_id: owner,
        created_at: now(),
        updated_at: now(),
    }
}

#[tokio::test]
async fn r_prj_1_projects_in_scope_by_member_tag_and_pages() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Projects").await;
        let (other, other_owner) = new_account(&db.store, "Other").await;
        let sam = new_member(&db.store, account.id, "standard", "active").await;
        let all = all_scope(account.id);
        let mut tx = db.store.begin().await.unwrap();
        let tag = tx.ensure_tags(&all, &["Web".to_owned()], now()).await.unwrap().remove(0);
        let mut sams = Vec::new();
        for i in 0..7 {
            let p = project(account.id, owner.id, &format!("Project {i:02}"));
            tx.insert_project(&all, &p).await.unwrap();
            let members = if i % 2 == 0 { vec![owner.id, sam.id] } else { vec![owner.id] };
            assert!(tx.set_project_members(&all, p.id, &members).await.unwrap());
            if i < 3 {
                assert!(tx.set_project_tags(&all, p.id, &[tag.id]).await.unwrap());
            }
            if i % 2 == 0 {
                sams.push(p.id);
            }
        }
        let foreign = project(other.id, other_owner.id, "Project foreign");
        tx.insert_project(&all_scope(other.id), &foreign).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = db.store.read().await.unwrap();
        let page = |rows: Vec<(ProjectRow, ProjectKey)>| rows.into_iter().map(|(p, _)| p.id).collect::<Vec<_>>();
        // Own scope: Sam's four projects only, never the other account's.
        let mine = own_scope(account.id, sam.id);
        let got = page(tx.search_projects(&mine, &ProjectQuery::default(), 50).await.unwrap());
        assert_eq!(got, sams);
        assert_eq!(tx.count_projects(&mine, &ProjectQuery::default(), 100).await.unwrap(), 4);
        assert!(tx.project(&mine, sams[0]).await.unwrap().is_some());
        let not_sams = page(tx.search_projects(&all, &ProjectQuery::default(), 50).await.unwrap())[1];
        assert!(tx.project(&mine, not_sams).await.unwrap().is_none(), "outside the own scope");
        assert!(tx.project(&all, foreign.id).await.unwrap().is_none(), "another account's");
        assert!(tx.project_members(&mine, not_sams).await.unwrap().is_empty());
        // "All projects of this person" by membership and by tag, in the whole account.
        let by_member = ProjectQuery { member: Some(sam.id), ..ProjectQuery::default() };
        assert_eq!(page(tx.search_projects(&all, &by_member, 50).await.unwrap()), sams);
        let by_tag = ProjectQuery { tag: Some(tag.id), ..ProjectQuery::default() };
        assert_eq!(tx.count_projects(&all, &by_tag, 100).await.unwrap(), 3);
        let text = ProjectQuery { q: Some("ject 0".into()), ..ProjectQuery::default() };
        assert_eq!(tx.count_projects(&all, &text, 100).await.unwrap(), 7);
        assert_eq!(tx.count_projects(&all, &ProjectQuery::default(), 5).await.unwrap(), 6, "capped at cap + 1");
        // Keyset pages of three, newest first.
        let mut q = ProjectQuery { sort: ProjectSort::Created, descending: true, ..ProjectQuery::default() };
        let mut seen = Vec::new();
        loop {
            let rows = tx.search_projects(&all, &q, 3).await.unwrap();
            let Some((_, k)) = rows.last() else { break };
            q.after = Some(k.clone());
            seen.extend(rows.into_iter().map(|(p, _)| p.name));
        }
        let want: Vec<String> = (0..7).rev().map(|i| format!("Project {i:02}")).collect();
        assert_eq!(seen, want);
        drop(tx);

        // Changes name the scope: outside it nothing changes.
        let mut tx = db.store.begin().await.unwrap();
        let mut p = tx.project(&all, not_sams).await.unwrap().unwrap();
        p.name = "Renamed".into();
        assert_eq!(tx.update_project(&mine, &p).await.unwrap(), 0);
        assert_eq!(tx.delete_project(&mine, p.id).await.unwrap(), 0);
        assert!(!tx.set_project_members(&mine, p.id, &[sam.id]).await.unwrap());
        assert_eq!(tx.update_project(&all, &p).await.unwrap(), 1);
        assert_eq!(tx.delete_project(&all_scope(other.id), p.id).await.unwrap(), 0);
        assert_eq!(tx.delete_project(&all, p.id).await.unwrap(), 1);
        assert_eq!(tx.admin_user_ids(&all).await.unwrap(), vec![owner.id]);
        assert!(tx.delete_tag(&all, tag.id).await.unwrap() == 1);
        assert!(tx.project_tags(&all, sams[0]).await.unwrap().is_empty(), "a deleted tag leaves its projects");
        tx.commit().await.unwrap();
    })
    .await;
}
