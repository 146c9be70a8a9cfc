//! Reading an outbox and retrying a failed email (R-MAIL-1).
use roster_core::Action;
use roster_store::EmailRow;
use uuid::Uuid;

use super::templates::account_for;
use super::{EmailDetail, EmailPage, EmailView};
use crate::signin::{Principal, audit};
use crate::{Meta, Result, Service, ServiceError, now, page_limit};

fn cursor(c: Option<&str>) -> Result<Option<Uuid>> {
    c.map(|c| {
        Uuid::parse_str(c).map_err(|_| ServiceError::invalid("cursor", "This cursor is not one this server gave out."))
    })
    .transpose()
}

fn page(mut rows: Vec<EmailRow>, limit: i64) -> EmailPage {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|e| e.id.to_string())
    } else {
        None
    };
    EmailPage { items: rows.iter().map(EmailView::from).collect(), next_cursor }
}

impl Service {
    /// Emails by status (`queued`, `sent`, `failed`) for `/metrics`; every status is listed.
    pub async fn outbox_counts(&self) -> Result<Vec<(&'static str, i64)>> {
        let counts = self.store.read().await?.email_counts().await?;
        Ok(["queued", "sent", "failed"]
            .into_iter()
            .map(|s| (s, counts.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n)))
            .collect())
    }

    /// The account's outbox, newest first.
    pub async fn account_emails(
        &self,
        p: &Principal,
        account_id: Uuid,
        before: Option<&str>,
        limit: Option<i64>,
    ) -> Result<EmailPage> {
        let limit = page_limit(limit)?;
        let before = cursor(before)?;
        let mut tx = self.store.read().await?;
        account_for(tx.as_mut(), p, account_id, Action::ViewOutbox(account_id)).await?;
        Ok(page(tx.emails_of_account(account_id, before, limit + 1).await?, limit))
    }

    /// Every account's outbox and the installation's own mail: the operator's view.
    pub async fn all_emails(&self, p: &Principal, before: Option<&str>, limit: Option<i64>) -> Result<EmailPage> {
        if !p.user.is_operator {
            return Err(ServiceError::NotFound);
        }
        let limit = page_limit(limit)?;
        let before = cursor(before)?;
        let mut tx = self.store.read().await?;
        let mut out = page(tx.all_emails(before, limit + 1).await?, limit);
        // The operator reads accounts by name: one lookup per account on the page (few), not
        // per email.
        let mut names: std::collections::HashMap<Uuid, Option<String>> = std::collections::HashMap::new();
        for e in &mut out.items {
            if let Some(a) = e.account_id {
                if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(a) {
                    slot.insert(tx.account_by_id(a).await?.map(|acc| acc.name));
                }
                e.account_name = names.get(&a).cloned().flatten();
            }
        }
        Ok(out)
    }

    /// One email as sent, with both bodies. `account_id` `None` is the operator's view of any.
    pub async fn email(&self, p: &Principal, account_id: Option<Uuid>, email_id: Uuid) -> Result<EmailDetail> {
        let mut tx = self.store.read().await?;
        match account_id {
            Some(a) => {
                account_for(tx.as_mut(), p, a, Action::ViewOutbox(a)).await?;
            }
            None if p.user.is_operator => {}
            None => return Err(ServiceError::NotFound),
        }
        let email = tx.email_by_id(email_id).await?.ok_or(ServiceError::NotFound)?;
        if account_id.is_some() && email.account_id != account_id {
            return Err(ServiceError::NotFound);
        }
        let mut detail = EmailDetail::from(&email);
        // The operator's view names the account.
        if let (None, Some(a)) = (account_id, email.account_id) {
            detail.email.account_name = tx.account_by_id(a).await?.map(|acc| acc.name);
        }
        Ok(detail)
    }

    /// "Retry now": a failed email goes back in the queue, due at once.
    pub async fn retry_email(
        &self,
        p: &Principal,
        account_id: Option<Uuid>,
        email_id: Uuid,
        meta: &Meta,
    ) -> Result<EmailView> {
        let mut tx = self.store.begin().await?;
        match account_id {
            Some(a) => {
                account_for(tx.as_mut(), p, a, Action::RetryEmail(a)).await?;
            }
            None if p.user.is_operator => {}
            None => return Err(ServiceError::NotFound),
        }
        let email = tx.email_by_id(email_id).await?.ok_or(ServiceError::NotFound)?;
        if account_id.is_some() && email.account_id != account_id {
            return Err(ServiceError::NotFound);
        }
        if !tx.requeue_email(email.account_id, email_id, now()).await? {
            return Err(ServiceError::Conflict {
                code: roster_core::ProblemCode::NotFailed,
                message: format!("Only a failed email can be retried; this one is {}.", email.status),
            });
        }
        tx.insert_audit(&audit(
            roster_core::AuditAction::EmailRetried,
            p.who(),
            email.account_id,
            ("email", email_id.to_string()),
            meta,
        ))
        .await?;
        let email = tx.email_by_id(email_id).await?.ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
        self.mail_enqueued();
        Ok(EmailView::from(&email))
    }
}
