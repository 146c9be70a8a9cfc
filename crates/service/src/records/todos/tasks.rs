//! Tasks in a list, through the list's scope: title (≤ 200), due date (`YYYY-MM-DD`,
//! 1900..2200), done, project, contact and assignee (an active member).
use roster_core::{Action, AuditAction, FieldErrors, Scope, authorize, scope};
use roster_store::{TodoRow, Tx};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::view::{TodoPage, TodoView};
use crate::accounts::page_limit;
use crate::records::projects::{check_active_member, check_contact, checked_name};
use crate::signin::{Principal, audit};
use crate::{Meta, Result, Service, ServiceError, actor, now};

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTodo {
    pub title: String,
    /// `YYYY-MM-DD`.
    pub due_on: Option<String>,
    #[serde(default)]
    pub done: bool,
    pub project_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
}

/// What `PATCH /todos/{id}` changes; absent fields stay, `""` clears `due_on`; `clear` names
/// the links to remove (`project_id`, `contact_id`, `assignee_id`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TodoPatch {
    pub title: Option<String>,
    pub due_on: Option<String>,
    pub done: Option<bool>,
    pub project_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    #[serde(default)]
    pub clear: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::IntoParams)]
pub struct TodoParams {
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// A due date: `YYYY-MM-DD`, a real day, years 1900..2200; empty is none.
pub(crate) fn check_due(raw: &str, errs: &mut FieldErrors) -> Option<Option<String>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Some(None);
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(raw, &fmt) {
        Ok(d) if (1900..=2200).contains(&d.year()) && raw.len() == 10 => Some(Some(raw.to_owned())),
        _ => {
            errs.add("due_on", "Use a date as YYYY-MM-DD between 1900 and 2200.");
            None
        }
    }
}

async fn check_links(
    tx: &mut dyn Tx,
    scope: &Scope,
    project: Option<Uuid>,
    contact: Option<Uuid>,
    assignee: Option<Uuid>,
    errs: &mut FieldErrors,
) -> Result<()> {
    if let Some(pid) = project {
        let all = scope::internal(scope.account_id(), scope::InternalUse::JoinDefaults);
        if tx.project(&all, pid).await?.is_none() {
            errs.add("project_id", "Choose a project of this account.");
        }
    }
    if let Some(c) = contact {
        check_contact(tx, scope, "contact_id", c, errs).await?;
    }
    if let Some(a) = assignee {
        check_active_member(tx, scope, "assignee_id", a, errs).await?;
    }
    Ok(())
}

fn decode_cursor(c: &str) -> Result<(bool, Uuid)> {
    let bad = || ServiceError::invalid("cursor", "This cursor is not one this server gave out.");
    let (d, id) = c.split_once('.').ok_or_else(bad)?;
    let done = match d {
        "0" => false,
        "1" => true,
        _ => return Err(bad()),
    };
    Ok((done, Uuid::parse_str(id).map_err(|_| bad())?))
}

