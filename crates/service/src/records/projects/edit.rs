//! Making, changing and deleting projects and setting their members (R-PRJ-1): `projects.manage`
//! and the caller's scope. "Admins join every new project automatically": the members are the
//! chosen ones, every active owner or admin, and the creator.
use roster_core::{Action, AuditAction, FieldErrors, ProjectStatus, Scope, authorize, scope};
use roster_store::{ProjectRow, Tx};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::view::{ProjectView, project_view};
use super::{check_active_member, check_contact, checked_name};
use crate::signin::{Principal, audit};
use crate::{Meta, Result, Service, ServiceError, actor, now};

/// The most members or tags one project takes in a request.
const LIST_MAX: usize = 500;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProject {
    pub name: String,
    pub contact_id: Option<Uuid>,
    /// Tag names; missing tags are made.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Active members; every active owner and admin and the creator join as well.
    #[serde(default)]
    pub member_ids: Vec<Uuid>,
    /// active (default), on_hold, completed or cancelled.
    pub status: Option<String>,
}

/// What `PATCH /projects/{id}` changes; absent fields stay. `contact_id: null` is left as is
/// (use `clear_contact`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectPatch {
    pub name: Option<String>,
    pub contact_id: Option<Uuid>,
    /// True removes the client contact.
    #[serde(default)]
    pub clear_contact: bool,
    pub tags: Option<Vec<String>>,
    pub member_ids: Option<Vec<Uuid>>,
    pub status: Option<String>,
}

fn check_status(raw: Option<&str>, errs: &mut FieldErrors) -> Option<ProjectStatus> {
    let raw = raw?;
    let s = ProjectStatus::parse(raw.trim()).ok();
    if s.is_none() {
        errs.add("status", "Use active, on_hold, completed or cancelled.");
    }
    s
}

/// The tag names, each trimmed and checked; the errors under `tags`.
fn check_tags(names: &[String], errs: &mut FieldErrors) -> Vec<String> {
    if names.len() > LIST_MAX {
        errs.add("tags", format!("Use at most {LIST_MAX} tags."));
        return Vec::new();
    }
    names.iter().filter_map(|n| checked_name("tags", n, errs)).collect()
}

async fn check_members(tx: &mut dyn Tx, scope: &Scope, ids: &[Uuid], errs: &mut FieldErrors) -> Result<()> {
    if ids.len() > LIST_MAX {
        errs.add("member_ids", format!("Use at most {LIST_MAX} members."));
        return Ok(());
    }
    for id in ids {
        check_active_member(tx, scope, "member_ids", *id, errs).await?;
    }
    Ok(())
}

