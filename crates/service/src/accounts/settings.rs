//! An account's settings (API.md `PATCH /accounts/{id}`): name, invite policy, invitation
//! lifetime, public sign-up (R-AUTH-4). The outgoing server has its own resource (`smtp`).
use roster_core::{AccountName, Action, FieldErrors};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::mail::templates::account_for;
use crate::signin::{Principal, audit};
use crate::views::AccountView;
use crate::{Meta, Result, Service, ServiceError, actor, now};

/// The settings to change; absent ones stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    pub name: Option<String>,
    /// `owner_only` or `permission` (holders of `users.invite`).
    pub invite_policy: Option<String>,
    /// 1 to 90 days.
    pub invitation_ttl_days: Option<i32>,
    /// Anyone may sign up into this account as a `customer` (R-AUTH-4).
    pub public_signup: Option<bool>,
    /// Members with `users.impersonate` may "log in as" others (R-IMP-1).
    pub allow_impersonation: Option<bool>,
}

impl Service {
    /// The account as its settings form shows it; needs `account.settings`.
    pub async fn account_settings(&self, p: &Principal, account_id: Uuid) -> Result<AccountView> {
        let mut tx = self.store.read().await?;
        let account = account_for(tx.as_mut(), p, account_id, Action::ChangeAccountSettings(account_id)).await?;
        let (_, membership) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        Ok(AccountView::new(&account, membership.as_ref()))
    }

    /// Changes the account's settings; needs `account.settings`.
    pub async fn update_account(
        &self,
        p: &Principal,
        account_id: Uuid,
        patch: &AccountPatch,
        meta: &Meta,
    ) -> Result<AccountView> {
        let mut errs = FieldErrors::new();
        let name = patch.name.as_deref().and_then(|n| errs.check("name", AccountName::parse(n)));
        let policy = match patch.invite_policy.as_deref().map(roster_core::InvitePolicy::parse).transpose() {
            Ok(policy) => policy,
            Err(_) => {
                errs.add("invite_policy", "Choose owner_only or permission.");
                None
            }
        };
        if patch.invitation_ttl_days.is_some_and(|d| !(1..=90).contains(&d)) {
            errs.add("invitation_ttl_days", "Use 1 to 90 days.");
        }
        if !errs.is_empty() {
            return Err(ServiceError::Invalid(errs));
        }
        let mut tx = self.store.begin().await?;
        let mut account = account_for(tx.as_mut(), p, account_id, Action::ChangeAccountSettings(account_id)).await?;
        if let Some(n) = name {
            account.name = n.as_str().to_owned();
        }
        if let Some(policy) = policy {
            account.invite_policy = policy;
        }
        if let Some(days) = patch.invitation_ttl_days {
            account.invitation_ttl_days = days;
        }
        if let Some(open) = patch.public_signup {
            account.public_signup = open;
        }
        if let Some(allow) = patch.allow_impersonation {
            account.allow_impersonation = allow;
        }
        account.updated_at = now();
        tx.update_account_settings(&account).await?;
        tx.insert_audit(&audit(
            roster_core::AuditAction::AccountSettingsChanged,
            p.who(),
            Some(account_id),
            ("account", account_id.to_string()),
            meta,
        ))
        .await?;
        let (_, membership) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        tx.commit().await?;
        Ok(AccountView::new(&account, membership.as_ref()))
    }
}
