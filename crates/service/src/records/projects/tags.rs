//! The account's tags (shared by contacts and projects): any active member reads them; adding
//! or deleting one needs `projects.manage` or `contacts.edit`.
use roster_core::{Action, Actor, AuditAction, FieldErrors, authorize, scope};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::checked_name;
use super::view::TagView;
use crate::signin::{Principal, audit};
use crate::{Meta, Result, Service, ServiceError, actor, now};

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTag {
    pub name: String,
}

fn may_tag(actor: &Actor, account_id: Uuid) -> Result<()> {
    match authorize(actor, Action::ManageProjects(account_id)) {
        Ok(()) => Ok(()),
        Err(e) => authorize(actor, Action::EditContacts(account_id)).map_err(|_| ServiceError::from(e)),
    }
}

impl Service {
    pub async fn tags(&self, p: &Principal, account_id: Uuid) -> Result<Vec<TagView>> {
        let mut tx = self.store.read().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let scope = scope(&actor, account_id, scope::PROJECTS)?;
        Ok(tx.tags(&scope).await?.into_iter().map(TagView::from).collect())
    }

    pub async fn create_tag(&self, p: &Principal, account_id: Uuid, input: &NewTag, meta: &Meta) -> Result<TagView> {
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        may_tag(&actor, account_id)?;
        let scope = scope(&actor, account_id, scope::PROJECTS)?;
        let mut errs = FieldErrors::new();
        let Some(name) = checked_name("name", &input.name, &mut errs) else { return Err(ServiceError::Invalid(errs)) };
        let tag = tx.create_tag(&scope, &name, now()).await?.ok_or_else(|| ServiceError::Conflict {
            code: roster_core::ProblemCode::TagNameTaken,
            message: "The account already has a tag with this name.".to_owned(),
        })?;
        tx.insert_audit(&audit(AuditAction::TagCreated, p.who(), Some(account_id), ("tag", tag.id.to_string()), meta))
            .await?;
        tx.commit().await?;
        Ok(TagView::from(tag))
    }

    pub async fn delete_tag(&self, p: &Principal, account_id: Uuid, tag_id: Uuid, meta: &Meta) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        may_tag(&actor, account_id)?;
        let scope = scope(&actor, account_id, scope::PROJECTS)?;
        if tx.delete_tag(&scope, tag_id).await? == 0 {
            return Err(ServiceError::NotFound);
        }
        tx.insert_audit(&audit(AuditAction::TagDeleted, p.who(), Some(account_id), ("tag", tag_id.to_string()), meta))
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
