//! Workflow templates: list, read (every active member), create, edit, delete (`workflows.edit`).
use roster_core::{Action, AuditAction, FieldErrors, authorize, scope};
use roster_store::WorkflowTemplateRow;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::steps::{StepInput, check_steps};
use super::view::{WorkflowTemplatePage, WorkflowTemplateView};
use crate::accounts::page_limit;
use crate::records::projects::checked_name;
use crate::signin::{Principal, audit};
use crate::{Meta, Result, Service, ServiceError, actor, now};

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorkflowTemplate {
    pub name: String,
    /// 1–50 steps, in order.
    pub steps: Vec<StepInput>,
}

/// Fields left out stay as they are; `steps` replaces every step.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkflowTemplatePatch {
    pub name: Option<String>,
    pub steps: Option<Vec<StepInput>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::IntoParams)]
pub struct WorkflowTemplateParams {
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

impl Service {
    /// The account's templates by name.
    pub async fn list_workflow_templates(
        &self,
        p: &Principal,
        account_id: Uuid,
        params: &WorkflowTemplateParams,
    ) -> Result<WorkflowTemplatePage> {
        let limit = page_limit(params.limit)?;
        let mut tx = self.store.read().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let scope = scope::workflow_templates(&actor, account_id)?;
        let after = match params.cursor.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(c) => {
                let bad = || ServiceError::invalid("cursor", "This cursor is not one this server gave out.");
                let id = Uuid::parse_str(c).map_err(|_| bad())?;
                let row = tx.workflow_template(&scope, id).await?.ok_or_else(bad)?;
                Some((row.name, row.id))
            }
        };
        let mut rows = tx.workflow_templates(&scope, after, limit + 1).await?;
        let keep = usize::try_from(limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > keep {
            rows.truncate(keep);
            rows.last().map(|t| t.id.to_string())
        } else {
            None
        };
        let items = rows.into_iter().map(WorkflowTemplateView::try_from).collect::<Result<Vec<_>>>()?;
        Ok(WorkflowTemplatePage { items, next_cursor })
    }

    pub async fn workflow_template(
        &self,
        p: &Principal,
        account_id: Uuid,
        template_id: Uuid,
    ) -> Result<WorkflowTemplateView> {
        let mut tx = self.store.read().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let scope = scope::workflow_templates(&actor, account_id)?;
        WorkflowTemplateView::try_from(tx.workflow_template(&scope, template_id).await?.ok_or(ServiceError::NotFound)?)
    }

    pub async fn create_workflow_template(
        &self,
        p: &Principal,
        account_id: Uuid,
        input: &NewWorkflowTemplate,
        meta: &Meta,
    ) -> Result<WorkflowTemplateView> {
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::EditWorkflowTemplates(account_id))?;
        let scope = scope::workflow_templates(&actor, account_id)?;
        let mut errs = FieldErrors::new();
        let name = checked_name("name", &input.name, &mut errs);
        let steps = check_steps(tx.as_mut(), &scope, &input.steps, &mut errs).await?;
        let (Some(name), Some(steps)) = (name, steps) else { return Err(ServiceError::Invalid(errs)) };
        let at = now();
        let row = WorkflowTemplateRow {
            id: Uuid::now_v7(),
            account_id,
            name,
            steps: steps_json(&steps)?,
            version: 1,
            created_by: p.user.id,
            created_at: at,
            updated_at: at,
        };
        tx.insert_workflow_template(&scope, &row).await?;
        tx.insert_audit(&audit(
            AuditAction::WorkflowTemplateCreated,
            p.who(),
            Some(account_id),
            ("workflow_template", row.id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        WorkflowTemplateView::try_from(row)
    }

    pub async fn update_workflow_template(
        &self,
        p: &Principal,
        account_id: Uuid,
        template_id: Uuid,
        patch: &WorkflowTemplatePatch,
        meta: &Meta,
    ) -> Result<WorkflowTemplateView> {
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::EditWorkflowTemplates(account_id))?;
        let scope = scope::workflow_templates(&actor, account_id)?;
        let mut row = tx.workflow_template(&scope, template_id).await?.ok_or(ServiceError::NotFound)?;
        let mut errs = FieldErrors::new();
        if let Some(n) = &patch.name
            && let Some(n) = checked_name("name", n, &mut errs)
        {
            row.name = n;
        }
        if let Some(s) = &patch.steps
            && let Some(steps) = check_steps(tx.as_mut(), &scope, s, &mut errs).await?
        {
            row.steps = steps_json(&steps)?;
        }
        if !errs.is_empty() {
            return Err(ServiceError::Invalid(errs));
        }
        row.updated_at = now();
        if tx.update_workflow_template(&scope, &row).await? == 0 {
            return Err(ServiceError::NotFound);
        }
        row.version += 1;
        tx.insert_audit(&audit(
            AuditAction::WorkflowTemplateUpdated,
            p.who(),
            Some(account_id),
            ("workflow_template", template_id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        WorkflowTemplateView::try_from(row)
    }

    pub async fn delete_workflow_template(
        &self,
        p: &Principal,
        account_id: Uuid,
        template_id: Uuid,
        meta: &Meta,
    ) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::EditWorkflowTemplates(account_id))?;
        let scope = scope::workflow_templates(&actor, account_id)?;
        if tx.delete_workflow_template(&scope, template_id).await? == 0 {
            return Err(ServiceError::NotFound);
        }
        tx.insert_audit(&audit(
            AuditAction::WorkflowTemplateDeleted,
            p.who(),
            Some(account_id),
            ("workflow_template", template_id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

pub(crate) fn steps_json(steps: &[super::view::StepSpec]) -> Result<String> {
    serde_json::to_string(steps).map_err(|e| ServiceError::Internal(format!("steps do not serialise: {e}")))
}
