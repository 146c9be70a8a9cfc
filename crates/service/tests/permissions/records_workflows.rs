//! The workflow templates matrix below HTTP (R-WF-1): each built-in role × (list, get, create,
//! edit, delete) × (this account, another account). Every active member reads; only
//! `workflows.edit` (owner, admin) changes; another account's template is not found.
use roster_core::role::BuiltinRole;
use roster_service::{
    Meta, NewWorkflowTemplate, ServiceError, StepInput, WorkflowTemplateParams, WorkflowTemplatePatch,
};
use roster_testkit::service::TestService;

const EXPECTED: [(BuiltinRole, bool); 8] = [
    (BuiltinRole::Owner, true),
    (BuiltinRole::Admin, true),
    (BuiltinRole::Standard, false),
    (BuiltinRole::Salesperson, false),
    (BuiltinRole::Employee, false),
    (BuiltinRole::Vendor, false),
    (BuiltinRole::Customer, false),
    (BuiltinRole::Collaborator, false),
];

fn new_template(name: &str) -> NewWorkflowTemplate {
    let step = StepInput {
        kind: "todo".into(),
        assignee: "project_owner".into(),
        title: "Welcome call".into(),
        ..Default::default()
    };
    NewWorkflowTemplate { name: name.into(), steps: vec![step] }
}

#[tokio::test]
async fn r_wf_1_every_member_reads_templates_and_only_workflows_edit_changes_them() {
    TestService::each_backend(|t| async move {
        let owner = t.owner("Matrix").await;
        let meta = Meta::default();
        let other = t.service.create_account(&owner.principal, "Elsewhere", &meta).await.unwrap().id;
        let foreign = t
            .service
            .create_workflow_template(&owner.principal, other, &new_template("Foreign"), &meta)
            .await
            .unwrap()
            .id;
        for (role, edits) in EXPECTED {
            let actor =
                if role == BuiltinRole::Owner { owner.clone() } else { t.member_with(&owner, role.key()).await };
            let (s, p, a) = (&t.service, &actor.principal, owner.account);
            let cell = role.key();
            let mine = s.create_workflow_template(&owner.principal, a, &new_template(cell), &meta).await.unwrap().id;

            let page = s.list_workflow_templates(p, a, &WorkflowTemplateParams::default()).await.unwrap();
            assert!(page.items.iter().any(|x| x.id == mine), "{cell}: lists");
            assert!(!page.items.iter().any(|x| x.id == foreign), "{cell}: never another account's");
            assert!(s.workflow_template(p, a, mine).await.is_ok(), "{cell}: reads");
            assert!(matches!(s.workflow_template(p, a, foreign).await, Err(ServiceError::NotFound)), "{cell}");
            // The owner made the other account too; everyone else is a stranger there.
            let stranger = role != BuiltinRole::Owner;
            if stranger {
                assert!(matches!(s.workflow_template(p, other, foreign).await, Err(ServiceError::NotFound)), "{cell}");
            }

            let made = s.create_workflow_template(p, a, &new_template("Made"), &meta).await;
            assert_eq!(made.is_ok(), edits, "{cell}: create");
            if !edits {
                assert!(matches!(made, Err(ServiceError::Forbidden(_))), "{cell}: 403 in their own account");
            }
            let patch = WorkflowTemplatePatch { name: Some("Renamed".into()), steps: None };
            assert_eq!(s.update_workflow_template(p, a, mine, &patch, &meta).await.is_ok(), edits, "{cell}: edit");
            if stranger {
                assert!(matches!(
                    s.update_workflow_template(p, other, foreign, &patch, &meta).await,
                    Err(ServiceError::NotFound)
                ));
                assert!(matches!(
                    s.delete_workflow_template(p, other, foreign, &meta).await,
                    Err(ServiceError::NotFound)
                ));
            }
            // Another account's template through this account: not found to editors (others are
            // refused before any lookup).
            let through = s.delete_workflow_template(p, a, foreign, &meta).await;
            assert!(through.is_err(), "{cell}");
            if edits {
                assert!(matches!(through, Err(ServiceError::NotFound)), "{cell}");
            }
            assert_eq!(s.delete_workflow_template(p, a, mine, &meta).await.is_ok(), edits, "{cell}: delete");
            assert!(s.workflow_template(&owner.principal, other, foreign).await.is_ok(), "{cell}: foreign stays");
        }
    })
    .await;
}
