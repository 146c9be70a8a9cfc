//! Roles of an account (R-ROLE-1): the eight built-in roles, read-only, and the account's custom
//! roles (`roles.manage`): a name and a permission list, never more than the editor holds
//! (R-PERM-1); a role one holds oneself is not one's to edit; a role still held cannot go.
use roster_core::{Action, BuiltinRole, FieldErrors, PermissionSet, authorize};
use roster_store::{RoleRow, Tx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::rights::check_grantable;
use crate::signin::{Principal, audit};
use crate::views::effective_permissions;
use crate::{Meta, Result, Service, ServiceError, actor, now};

const NAME_MAX: usize = 60;

/// One role as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoleView {
    /// A built-in role's key (`admin`), or a custom role's UUID.
    pub id: String,
    pub name: String,
    pub builtin: bool,
    pub permissions: Vec<&'static str>,
    /// How many members hold it (custom roles only).
    pub members: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoleList {
    pub items: Vec<RoleView>,
    /// Always `null`: an account's roles come in one page (the list shape of every list).
    pub next_cursor: Option<String>,
}

/// `POST /accounts/{id}/roles`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRole {
    pub name: String,
    pub permissions: Vec<String>,
}

/// `PATCH /accounts/{id}/roles/{role_id}`; absent fields stay.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RolePatch {
    pub name: Option<String>,
    pub permissions: Option<Vec<String>>,
}

impl RoleView {
    fn builtin(r: BuiltinRole) -> Self {
        Self {
            id: r.key().to_owned(),
            name: r.label().to_owned(),
            builtin: true,
            permissions: r.permissions().iter().map(|p| p.id()).collect(),
            members: None,
        }
    }

    fn custom(r: &RoleRow, members: i64) -> Self {
        Self {
            id: r.id.to_string(),
            name: r.name.clone(),
            builtin: false,
            permissions: PermissionSet::from_ids(&r.permissions).unwrap_or_default().iter().map(|p| p.id()).collect(),
            members: Some(members),
        }
    }
}

fn parse_name(name: &str, errs: &mut FieldErrors) -> Option<String> {
    let name = name.trim();
    let taken_by_builtin =
        BuiltinRole::ALL.iter().any(|b| b.key().eq_ignore_ascii_case(name) || b.label().eq_ignore_ascii_case(name))
            || name.eq_ignore_ascii_case("custom");
    if name.is_empty() {
        errs.add("name", "Give the role a name.");
    } else if name.chars().count() > NAME_MAX {
        errs.add("name", format!("Use at most {NAME_MAX} characters."));
    } else if !roster_core::is_plain_text(name) {
        errs.add("name", roster_core::NOT_PLAIN_TEXT);
    } else if taken_by_builtin {
        errs.add("name", "That is the name of a built-in role; choose another.");
    } else {
        return Some(name.to_owned());
    }
    None
}

fn parse_permissions(ids: &[String], errs: &mut FieldErrors) -> Option<PermissionSet> {
    match PermissionSet::from_ids(&ids.join(",")) {
        Ok(set) => Some(set),
        Err(e) => {
            errs.add("permissions", e);
            None
        }
    }
}

async fn name_free(tx: &mut dyn Tx, account_id: Uuid, name: &str, except: Option<Uuid>) -> Result<()> {
    match tx.role_by_name(account_id, name).await? {
        Some(r) if Some(r.id) != except => Err(ServiceError::Conflict {
            code: roster_core::ProblemCode::RoleNameTaken,
            message: format!("This account already has a role named {}.", r.name),
        }),
        _ => Ok(()),
    }
}

fn custom_id(role_id: &str) -> Result<Uuid> {
    if BuiltinRole::parse(role_id).is_some() {
        return Err(ServiceError::Rule {
            rule: "R-ROLE-1",
            code: roster_core::ProblemCode::BuiltinRole,
            message: "Built-in roles cannot be changed or deleted; make a custom role instead.".to_owned(),
        });
    }
    Uuid::parse_str(role_id).map_err(|_| ServiceError::NotFound)
}

impl Service {
    /// The built-in roles, then the account's custom roles by name (needs `users.view` or
    /// `roles.manage`).
    pub async fn roles(&self, p: &Principal, account_id: Uuid) -> Result<RoleList> {
        let mut tx = self.store.read().await?;
        let (actor, mine) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let manages = mine.as_ref().is_some_and(|m| {
            m.status == roster_core::MembershipStatus::Active
                && effective_permissions(m).contains(roster_core::Permission::RolesManage)
        });
        let action = if manages { Action::ManageRoles(account_id) } else { Action::ViewTeam(account_id) };
        authorize(&actor, action)?;
        let mut items: Vec<RoleView> =
            BuiltinRole::ALL.iter().filter(|r| **r != BuiltinRole::Owner).map(|r| RoleView::builtin(*r)).collect();
        for (row, members) in tx.roles_of_account(account_id).await? {
            items.push(RoleView::custom(&row, members));
        }
        Ok(RoleList { items, next_cursor: None })
    }

