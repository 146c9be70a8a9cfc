//! Accounts and their teams: create, read, list members.

pub(crate) mod demo;
pub(crate) mod demo_bulk;
pub(crate) mod demo_fill;
pub(crate) mod demo_records;
pub(crate) mod demo_runs;
pub(crate) mod demo_tickets;
pub(crate) mod demo_time;
pub(crate) mod demo_work;
mod lanes;
pub(crate) mod settings;
pub(crate) mod switch;

use roster_core::{AccountName, Action, BuiltinRole, FieldErrors, Permission, Slug, authorize};
use roster_store::{AccountCursor, AccountRow, MembershipRow, Tx};
use uuid::Uuid;

use crate::actor;
use crate::signin::{Principal, audit};
use crate::views::{AccountPage, AccountView, PermissionView};
use crate::{Meta, Result, Service, ServiceError, now, signin::token::hex};

/// Page size bounds of API.md: default 50, at most 500.
pub fn page_limit(limit: Option<i64>) -> Result<i64> {
    match limit {
        None => Ok(50),
        Some(n) if (1..=500).contains(&n) => Ok(n),
        Some(_) => Err(ServiceError::invalid("limit", "Use a limit between 1 and 500.")),
    }
}

fn encode_cursor(key: &str, id: Uuid) -> String {
    hex(format!("{key}\u{1f}{id}").as_bytes())
}

