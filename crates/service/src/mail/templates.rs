//! An account's email templates (R-MAIL-4): read, override, reset, preview, send a test.
use roster_core::{Action, PermissionSet, authorize};
use roster_mail::{TemplateName, TemplateSource};
use roster_store::{AccountRow, TemplateRow, Tx};
use serde_json::json;
use uuid::Uuid;

use super::{EmailView, Mail, PreviewView, Sender, TemplateInput, TemplateView, TokenView, template_title};
use crate::rights::check_grantable;
use crate::signin::{Principal, audit};
use crate::views::effective_permissions;
use crate::{Meta, Result, Service, ServiceError, actor, now};

/// A template id from a URL; an unknown one is a missing record.
fn template_name(name: &str) -> Result<TemplateName> {
    name.parse().map_err(|_| ServiceError::NotFound)
}

/// Refuses a template that does not parse, uses unknown tokens or does not render, naming the
/// part (`subject`, `text`, `html`) with line and column.
fn checked(name: TemplateName, input: &TemplateInput) -> Result<TemplateSource> {
    let source = TemplateSource::new(input.subject.clone(), input.text.clone(), input.html.clone());
    roster_mail::validate(name, &source).map_err(|e| ServiceError::invalid(e.part().as_str(), e.to_string()))?;
    Ok(source)
}

fn view(name: TemplateName, row: Option<TemplateRow>) -> TemplateView {
    let tokens = name.tokens().iter().map(TokenView::from).collect();
    match row {
        Some(r) => TemplateView {
            name: name.as_str(),
            title: template_title(name),
            subject: r.subject,
            text: r.text_body,
            html: r.html_body,
            customized: true,
            carries_secret: name.carries_secret(),
            updated_at: Some(r.updated_at),
            tokens,
        },
        None => {
            let b = name.builtin();
            TemplateView {
                name: name.as_str(),
                title: template_title(name),
                subject: b.subject.into_owned(),
                text: b.text.into_owned(),
                html: b.html.into_owned(),
                customized: false,
                carries_secret: name.carries_secret(),
                updated_at: None,
                tokens,
            }
        }
    }
}

/// Loads the caller's view of `account_id` and checks `action` once.
pub(crate) async fn account_for(
    tx: &mut dyn Tx,
    p: &Principal,
    account_id: Uuid,
    action: Action,
) -> Result<AccountRow> {
    let (actor, _) = actor::for_principal(tx, p, Some(account_id)).await?;
    authorize(&actor, action)?;
    tx.account_by_id(account_id).await?.ok_or(ServiceError::NotFound)
}

/// [`account_for`] with `account.settings`, for what decides where secrets travel: the
/// account's own server and the templates that carry a link. Those are changed only by someone
/// holding every permission (R-PERM-1, decision 0032): otherwise a member with
/// `account.settings` could catch, with a template or a server of their own, a link meant for a
/// member holding more than they do.
pub(crate) async fn account_for_secret_routes(tx: &mut dyn Tx, p: &Principal, account_id: Uuid) -> Result<AccountRow> {
    let (actor, membership) = actor::for_principal(tx, p, Some(account_id)).await?;
    authorize(&actor, Action::ChangeAccountSettings(account_id))?;
    let held = membership.as_ref().map_or(PermissionSet::EMPTY, effective_permissions);
    check_grantable(held, PermissionSet::all())?;
    tx.account_by_id(account_id).await?.ok_or(ServiceError::NotFound)
}

impl Service {
    /// Every template of the account, customized or built-in.
    pub async fn email_templates(&self, p: &Principal, account_id: Uuid) -> Result<Vec<TemplateView>> {
        let mut tx = self.store.read().await?;
        account_for(tx.as_mut(), p, account_id, Action::ChangeAccountSettings(account_id)).await?;
        let mut out = Vec::with_capacity(TemplateName::ALL.len());
        for name in TemplateName::ALL {
            out.push(view(name, tx.template_override(account_id, name.as_str()).await?));
        }
        Ok(out)
    }

    pub async fn email_template(&self, p: &Principal, account_id: Uuid, name: &str) -> Result<TemplateView> {
        let mut tx = self.store.read().await?;
        account_for(tx.as_mut(), p, account_id, Action::ChangeAccountSettings(account_id)).await?;
        let name = template_name(name)?;
        Ok(view(name, tx.template_override(account_id, name.as_str()).await?))
    }

