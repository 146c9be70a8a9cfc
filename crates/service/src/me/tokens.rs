//! Personal API tokens: long-lived bearer secrets a person makes for scripts, each acting as
//! that person in one account. The secret (`roster_pat_` + 256 random bits) is shown once and
//! stored only as its SHA-256. A token works while it is not revoked, not expired, and its
//! owner's membership in its account is active: checked at every use, nothing cached, so
//! disabling, archiving or deleting the membership ends it at once (R-DIS-1).
use roster_core::{Action, authorize};
use roster_store::{ApiTokenRow, FoundApiToken};
use serde::Serialize;
use time::{OffsetDateTime, UtcOffset};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::signin::{Principal, SessionKind, audit};
use crate::{Meta, Result, Service, ServiceError, actor, hash_token, new_secret, now};

/// What every personal token starts with; `authenticate` looks such secrets up here.
pub(crate) const PREFIX: &str = "roster_pat_";
/// How many characters of the secret after [`PREFIX`] lists show.
const SHOWN: usize = 4;
const NAME_MAX: usize = 100;
/// The last use is written at most this often per token, so requests stay reads.
const TOUCH_EVERY: time::Duration = time::Duration::minutes(1);

/// One of the caller's tokens, as lists show it: never the secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiTokenView {
    pub id: Uuid,
    pub name: String,
    /// The secret's first characters (`roster_pat_ab12`), to tell tokens apart.
    pub prefix: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// `null`: the token does not expire.
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    /// To the minute.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
}

impl From<&ApiTokenRow> for ApiTokenView {
    fn from(t: &ApiTokenRow) -> Self {
        Self {
            id: t.id,
            name: t.name.clone(),
            prefix: t.prefix.clone(),
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
        }
    }
}

/// A token just made: the only time its secret is shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NewApiToken {
    pub id: Uuid,
    pub name: String,
    /// The secret: send it as `Authorization: Bearer …`. It is not stored and cannot be shown
    /// again.
    pub token: String,
    pub prefix: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
}

fn no_account() -> ServiceError {
    ServiceError::Conflict {
        code: roster_core::ProblemCode::AccountNotChosen,
        message: "Choose an account first: a personal API token acts in the account you are working in.".into(),
    }
}

/// The answer to switching account, or creating one, with a personal token (`switch.rs`,
/// `accounts.rs`). Routes of another account answer 404 instead (`actor::for_principal`).
pub(crate) fn bound_to_account() -> ServiceError {
    ServiceError::Conflict {
        code: roster_core::ProblemCode::TokenBoundToAccount,
        message: "A personal API token acts only in the account it was made in; use a token made in the other \
                  account, or sign in with your password."
            .into(),
    }
}

/// The name (1–100 characters, trimmed, no control characters) and the expiry (in the future,
/// at the store's precision, in UTC).
fn parse(
    name: &str,
    expires_at: Option<OffsetDateTime>,
    t: OffsetDateTime,
) -> Result<(String, Option<OffsetDateTime>)> {
    let mut errs = roster_core::FieldErrors::new();
    let name = name.trim();
    if name.is_empty() {
        errs.add("name", "Give the token a name, such as the script or machine that uses it.");
    } else if name.chars().count() > NAME_MAX {
        errs.add("name", format!("Use at most {NAME_MAX} characters."));
    } else if !roster_core::is_plain_text(name) {
        errs.add("name", "Use letters, digits, spaces and punctuation only.");
    }
    let expires_at = expires_at.map(|e| {
        let e = e.to_offset(UtcOffset::UTC);
        e.replace_nanosecond(e.nanosecond() / 1000 * 1000).unwrap_or(e)
    });
    if expires_at.is_some_and(|e| e <= t) {
        errs.add("expires_at", "Choose a moment in the future, or none for a token that does not expire.");
    }
    if errs.is_empty() { Ok((name.to_owned(), expires_at)) } else { Err(ServiceError::Invalid(errs)) }
}