    pub async fn create_role(&self, p: &Principal, account_id: Uuid, input: &NewRole, meta: &Meta) -> Result<RoleView> {
        let mut tx = self.store.begin().await?;
        let (actor, mine) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::ManageRoles(account_id))?;
        let mut errs = FieldErrors::new();
        let name = parse_name(&input.name, &mut errs);
        let set = parse_permissions(&input.permissions, &mut errs);
        let (Some(name), Some(set)) = (name, set) else {
            return Err(ServiceError::Invalid(errs));
        };
        check_grantable(mine.as_ref().map_or(PermissionSet::EMPTY, effective_permissions), set)?;
        name_free(tx.as_mut(), account_id, &name, None).await?;
        let row = RoleRow { account_id, id: Uuid::now_v7(), name, permissions: set.to_ids(), created_at: now() };
        tx.insert_role(&row).await?;
        let mut event =
            audit(roster_core::AuditAction::RoleCreated, p.who(), Some(account_id), ("role", row.id.to_string()), meta);
        event.details = Some(json!({ "name": row.name, "permissions": row.permissions }).to_string());
        tx.insert_audit(&event).await?;
        tx.commit().await?;
        Ok(RoleView::custom(&row, 0))
    }

    /// Renames or re-lists a custom role; its members' rights follow in the same unit of work.
    pub async fn update_role(
        &self,
        p: &Principal,
        account_id: Uuid,
        role_id: &str,
        patch: &RolePatch,
        meta: &Meta,
    ) -> Result<RoleView> {
        let mut tx = self.store.begin().await?;
        let (actor, mine) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::ManageRoles(account_id))?;
        let id = custom_id(role_id)?;
        let mut row = tx.role_by_id(account_id, id).await?.ok_or(ServiceError::NotFound)?;
        let mut errs = FieldErrors::new();
        let name = patch.name.as_deref().map(|n| parse_name(n, &mut errs));
        let set = patch.permissions.as_deref().map(|ids| parse_permissions(ids, &mut errs));
        if !errs.is_empty() {
            return Err(ServiceError::Invalid(errs));
        }
        if let Some(Some(name)) = name {
            name_free(tx.as_mut(), account_id, &name, Some(id)).await?;
            row.name = name;
        }
        let mut moved = 0;
        if let Some(Some(set)) = set {
            // R-PERM-1: nobody edits their own rights, and a role one holds is one's rights.
            let impersonator_holds = match p.impersonator {
                Some(by) => tx.membership(account_id, by).await?.is_some_and(|m| m.custom_role_id == Some(id)),
                None => false,
            };
            if impersonator_holds || mine.as_ref().is_some_and(|m| m.custom_role_id == Some(id)) {
                return Err(ServiceError::Rule {
                    rule: "R-PERM-1",
                    code: roster_core::ProblemCode::RightsRule,
                    message: "You hold this role: nobody edits their own rights. Ask another admin or the owner."
                        .to_owned(),
                });
            }
            // What the role grants now and what it will grant must both be the editor's: taking
            // from its holders what the editor lacks is no more theirs to do than giving it.
            let held = mine.as_ref().map_or(PermissionSet::EMPTY, effective_permissions);
            check_grantable(held, PermissionSet::from_ids(&row.permissions).unwrap_or_default())?;
            check_grantable(held, set)?;
            row.permissions = set.to_ids();
            moved = tx.sync_role_members(account_id, id, &row.permissions).await?;
        }
        tx.update_role(&row).await?;
        let mut event =
            audit(roster_core::AuditAction::RoleUpdated, p.who(), Some(account_id), ("role", row.id.to_string()), meta);
        event.details =
            Some(json!({ "name": row.name, "permissions": row.permissions, "members_updated": moved }).to_string());
        tx.insert_audit(&event).await?;
        let members = tx.role_member_count(account_id, id).await?;
        tx.commit().await?;
        Ok(RoleView::custom(&row, members))
    }

    /// Deletes a custom role nobody holds (409 `role_in_use` otherwise).
    pub async fn delete_role(&self, p: &Principal, account_id: Uuid, role_id: &str, meta: &Meta) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::ManageRoles(account_id))?;
        let id = custom_id(role_id)?;
        let row = tx.role_by_id(account_id, id).await?.ok_or(ServiceError::NotFound)?;
        let members = tx.role_member_count(account_id, id).await?;
        if members > 0 {
            let who = if members == 1 { "1 member holds".to_owned() } else { format!("{members} members hold") };
            return Err(ServiceError::Conflict {
                code: roster_core::ProblemCode::RoleInUse,
                message: format!("{who} the role {}: give them another role first.", row.name),
            });
        }
        tx.delete_role(account_id, id).await?;
        let mut event =
            audit(roster_core::AuditAction::RoleDeleted, p.who(), Some(account_id), ("role", id.to_string()), meta);
        event.details = Some(json!({ "name": row.name }).to_string());
        tx.insert_audit(&event).await?;
        tx.commit().await?;
        Ok(())
    }
}
