//! Workflow templates on both backends (R-WF-1): stored whole with their steps, listed by name
//! in pages, edited with the version going up, never reached from another account.
use super::super::*;
use roster_store::WorkflowTemplateRow;

fn template(account_id: Uuid, by: Uuid, name: &str) -> WorkflowTemplateRow {
    WorkflowTemplateRow {
        id: Uuid::now_v7(),
        account_id,
        name: name.into(),
        steps: r#"[{"kind":"todo","title":"Call"}]"#.into(),
        version: 1,
        created_by: by,
        created_at: now(),
        updated_at: now(),
    }
}

#[tokio::test]
async fn r_wf_1_templates_stay_in_their_account_and_edits_raise_the_version() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Workflows").await;
        let (other, other_owner) = new_account(&db.store, "Elsewhere").await;
        let here = roster_core::scope::internal(account.id, roster_core::scope::InternalUse::Demo);
        let there = roster_core::scope::internal(other.id, roster_core::scope::InternalUse::Demo);
        let mut tx = db.store.begin().await.unwrap();
        let b = template(account.id, owner.id, "Beta");
        let a = template(account.id, owner.id, "Alpha");
        let c = template(account.id, owner.id, "Gamma");
        let foreign = template(other.id, other_owner.id, "Alpha");
        for t in [&b, &a, &c] {
            tx.insert_workflow_template(&here, t).await.unwrap();
        }
        tx.insert_workflow_template(&there, &foreign).await.unwrap();
        assert!(tx.insert_workflow_template(&here, &template(other.id, owner.id, "Wrong")).await.is_err());
        tx.commit().await.unwrap();

        let mut tx = db.store.begin().await.unwrap();
        let names: Vec<String> =
            tx.workflow_templates(&here, None, 50).await.unwrap().into_iter().map(|t| t.name).collect();
        assert_eq!(names, vec!["Alpha", "Beta", "Gamma"]);
        let first = tx.workflow_templates(&here, None, 1).await.unwrap().remove(0);
        let next = tx.workflow_templates(&here, Some((first.name.clone(), first.id)), 5).await.unwrap();
        assert_eq!(next.iter().map(|t| t.id).collect::<Vec<_>>(), vec![b.id, c.id]);
        assert_eq!(tx.workflow_template(&here, a.id).await.unwrap().as_ref(), Some(&a));
        assert!(tx.workflow_template(&here, foreign.id).await.unwrap().is_none());
        // Edit: name and steps replaced, version one more; another account's scope changes nothing.
        let mut edited = a.clone();
        edited.name = "Alpha 2".into();
        edited.steps = "[]".into();
        edited.updated_at = now();
        assert_eq!(tx.update_workflow_template(&there, &edited).await.unwrap(), 0);
        assert_eq!(tx.update_workflow_template(&here, &edited).await.unwrap(), 1);
        let read = tx.workflow_template(&here, a.id).await.unwrap().unwrap();
        assert_eq!((read.name.as_str(), read.steps.as_str(), read.version), ("Alpha 2", "[]", 2));
        assert_eq!(tx.delete_workflow_template(&there, a.id).await.unwrap(), 0);
        assert_eq!(tx.delete_workflow_template(&here, a.id).await.unwrap(), 1);
        assert!(tx.workflow_template(&here, a.id).await.unwrap().is_none());
        assert_eq!(tx.workflow_templates(&there, None, 50).await.unwrap().len(), 1);
        tx.commit().await.unwrap();
    })
    .await;
}