impl Service {
    /// Makes a personal API token for the caller in their current account; the answer holds the
    /// secret, shown this once. A token cannot make tokens (a leaked one could not outlive its
    /// revocation by minting another); sign in with a password for that.
    pub async fn create_api_token(
        &self,
        p: &Principal,
        name: &str,
        expires_at: Option<OffsetDateTime>,
        meta: &Meta,
    ) -> Result<NewApiToken> {
        crate::impersonation::refuse_while_impersonating(p, "create API tokens in their name")?;
        if p.api_token_id.is_some() {
            return Err(ServiceError::Closed {
                code: roster_core::ProblemCode::TokenCannotCreateTokens,
                message: "A personal API token cannot create tokens; sign in with your password to create one.".into(),
            });
        }
        let account_id = p.account_id.ok_or_else(no_account)?;
        let t = now();
        let (name, expires_at) = parse(name, expires_at, t)?;
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::ManageOwnTokens(account_id))?;
        let secret = new_secret(PREFIX)?;
        let row = ApiTokenRow {
            id: Uuid::now_v7(),
            user_id: p.user.id,
            account_id,
            name,
            token_hash: hash_token(&secret),
            prefix: secret.chars().take(PREFIX.len() + SHOWN).collect(),
            created_at: t,
            expires_at,
            last_used_at: None,
            revoked_at: None,
        };
        tx.insert_api_token(&row).await?;
        tx.insert_audit(&audit(
            roster_core::AuditAction::ApiTokenCreated,
            p.who(),
            Some(account_id),
            ("api_token", row.id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        Ok(NewApiToken {
            id: row.id,
            name: row.name,
            token: secret,
            prefix: row.prefix,
            created_at: row.created_at,
            expires_at: row.expires_at,
        })
    }

    /// The caller's unrevoked tokens in their current account, newest first (expired ones too).
    pub async fn my_api_tokens(&self, p: &Principal) -> Result<Vec<ApiTokenView>> {
        crate::impersonation::refuse_while_impersonating(p, "see their API tokens")?;
        let account_id = p.account_id.ok_or_else(no_account)?;
        let mut tx = self.store.read().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::ManageOwnTokens(account_id))?;
        Ok(tx.api_tokens_of(account_id, p.user.id).await?.iter().map(ApiTokenView::from).collect())
    }

    /// Revokes one of the caller's tokens in their current account; it stops working at once.
    /// Another person's or another account's token is simply not found.
    pub async fn revoke_api_token(&self, p: &Principal, id: Uuid, meta: &Meta) -> Result<()> {
        crate::impersonation::refuse_while_impersonating(p, "revoke their API tokens")?;
        let account_id = p.account_id.ok_or_else(no_account)?;
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::ManageOwnTokens(account_id))?;
        if !tx.revoke_api_token(account_id, p.user.id, id, now()).await? {
            return Err(ServiceError::NotFound);
        }
        tx.insert_audit(&audit(
            roster_core::AuditAction::ApiTokenRevoked,
            p.who(),
            Some(account_id),
            ("api_token", id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// `authenticate` for a `roster_pat_` secret: one read (token, user, membership status),
    /// and a write at most once a minute for the last use. The principal's `session_id` is the
    /// token's id, which matches no session, and `api_token_id` says it is a token.
    pub(crate) async fn authenticate_api_token(&self, secret: &str) -> Result<Principal> {
        let t = now();
        let hash = hash_token(secret);
        let found = match &self.shared {
            // Shared with the token lookups asked meanwhile, begun after this one (decision 0111).
            Some(shared) => shared.api_tokens.read(&(), hash, |asks| self.lookup_api_tokens(asks)).await?,
            None => self.store.read().await?.api_token_by_hash(&hash, t).await?,
        };
        let Some((token, user, membership)) = found else {
            return Err(ServiceError::Unauthenticated);
        };
        // R-DIS-1: the token acts as a member; a membership that is not active ends it.
        if membership.as_ref().map(|m| m.status) != Some(roster_core::MembershipStatus::Active) {
            return Err(ServiceError::Unauthenticated);
        }
        if token.last_used_at.is_none_or(|used| t - used >= TOUCH_EVERY) {
            let mut tx = self.store.begin().await?;
            tx.touch_api_token(token.id, t, t - TOUCH_EVERY).await?;
            tx.commit().await?;
        }
        // PRODUCT.md §10: a token acts only in its account, so never with the installation's
        // powers either (an operator's token is an ordinary member's there).
        let user = roster_store::UserRow { is_operator: false, ..user };
        Ok(Principal {
            session_id: token.id,
            user,
            account_id: Some(token.account_id),
            // Never checked (bearer requests need no CSRF token), but never guessable either.
            csrf_token: new_secret("")?,
            kind: SessionKind::Api,
            api_token_id: Some(token.id),
            // A token is made outside "log in as" (refused while impersonating).
            impersonator: None,
            // The token's only account: its membership read with the token serves this
            // request's reads there, as a session's does (decision 0107).
            fetched: crate::signin::Fetched::Membership(token.account_id, membership),
        })
    }
}

/// Personal API token lookups shared by requests asking at the same time (decision 0111).
pub(crate) type SharedTokenLookups = crate::shared_reads::SharedReads<(), Vec<u8>, Option<FoundApiToken>>;

/// The most tokens one shared lookup reads.
const MAX_TOKENS_A_LOOKUP: usize = 64;

pub(crate) fn shared_token_lookups() -> SharedTokenLookups {
    crate::shared_reads::SharedReads::new(MAX_TOKENS_A_LOOKUP)
}

impl Service {
    /// One statement for the token hashes `asks`: each ask's live token, if any.
    async fn lookup_api_tokens(&self, asks: Vec<Vec<u8>>) -> Result<Vec<Option<FoundApiToken>>> {
        let t = now();
        let mut hashes = asks.clone();
        hashes.sort_unstable();
        hashes.dedup();
        let found = self.store.read().await?.api_tokens_by_hashes(&hashes, t).await?;
        Ok(asks.iter().map(|h| found.iter().find(|f| f.0.token_hash == *h).cloned()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_expiry_are_checked() {
        let t = now();
        assert_eq!(parse("  CI deploy ", None, t).map(|p| p.0).ok().as_deref(), Some("CI deploy"));
        assert!(parse("", None, t).is_err());
        assert!(parse(&"x".repeat(NAME_MAX), None, t).is_ok());
        assert!(parse(&"x".repeat(NAME_MAX + 1), None, t).is_err());
        assert!(parse("tab\there", None, t).is_err());
        assert!(parse("past", Some(t - time::Duration::seconds(1)), t).is_err());
        let later = t + time::Duration::days(1);
        assert_eq!(parse("future", Some(later), t).map(|p| p.1).ok(), Some(Some(later)));
    }
}