impl Service {
    /// A list's tasks, open ones first.
    pub async fn list_todos(
        &self,
        p: &Principal,
        account_id: Uuid,
        list_id: Uuid,
        params: &TodoParams,
    ) -> Result<TodoPage> {
        let limit = page_limit(params.limit)?;
        let after = params.cursor.as_deref().filter(|s| !s.is_empty()).map(decode_cursor).transpose()?;
        let mut tx = self.store.read().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let scope = scope(&actor, account_id, scope::TODOS)?;
        tx.todo_list(&scope, list_id).await?.ok_or(ServiceError::NotFound)?;
        let mut rows = tx.todos(&scope, list_id, after, limit + 1).await?;
        let keep = usize::try_from(limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > keep {
            rows.truncate(keep);
            rows.last().map(|t| format!("{}.{}", u8::from(t.done), t.id))
        } else {
            None
        };
        Ok(TodoPage { items: rows.into_iter().map(TodoView::from).collect(), next_cursor })
    }

    /// The tasks of a project the caller reaches, in the lists the caller reaches.
    pub async fn project_todos(&self, p: &Principal, account_id: Uuid, project_id: Uuid) -> Result<Vec<TodoView>> {
        let mut tx = self.store.read().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let projects = scope(&actor, account_id, scope::PROJECTS)?;
        tx.project(&projects, project_id).await?.ok_or(ServiceError::NotFound)?;
        let todos = scope(&actor, account_id, scope::TODOS)?;
        Ok(tx.todos_of_project(&todos, project_id, 200).await?.into_iter().map(TodoView::from).collect())
    }

    /// The tasks linked to a contact the caller reaches (R-CON-1), in the lists the caller
    /// reaches (R-TODO-1): open first, at most 200.
    pub async fn contact_todos(&self, p: &Principal, account_id: Uuid, contact_id: Uuid) -> Result<Vec<TodoView>> {
        let mut tx = self.store.read().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let contacts = scope(&actor, account_id, scope::CONTACTS)?;
        tx.contact(&contacts, contact_id).await?.ok_or(ServiceError::NotFound)?;
        let todos = scope(&actor, account_id, scope::TODOS)?;
        Ok(tx.todos_of_contact(&todos, contact_id, 200).await?.into_iter().map(TodoView::from).collect())
    }

    pub async fn todo(&self, p: &Principal, account_id: Uuid, todo_id: Uuid) -> Result<TodoView> {
        let mut tx = self.store.read().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let scope = scope(&actor, account_id, scope::TODOS)?;
        Ok(TodoView::from(tx.todo(&scope, todo_id).await?.ok_or(ServiceError::NotFound)?))
    }

    pub async fn create_todo(
        &self,
        p: &Principal,
        account_id: Uuid,
        list_id: Uuid,
        input: &NewTodo,
        meta: &Meta,
    ) -> Result<TodoView> {
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::UseOwnWork(account_id))?;
        let scope = scope(&actor, account_id, scope::TODOS)?;
        tx.todo_list(&scope, list_id).await?.ok_or(ServiceError::NotFound)?;
        let mut errs = FieldErrors::new();
        let title = checked_name("title", &input.title, &mut errs);
        let due = check_due(input.due_on.as_deref().unwrap_or(""), &mut errs);
        check_links(tx.as_mut(), &scope, input.project_id, input.contact_id, input.assignee_id, &mut errs).await?;
        let (Some(title), Some(due_on), true) = (title, due, errs.is_empty()) else {
            return Err(ServiceError::Invalid(errs));
        };
        let at = now();
        let row = TodoRow {
            id: Uuid::now_v7(),
            account_id,
            list_id,
            title,
            due_on,
            done: input.done,
            done_at: input.done.then_some(at),
            project_id: input.project_id,
            contact_id: input.contact_id,
            assignee_id: input.assignee_id,
            created_by: p.user.id,
            created_at: at,
            updated_at: at,
        };
        if tx.insert_todo(&scope, &row).await? == 0 {
            return Err(ServiceError::NotFound);
        }
        tx.insert_audit(&audit(
            AuditAction::TodoCreated,
            p.who(),
            Some(account_id),
            ("todo", row.id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        Ok(TodoView::from(row))
    }

    pub async fn update_todo(
        &self,
        p: &Principal,
        account_id: Uuid,
        todo_id: Uuid,
        patch: &TodoPatch,
        meta: &Meta,
    ) -> Result<TodoView> {
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::UseOwnWork(account_id))?;
        let scope = scope(&actor, account_id, scope::TODOS)?;
        let mut row = tx.todo(&scope, todo_id).await?.ok_or(ServiceError::NotFound)?;
        let mut errs = FieldErrors::new();
        if let Some(t) = &patch.title
            && let Some(t) = checked_name("title", t, &mut errs)
        {
            row.title = t;
        }
        if let Some(d) = &patch.due_on
            && let Some(d) = check_due(d, &mut errs)
        {
            row.due_on = d;
        }
        for c in &patch.clear {
            match c.as_str() {
                "project_id" => row.project_id = None,
                "contact_id" => row.contact_id = None,
                "assignee_id" => row.assignee_id = None,
                _ => errs.add("clear", "Name project_id, contact_id or assignee_id."),
            }
        }
        check_links(tx.as_mut(), &scope, patch.project_id, patch.contact_id, patch.assignee_id, &mut errs).await?;
        if !errs.is_empty() {
            return Err(ServiceError::Invalid(errs));
        }
        row.project_id = patch.project_id.or(row.project_id);
        row.contact_id = patch.contact_id.or(row.contact_id);
        row.assignee_id = patch.assignee_id.or(row.assignee_id);
        let at = now();
        if let Some(done) = patch.done
            && done != row.done
        {
            row.done = done;
            row.done_at = done.then_some(at);
        }
        row.updated_at = at;
        if tx.update_todo(&scope, &row).await? == 0 {
            return Err(ServiceError::NotFound);
        }
        tx.insert_audit(&audit(
            AuditAction::TodoUpdated,
            p.who(),
            Some(account_id),
            ("todo", todo_id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        Ok(TodoView::from(row))
    }

    pub async fn delete_todo(&self, p: &Principal, account_id: Uuid, todo_id: Uuid, meta: &Meta) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::UseOwnWork(account_id))?;
        let scope = scope(&actor, account_id, scope::TODOS)?;
        if tx.delete_todo(&scope, todo_id).await? == 0 {
            return Err(ServiceError::NotFound);
        }
        tx.insert_audit(&audit(
            AuditAction::TodoDeleted,
            p.who(),
            Some(account_id),
            ("todo", todo_id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
