//! Public sign-up into one account (R-AUTH-4): off by default; the newcomer joins as `customer`.
use roster_core::BuiltinRole;
use roster_store::{AccountRow, MembershipRow};
use uuid::Uuid;

use crate::signin::{NewPerson, SessionKind, SignedIn, Who, audit, new_user};
use crate::views::{AccountView, UserView};
use crate::{Meta, Result, Service, ServiceError, now};

/// Where someone signs up.
pub enum SignupTarget<'a> {
    Id(Uuid),
    Slug(&'a str),
}

/// The new member and, when asked for, their session.
pub struct SignedUp {
    pub user: UserView,
    pub account: AccountView,
    pub signed_in: Option<SignedIn>,
}

fn closed() -> ServiceError {
    ServiceError::Closed {
        code: roster_core::ProblemCode::SignupClosed,
        message: "This account does not take sign-ups. Ask it for an invitation.".to_owned(),
    }
}

impl Service {
    /// The account's name for the sign-up page, if it takes sign-ups (else `signup_closed`, the
    /// same for an account that does not exist, so slugs cannot be probed).
    pub async fn signup_account(&self, slug: &str) -> Result<AccountRow> {
        let account = self.store.read().await?.account_by_slug(slug).await?;
        account.filter(|a| a.public_signup).ok_or_else(closed)
    }

    /// Signs a new person up into the account as `customer`. An email that already has a login
    /// is told to sign in (an existing user is not joined by a form anyone can post).
    pub async fn sign_up(
        &self,
        target: SignupTarget<'_>,
        person: &NewPerson,
        session: Option<SessionKind>,
        meta: &Meta,
    ) -> Result<SignedUp> {
        let parsed = person.parse()?;
        let hash = self.hasher.hash(&parsed.password).await?;
        let mut tx = self.store.begin().await?;
        let account = match target {
            SignupTarget::Id(id) => tx.account_by_id(id).await?,
            SignupTarget::Slug(s) => tx.account_by_slug(s).await?,
        };
        let account = account.filter(|a| a.public_signup).ok_or_else(closed)?;
        if tx.user_by_email(parsed.email.as_str()).await?.is_some() {
            return Err(ServiceError::Conflict {
                code: roster_core::ProblemCode::EmailTaken,
                message: "This email already has a login: sign in instead.".to_owned(),
            });
        }
        let user = new_user(&parsed, Some(hash), false);
        tx.insert_user(&user).await?;
        let membership = MembershipRow::new(account.id, user.id, BuiltinRole::Customer.into(), now());
        tx.insert_membership(&membership).await?;
        crate::records::membership::on_join(tx.as_mut(), account.id, &user, &[], membership.created_at).await?;
        tx.insert_audit(&audit(
            roster_core::AuditAction::MemberSignedUp,
            Who::user(user.id),
            Some(account.id),
            ("user", user.id.to_string()),
            meta,
        ))
        .await?;
        let user_view = UserView::from(&user);
        let signed_in = match session {
            Some(kind) => Some(self.open_session(tx.as_mut(), user, Some(account.id), kind, meta).await?),
            None => None,
        };
        tx.commit().await?;
        Ok(SignedUp { user: user_view, account: AccountView::new(&account, Some(&membership)), signed_in })
    }
}