    /// Saves the account's override after [`roster_mail::validate`]: a broken template is
    /// refused with the part, line and column, and nothing is saved.
    pub async fn put_email_template(
        &self,
        p: &Principal,
        account_id: Uuid,
        name: &str,
        input: &TemplateInput,
        meta: &Meta,
    ) -> Result<TemplateView> {
        let mut tx = self.store.begin().await?;
        let name = template_name(name)?;
        if name.carries_secret() {
            account_for_secret_routes(tx.as_mut(), p, account_id).await?;
        } else {
            account_for(tx.as_mut(), p, account_id, Action::ChangeAccountSettings(account_id)).await?;
        }
        let source = checked(name, input)?;
        let row = TemplateRow {
            account_id,
            name: name.as_str().to_owned(),
            subject: source.subject.into_owned(),
            text_body: source.text.into_owned(),
            html_body: source.html.into_owned(),
            updated_by: Some(p.user.id),
            updated_at: now(),
        };
        tx.put_template_override(&row).await?;
        tx.insert_audit(&audit(
            roster_core::AuditAction::EmailTemplateUpdated,
            p.who(),
            Some(account_id),
            ("email_template", name.as_str().to_owned()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        Ok(view(name, Some(row)))
    }

    /// Drops the account's override: the built-in template is used again.
    pub async fn reset_email_template(
        &self,
        p: &Principal,
        account_id: Uuid,
        name: &str,
        meta: &Meta,
    ) -> Result<TemplateView> {
        let mut tx = self.store.begin().await?;
        account_for(tx.as_mut(), p, account_id, Action::ChangeAccountSettings(account_id)).await?;
        let name = template_name(name)?;
        if tx.delete_template_override(account_id, name.as_str()).await? {
            tx.insert_audit(&audit(
                roster_core::AuditAction::EmailTemplateReset,
                p.who(),
                Some(account_id),
                ("email_template", name.as_str().to_owned()),
                meta,
            ))
            .await?;
        }
        tx.commit().await?;
        Ok(view(name, None))
    }

    /// Renders a draft (or, without one, the template in use) with sample data. A broken draft
    /// answers the same field errors as saving it would.
    pub async fn preview_email_template(
        &self,
        p: &Principal,
        account_id: Uuid,
        name: &str,
        draft: Option<&TemplateInput>,
    ) -> Result<PreviewView> {
        let mut tx = self.store.read().await?;
        account_for(tx.as_mut(), p, account_id, Action::ChangeAccountSettings(account_id)).await?;
        let name = template_name(name)?;
        let source = match draft {
            Some(d) => checked(name, d)?,
            None => match tx.template_override(account_id, name.as_str()).await? {
                Some(t) => TemplateSource::new(t.subject, t.text_body, t.html_body),
                None => name.builtin(),
            },
        };
        let rendered = roster_mail::render(&source, &name.sample_context())
            .map_err(|e| ServiceError::invalid(e.part().as_str(), e.to_string()))?;
        Ok(rendered.into())
    }

    /// Sends the template in use, filled with sample data, to the caller through the outbox.
    pub async fn send_test_of_template(
        &self,
        p: &Principal,
        account_id: Uuid,
        name: &str,
        meta: &Meta,
    ) -> Result<EmailView> {
        let mut tx = self.store.begin().await?;
        let account = account_for(tx.as_mut(), p, account_id, Action::ChangeAccountSettings(account_id)).await?;
        let name = template_name(name)?;
        let mut context = name.sample_context();
        if let Some(obj) = context.as_object_mut() {
            obj.insert("account".to_owned(), json!({ "name": account.name }));
        }
        let email = self
            .enqueue_sample_email(
                tx.as_mut(),
                Mail {
                    account: Some(&account),
                    template: name,
                    to: &p.user.email,
                    context,
                    sender: Sender::Account,
                    bcc: None,
                },
            )
            .await?;
        tx.insert_audit(&audit(
            roster_core::AuditAction::EmailTemplateTestSent,
            p.who(),
            Some(account_id),
            ("email", email.id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        self.mail_enqueued();
        Ok(EmailView::from(&email))
    }
}