fn decode_cursor(cursor: &str) -> Result<(String, Uuid)> {
    let bad = || ServiceError::invalid("cursor", "This cursor is not one this server gave out.");
    if !cursor.len().is_multiple_of(2) || cursor.len() > 2048 {
        return Err(bad());
    }
    let bytes: Option<Vec<u8>> = (0..cursor.len())
        .step_by(2)
        .map(|i| cursor.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect();
    let text = String::from_utf8(bytes.ok_or_else(bad)?).map_err(|_| bad())?;
    let (key, id) = text.split_once('\u{1f}').ok_or_else(bad)?;
    Ok((key.to_owned(), Uuid::parse_str(id).map_err(|_| bad())?))
}

/// Finds a free slug for `name`: `acme-studio`, then `acme-studio-2`, …
async fn free_slug(tx: &mut dyn Tx, name: &AccountName) -> Result<Slug> {
    let base = Slug::from_name(name.as_str());
    let mut slug = base.clone();
    for n in 2..1000 {
        if !tx.slug_taken(slug.as_str()).await? {
            return Ok(slug);
        }
        slug = base.with_suffix(n);
    }
    Err(ServiceError::Conflict {
        code: roster_core::ProblemCode::SlugTaken,
        message: "Choose another account name.".into(),
    })
}

impl Service {
    /// Creates an account owned by the caller (R-AUTH-3, R-OWN-1): account, owner membership
    /// and audit row in one transaction.
    pub async fn create_account(&self, p: &Principal, name: &str, meta: &Meta) -> Result<AccountView> {
        let mut errs = FieldErrors::new();
        let name = errs.check("name", AccountName::parse(name));
        let Some(name) = name else { return Err(ServiceError::Invalid(errs)) };
        // Two replicas may pick the same free slug at once; the unique index refuses one, which
        // then tries again with the next free slug.
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self.try_create_account(p, &name, meta).await {
                Err(ServiceError::Conflict { code: roster_core::ProblemCode::Duplicate, .. }) if attempts < 5 => {
                    continue;
                }
                other => return other,
            }
        }
    }

    async fn try_create_account(&self, p: &Principal, name: &AccountName, meta: &Meta) -> Result<AccountView> {
        crate::impersonation::refuse_while_impersonating(p, "create accounts")?;
        // PRODUCT.md §10: a personal API token acts only in the account it was made in.
        if p.api_token_id.is_some() {
            return Err(crate::me::tokens::bound_to_account());
        }
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, None).await?;
        authorize(&actor, Action::CreateAccount)?;
        let (account, owner) = new_account(tx.as_mut(), name, p.user.id).await?;
        tx.insert_account(&account, &owner).await?;
        crate::records::membership::on_join(tx.as_mut(), account.id, &p.user, &[], owner.created_at).await?;
        tx.insert_audit(&audit(
            roster_core::AuditAction::AccountCreated,
            p.who(),
            Some(account.id),
            ("account", account.id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        let owner = MembershipRow { is_owner: true, ..owner };
        Ok(AccountView::new(&account, Some(&owner)))
    }

    pub async fn get_account(&self, p: &Principal, account_id: Uuid) -> Result<AccountView> {
        let mut tx = self.store.read().await?;
        let (actor, membership) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::ViewAccount(account_id))?;
        let account = tx.account_by_id(account_id).await?.ok_or(ServiceError::NotFound)?;
        Ok(AccountView::new(&account, membership.as_ref()))
    }

    /// The caller's accounts; an operator sees every account (PRODUCT.md §1).
    pub async fn list_accounts(&self, p: &Principal, cursor: Option<&str>, limit: Option<i64>) -> Result<AccountPage> {
        let limit = page_limit(limit)?;
        let mut tx = self.store.read().await?;
        let mut mine = tx.memberships_of_user(p.user.id).await?;
        // R-IMP-1: "log in as" shows only the account it was started in; a personal API token
        // only the account it was made in.
        if p.is_confined() {
            mine.retain(|(a, _)| Some(a.id) == p.account_id);
        }
        if !p.user.is_operator || p.is_confined() {
            let items = mine.iter().map(|(a, m)| AccountView::new(a, Some(m))).collect();
            return Ok(AccountPage { items, next_cursor: None });
        }
        let after = cursor.map(decode_cursor).transpose()?.map(|(name, id)| AccountCursor { name, id });
        let mut rows = tx.all_accounts(after.as_ref(), limit + 1).await?;
        let next_cursor = next_cursor(&mut rows, limit, |a| encode_cursor(&a.name, a.id));
        let items = rows
            .iter()
            .map(|a| AccountView::new(a, mine.iter().find(|(ma, _)| ma.id == a.id).map(|(_, m)| m)))
            .collect();
        Ok(AccountPage { items, next_cursor })
    }

    /// The permission catalogue of PRODUCT.md §3.
    pub fn permissions(&self) -> Vec<PermissionView> {
        Permission::ALL.iter().map(|p| PermissionView { id: p.id(), group: p.group(), grants: p.grants() }).collect()
    }
}

/// Trims a `limit + 1` fetch to `limit` and returns the cursor of the last row kept.
fn next_cursor<T>(rows: &mut Vec<T>, limit: i64, key: impl Fn(&T) -> String) -> Option<String> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(key)
    } else {
        None
    }
}

pub(crate) async fn new_account(
    tx: &mut dyn Tx,
    name: &AccountName,
    owner_id: Uuid,
) -> Result<(AccountRow, MembershipRow)> {
    let slug = free_slug(tx, name).await?;
    let t = now();
    let account = AccountRow {
        id: Uuid::now_v7(),
        name: name.as_str().to_owned(),
        slug: slug.as_str().to_owned(),
        owner_id,
        invite_policy: roster_core::InvitePolicy::OwnerOnly,
        invitation_ttl_days: 7,
        public_signup: false,
        allow_impersonation: true,
        created_at: t,
        updated_at: t,
    };
    let owner = MembershipRow::new(account.id, owner_id, BuiltinRole::Owner.into(), t);
    Ok((account, owner))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let id = Uuid::now_v7();
        let c = encode_cursor("ada lovelace", id);
        assert_eq!(decode_cursor(&c).expect("valid"), ("ada lovelace".to_owned(), id));
        for bad in ["zz", "abc", "00", &"a".repeat(4000)] {
            assert!(decode_cursor(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn limits_follow_api_md() {
        assert_eq!(page_limit(None).expect("default"), 50);
        assert_eq!(page_limit(Some(500)).expect("max"), 500);
        assert!(page_limit(Some(0)).is_err());
        assert!(page_limit(Some(501)).is_err());
    }
}
