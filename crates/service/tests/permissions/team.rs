//! The team's actions by built-in role (PRODUCT.md §3, R-PERM-1, R-PERM-3): the table below is
//! written from PRODUCT.md, not computed from `roster_core`, so a change of a role's defaults
//! or of a use case's check shows up here as a cell that moved.
use roster_core::Permission;
use roster_core::role::BuiltinRole;
use roster_service::{Lifecycle, MemberListParams, MemberPatch, Meta, NewMember, NewRole, ServiceError};
use roster_testkit::service::{ServiceUser, TestService};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TeamAction {
    List,
    View,
    Add,
    EditRights,
    Disable,
    Archive,
    Delete,
    ListRoles,
    CreateRole,
}

use TeamAction::*;

/// The columns of [`EXPECTED`], in order.
const ACTIONS: [TeamAction; 9] = [List, View, Add, EditRights, Disable, Archive, Delete, ListRoles, CreateRole];

/// Who may do what (`Y` allowed, `-` refused with 403 naming the missing permission). Owner and
/// admin hold every permission; standard and salesperson lack all user administration; the
/// employee holds `users.view` only (seeing the team and its roles); vendor, collaborator and
/// customer hold no team permission.
const EXPECTED: [(BuiltinRole, &str); 8] = [
    //                            list view add edit disable archive delete roles create-role
    (BuiltinRole::Owner, "        Y    Y    Y   Y    Y       Y       Y      Y     Y"),
    (BuiltinRole::Admin, "        Y    Y    Y   Y    Y       Y       Y      Y     Y"),
    (BuiltinRole::Standard, "     -    -    -   -    -       -       -      -     -"),
    (BuiltinRole::Salesperson, "  -    -    -   -    -       -       -      -     -"),
    (BuiltinRole::Employee, "     Y    Y    -   -    -       -       -      Y     -"),
    (BuiltinRole::Vendor, "       -    -    -   -    -       -       -      -     -"),
    (BuiltinRole::Customer, "     -    -    -   -    -       -       -      -     -"),
    (BuiltinRole::Collaborator, " -    -    -   -    -       -       -      -     -"),
];

/// The permission a refusal names.
fn needed(action: TeamAction) -> Permission {
    match action {
        List | View | ListRoles => Permission::UsersView,
        Add | EditRights | Disable | Archive | Delete => Permission::UsersManage,
        CreateRole => Permission::RolesManage,
    }
}

/// A member's status and role as the owner sees them.
async fn state_of(t: &TestService, owner: &ServiceUser, user: uuid::Uuid) -> (Value, Value) {
    let view = t.service.member(&owner.principal, owner.account, user).await.expect("the owner sees every member");
    let view = serde_json::to_value(view).unwrap();
    (view["status"].clone(), view["role"].clone())
}

/// Runs `action` as `actor`; a fresh active customer is the target of the actions that change
/// someone, so no cell depends on another.
async fn attempt(
    t: &TestService,
    owner: &ServiceUser,
    actor: &ServiceUser,
    action: TeamAction,
    cell: usize,
) -> (Result<(), ServiceError>, Option<uuid::Uuid>) {
    let (s, p, a, meta) = (&t.service, &actor.principal, owner.account, Meta::default());
    let target = match action {
        View | EditRights | Disable | Archive | Delete => Some(t.member_with(owner, "customer").await.id),
        _ => None,
    };
    let id = target.unwrap_or_default();
    let result = match action {
        List => s.search_members(p, a, &MemberListParams::default()).await.map(drop),
        View => s.member(p, a, id).await.map(drop),
        Add => {
            let input = NewMember {
                email: format!("added-{cell}@example.test"),
                first_name: "Added".into(),
                last_name: "Person".into(),
                ..NewMember::default()
            };
            s.add_member(p, a, &input, &meta).await.map(drop)
        }
        EditRights => {
            let patch = MemberPatch { role: Some("vendor".into()), ..MemberPatch::default() };
            s.update_member(p, a, id, &patch, &meta).await.map(drop)
        }
        Disable => s.change_member_status(p, a, id, Lifecycle::Disable, &meta).await.map(drop),
        Archive => s.change_member_status(p, a, id, Lifecycle::Archive, &meta).await.map(drop),
        Delete => s.delete_member(p, a, id, None, &meta).await.map(drop),
        ListRoles => s.roles(p, a).await.map(drop),
        CreateRole => {
            let input = NewRole { name: format!("Role {cell}"), permissions: vec![] };
            s.create_role(p, a, &input, &meta).await.map(drop)
        }
    };
    (result, target)
}

#[tokio::test]
async fn r_perm_matrix_team_actions_by_builtin_role() {
    TestService::each_backend(|t| async move {
        let owner = t.owner("Matrix").await;
        let mut wrong = Vec::new();
        let mut cell = 0;
        for (role, row) in EXPECTED {
            let marks: Vec<&str> = row.split_whitespace().collect();
            assert_eq!(marks.len(), ACTIONS.len(), "row {role:?}");
            let actor =
                if role == BuiltinRole::Owner { owner.clone() } else { t.member_with(&owner, role.key()).await };
            for (action, mark) in ACTIONS.into_iter().zip(marks) {
                cell += 1;
                let allowed = mark == "Y";
                let (result, target) = attempt(&t, &owner, &actor, action, cell).await;
                match (&result, allowed) {
                    (Ok(()), true) => {}
                    (Err(ServiceError::Forbidden(p)), false) if *p == needed(action) => {
                        // Refused means untouched.
                        if let Some(target) = target.filter(|_| action != View) {
                            let state = state_of(&t, &owner, target).await;
                            if state != (Value::from("active"), Value::from("customer")) {
                                wrong.push(format!("{role:?} × {action:?}: refused but the target is now {state:?}"));
                            }
                        }
                    }
                    (r, _) => wrong.push(format!(
                        "{role:?} × {action:?}: expected {}, got {r:?}",
                        if allowed { "allowed".to_owned() } else { format!("403 for {}", needed(action).id()) }
                    )),
                }
            }
        }
        assert!(wrong.is_empty(), "{} cell(s) differ from PRODUCT.md:\n{}", wrong.len(), wrong.join("\n"));
    })
    .await;
}