impl Service {
    /// A new project; the caller, the chosen members and every active owner and admin join it.
    pub async fn create_project(
        &self,
        p: &Principal,
        account_id: Uuid,
        input: &NewProject,
        meta: &Meta,
    ) -> Result<ProjectView> {
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::ManageProjects(account_id))?;
        let scope = scope(&actor, account_id, scope::PROJECTS)?;
        let mut errs = FieldErrors::new();
        let name = checked_name("name", &input.name, &mut errs);
        let status = check_status(input.status.as_deref(), &mut errs).unwrap_or(ProjectStatus::Active);
        if let Some(c) = input.contact_id {
            check_contact(tx.as_mut(), &scope, "contact_id", c, &mut errs).await?;
        }
        check_members(tx.as_mut(), &scope, &input.member_ids, &mut errs).await?;
        let tags = check_tags(&input.tags, &mut errs);
        let Some(name) = name.filter(|_| errs.is_empty()) else { return Err(ServiceError::Invalid(errs)) };
        let at = now();
        let row = ProjectRow {
            id: Uuid::now_v7(),
            account_id,
            name,
            contact_id: input.contact_id,
            status,
            owner_id: p.user.id,
            created_at: at,
            updated_at: at,
        };
        // The whole account while it is made: the creator becomes a member just below.
        let all = scope::internal(account_id, scope::InternalUse::JoinDefaults);
        tx.insert_project(&all, &row).await?;
        let mut members = input.member_ids.clone();
        members.extend(tx.admin_user_ids(&all).await?);
        members.push(p.user.id);
        members.sort();
        members.dedup();
        tx.set_project_members(&all, row.id, &members).await?;
        let tag_ids: Vec<Uuid> = tx.ensure_tags(&all, &tags, at).await?.into_iter().map(|t| t.id).collect();
        tx.set_project_tags(&all, row.id, &tag_ids).await?;
        tx.insert_audit(&audit(
            AuditAction::ProjectCreated,
            p.who(),
            Some(account_id),
            ("project", row.id.to_string()),
            meta,
        ))
        .await?;
        let view = project_view(tx.as_mut(), &scope, row).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Changes a project in the caller's scope.
    pub async fn update_project(
        &self,
        p: &Principal,
        account_id: Uuid,
        project_id: Uuid,
        patch: &ProjectPatch,
        meta: &Meta,
    ) -> Result<ProjectView> {
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::ManageProjects(account_id))?;
        let scope = scope(&actor, account_id, scope::PROJECTS)?;
        let mut row = tx.project(&scope, project_id).await?.ok_or(ServiceError::NotFound)?;
        let mut errs = FieldErrors::new();
        if let Some(n) = &patch.name
            && let Some(n) = checked_name("name", n, &mut errs)
        {
            row.name = n;
        }
        if let Some(s) = check_status(patch.status.as_deref(), &mut errs) {
            row.status = s;
        }
        if let Some(c) = patch.contact_id {
            check_contact(tx.as_mut(), &scope, "contact_id", c, &mut errs).await?;
            row.contact_id = Some(c);
        } else if patch.clear_contact {
            row.contact_id = None;
        }
        if let Some(ids) = &patch.member_ids {
            check_members(tx.as_mut(), &scope, ids, &mut errs).await?;
        }
        let tags = patch.tags.as_deref().map(|t| check_tags(t, &mut errs));
        if !errs.is_empty() {
            return Err(ServiceError::Invalid(errs));
        }
        let at = now();
        row.updated_at = at;
        if tx.update_project(&scope, &row).await? == 0 {
            return Err(ServiceError::NotFound);
        }
        if let Some(tags) = tags {
            let ids: Vec<Uuid> = tx.ensure_tags(&scope, &tags, at).await?.into_iter().map(|t| t.id).collect();
            tx.set_project_tags(&scope, project_id, &ids).await?;
        }
        if let Some(ids) = &patch.member_ids {
            let mut ids = ids.clone();
            ids.sort();
            ids.dedup();
            tx.set_project_members(&scope, project_id, &ids).await?;
            tx.insert_audit(&audit(
                AuditAction::ProjectMembersChanged,
                p.who(),
                Some(account_id),
                ("project", project_id.to_string()),
                meta,
            ))
            .await?;
        }
        tx.insert_audit(&audit(
            AuditAction::ProjectUpdated,
            p.who(),
            Some(account_id),
            ("project", project_id.to_string()),
            meta,
        ))
        .await?;
        // Read back in the whole account: the caller may have left the project's members.
        let all = scope::internal(account_id, scope::InternalUse::JoinDefaults);
        let view = project_view(tx.as_mut(), &all, row).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Replaces a project's members (`PUT /projects/{id}/members`).
    pub async fn set_project_members(
        &self,
        p: &Principal,
        account_id: Uuid,
        project_id: Uuid,
        member_ids: &[Uuid],
        meta: &Meta,
    ) -> Result<Vec<Uuid>> {
        let patch = ProjectPatch { member_ids: Some(member_ids.to_vec()), ..ProjectPatch::default() };
        Ok(self.update_project(p, account_id, project_id, &patch, meta).await?.member_ids)
    }

    /// A project's members' user ids.
    pub async fn project_members(&self, p: &Principal, account_id: Uuid, project_id: Uuid) -> Result<Vec<Uuid>> {
        Ok(self.project(p, account_id, project_id).await?.member_ids)
    }

    /// Deletes a project in the caller's scope.
    pub async fn delete_project(&self, p: &Principal, account_id: Uuid, project_id: Uuid, meta: &Meta) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::ManageProjects(account_id))?;
        let scope = scope(&actor, account_id, scope::PROJECTS)?;
        if tx.delete_project(&scope, project_id).await? == 0 {
            return Err(ServiceError::NotFound);
        }
        tx.insert_audit(&audit(
            AuditAction::ProjectDeleted,
            p.who(),
            Some(account_id),
            ("project", project_id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
