//! Open registration (R-AUTH-3): a new login and a new account it owns, in one unit of work.
use roster_core::{AccountName, FieldErrors};

use crate::accounts::new_account;
use crate::auth::{NewPerson, SessionKind, SignedIn, Who, audit, new_user};
use crate::views::{AccountView, UserView};
use crate::{Meta, Result, Service, ServiceError};

/// A registration's outcome: the login, its account, and a session when one was asked for.
pub struct Registered {
    pub user: UserView,
    pub account: AccountView,
    pub signed_in: Option<SignedIn>,
}

impl Service {
    /// Registers a person and creates the account they own. Refused with `registration_closed`
    /// unless `ROSTER_OPEN_REGISTRATION` is on; an email that already has a login is told to sign
    /// in (a signed-in user creates further accounts from the accounts page).
    pub async fn register(
        &self,
        person: &NewPerson,
        account_name: &str,
        session: Option<SessionKind>,
        meta: &Meta,
    ) -> Result<Registered> {
        if !self.open_registration {
            return Err(ServiceError::Closed {
                code: "registration_closed",
                message: "Registration is closed on this installation. Ask an account's admin for an invitation."
                    .to_owned(),
            });
        }
        let mut errs = FieldErrors::new();
        let name = errs.check("account_name", AccountName::parse(account_name));
        let parsed = match person.parse() {
            Ok(p) if errs.is_empty() => p,
            Ok(_) => return Err(ServiceError::Invalid(errs)),
            Err(ServiceError::Invalid(more)) => {
                for e in &more.0 {
                    errs.add(&e.field, e.message.clone());
                }
                return Err(ServiceError::Invalid(errs));
            }
            Err(e) => return Err(e),
        };
        let Some(name) = name else { return Err(ServiceError::Invalid(errs)) };
        let hash = self.hasher.hash(&parsed.password).await?;
        let mut tx = self.store.begin().await?;
        if tx.user_by_email(parsed.email.as_str()).await?.is_some() {
            return Err(ServiceError::Conflict {
                code: "email_taken",
                message: "This email already has a login: sign in, then create the account from the accounts page."
                    .to_owned(),
            });
        }
        let user = new_user(&parsed, Some(hash), false);
        tx.insert_user(&user).await?;
        let (account, owner) = new_account(tx.as_mut(), &name, user.id).await?;
        tx.insert_account(&account, &owner).await?;
        tx.insert_audit(&audit(
            "user.registered",
            Who::user(user.id),
            Some(account.id),
            ("user", user.id.to_string()),
            meta,
        ))
        .await?;
        tx.insert_audit(&audit(
            "account.created",
            Who::user(user.id),
            Some(account.id),
            ("account", account.id.to_string()),
            meta,
        ))
        .await?;
        let user_view = UserView::from(&user);
        let signed_in = match session {
            Some(kind) => Some(self.open_session(tx.as_mut(), user, Some(account.id), kind, meta).await?),
            None => None,
        };
        tx.commit().await?;
        let owner = roster_store::MembershipRow { is_owner: true, ..owner };
        Ok(Registered { user: user_view, account: AccountView::new(&account, Some(&owner)), signed_in })
    }
}
