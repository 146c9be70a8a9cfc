//! To-do lists: list, read, create, rename, delete (a default list is never deleted).
use roster_core::{Action, AuditAction, FieldErrors, ProblemCode, authorize, scope};
use roster_store::TodoListRow;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::view::{TodoListPage, TodoListView};
use crate::accounts::page_limit;
use crate::records::projects::checked_name;
use crate::signin::{Principal, audit};
use crate::{Meta, Result, Service, ServiceError, actor, now};

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTodoList {
    pub name: String,
    /// Whose list it is (default: the caller); another member's needs `todos.view_all`.
    pub owner_id: Option<Uuid>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TodoListPatch {
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::IntoParams)]
pub struct TodoListParams {
    /// Only this member's lists.
    pub owner_id: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

fn decode_list_cursor(c: &str) -> Result<(Uuid, Uuid)> {
    let bad = || ServiceError::invalid("cursor", "This cursor is not one this server gave out.");
    let (a, b) = c.split_once('.').ok_or_else(bad)?;
    Ok((Uuid::parse_str(a).map_err(|_| bad())?, Uuid::parse_str(b).map_err(|_| bad())?))
}

impl Service {
    /// The lists the caller reaches, by owner.
    pub async fn list_todo_lists(
        &self,
        p: &Principal,
        account_id: Uuid,
        params: &TodoListParams,
    ) -> Result<TodoListPage> {
        let limit = page_limit(params.limit)?;
        let owner = match params.owner_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(o) => Some(Uuid::parse_str(o).map_err(|_| ServiceError::invalid("owner_id", "Use a member's id."))?),
            None => None,
        };
        let after = params.cursor.as_deref().filter(|s| !s.is_empty()).map(decode_list_cursor).transpose()?;
        let mut tx = self.store.read().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let scope = scope(&actor, account_id, scope::TODOS)?;
        let mut rows = tx.todo_lists(&scope, owner, after, limit + 1).await?;
        let keep = usize::try_from(limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > keep {
            rows.truncate(keep);
            rows.last().map(|l| format!("{}.{}", l.owner_id, l.id))
        } else {
            None
        };
        Ok(TodoListPage { items: rows.into_iter().map(TodoListView::from).collect(), next_cursor })
    }

    pub async fn todo_list(&self, p: &Principal, account_id: Uuid, list_id: Uuid) -> Result<TodoListView> {
        let mut tx = self.store.read().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let scope = scope(&actor, account_id, scope::TODOS)?;
        Ok(TodoListView::from(tx.todo_list(&scope, list_id).await?.ok_or(ServiceError::NotFound)?))
    }

    pub async fn create_todo_list(
        &self,
        p: &Principal,
        account_id: Uuid,
        input: &NewTodoList,
        meta: &Meta,
    ) -> Result<TodoListView> {
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::UseOwnWork(account_id))?;
        let scope = scope(&actor, account_id, scope::TODOS)?;
        let mut errs = FieldErrors::new();
        let name = checked_name("name", &input.name, &mut errs);
        let owner = input.owner_id.unwrap_or(p.user.id);
        if owner != p.user.id {
            if scope.reach() != roster_core::Reach::All {
                errs.add("owner_id", "Without todos.view_all you make lists for yourself only.");
            } else {
                crate::records::projects::check_active_member(tx.as_mut(), &scope, "owner_id", owner, &mut errs)
                    .await?;
            }
        }
        let Some(name) = name.filter(|_| errs.is_empty()) else { return Err(ServiceError::Invalid(errs)) };
        let row =
            TodoListRow { id: Uuid::now_v7(), account_id, owner_id: owner, name, is_default: false, created_at: now() };
        tx.insert_todo_list(&scope, &row).await?;
        tx.insert_audit(&audit(
            AuditAction::TodoListCreated,
            p.who(),
            Some(account_id),
            ("todo_list", row.id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        Ok(TodoListView::from(row))
    }

    pub async fn update_todo_list(
        &self,
        p: &Principal,
        account_id: Uuid,
        list_id: Uuid,
        patch: &TodoListPatch,
        meta: &Meta,
    ) -> Result<TodoListView> {
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::UseOwnWork(account_id))?;
        let scope = scope(&actor, account_id, scope::TODOS)?;
        let mut row = tx.todo_list(&scope, list_id).await?.ok_or(ServiceError::NotFound)?;
        if let Some(n) = &patch.name {
            let mut errs = FieldErrors::new();
            let Some(n) = checked_name("name", n, &mut errs) else { return Err(ServiceError::Invalid(errs)) };
            if tx.rename_todo_list(&scope, list_id, &n).await? == 0 {
                return Err(ServiceError::NotFound);
            }
            row.name = n;
        }
        tx.insert_audit(&audit(
            AuditAction::TodoListUpdated,
            p.who(),
            Some(account_id),
            ("todo_list", list_id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        Ok(TodoListView::from(row))
    }

    pub async fn delete_todo_list(&self, p: &Principal, account_id: Uuid, list_id: Uuid, meta: &Meta) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::UseOwnWork(account_id))?;
        let scope = scope(&actor, account_id, scope::TODOS)?;
        let row = tx.todo_list(&scope, list_id).await?.ok_or(ServiceError::NotFound)?;
        if row.is_default {
            return Err(ServiceError::Conflict {
                code: ProblemCode::DefaultRecord,
                message: "A member's default to-do list cannot be deleted; rename it instead.".to_owned(),
            });
        }
        if tx.delete_todo_list(&scope, list_id).await? == 0 {
            return Err(ServiceError::NotFound);
        }
        tx.insert_audit(&audit(
            AuditAction::TodoListDeleted,
            p.who(),
            Some(account_id),
            ("todo_list", list_id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
