//! Open registration by proof (R-AUTH-3, R-AUTH-8): registering stores a pending registration
//! and emails a confirmation link; the login and the account it owns are made, in one unit of
//! work, only when that link is used. The answer to a registration is the same for a new and a
//! taken address (the taken one gets a "someone tried to register" email, without a secret), so
//! registering tells nobody who has a login.
use std::time::Duration;

use roster_core::{AccountName, FieldErrors};
use roster_mail::TemplateName;
use roster_store::{PendingRegistrationRow, StoreError, UserRow};
use serde_json::json;
use uuid::Uuid;

use crate::accounts::new_account;
use crate::mail::{Mail, Sender};
use crate::signin::reset::written_out;
use crate::signin::token::{hash_token, new_secret};
use crate::signin::{NewPerson, SessionKind, SignedIn, Who, audit};
use crate::views::{AccountView, UserView};
use crate::{Meta, Result, Service, ServiceError, now};

/// The prefix of a confirmation link's secret.
pub const CONFIRM_SECRET_PREFIX: &str = "confirm_";
/// How long a confirmation link works.
pub const CONFIRM_LINK_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// At most this many registration emails per address per hour; more registrations are answered
/// the same and send nothing (registration cannot be used to flood an address).
pub const REGISTRATION_MAILS_PER_HOUR: i64 = 3;

/// A used, expired or unknown confirmation link (410 `link_gone`).
pub const CONFIRM_LINK_GONE: &str =
    "This confirmation link has expired or was already used. Register again to get a new one.";
/// The password given with a confirmation link is not the one chosen when registering (422).
pub const CONFIRM_WRONG_PASSWORD: &str = "Enter the password you chose when you registered. If you did not register, \
                                          ignore this link: nothing is created without it.";
/// The address got a login after the registration (410 `address_has_login`).
pub const CONFIRM_ADDRESS_HAS_LOGIN: &str = "This address already has a login: sign in (or reset your password), then create the account from the accounts page.";

/// A confirmed registration: the login, its account, and a session when one was asked for.
pub struct Registered {
    pub user: UserView,
    pub account: AccountView,
    pub signed_in: Option<SignedIn>,
}

impl Service {
    fn registration_open(&self) -> Result<()> {
        if self.open_registration {
            return Ok(());
        }
        Err(ServiceError::Closed {
            code: roster_core::ProblemCode::RegistrationClosed,
            message: "Registration is closed on this installation. Ask an account's admin for an invitation."
                .to_owned(),
        })
    }

    /// Registers a person (R-AUTH-3). Refused with `registration_closed` unless
    /// `ROSTER_OPEN_REGISTRATION` is on. Otherwise the answer is the same whether or not the
    /// address has a login, after the same work (the password is hashed either way): a new
    /// address gets a confirmation link (the registration waits in `pending_registrations`), a
    /// taken one a "someone tried to register with your address" email. At most
    /// [`REGISTRATION_MAILS_PER_HOUR`] such emails per address.
    pub async fn register(&self, person: &NewPerson, account_name: &str, meta: &Meta) -> Result<()> {
        self.registration_open()?;
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
        // A stranger cannot make the installation mail the world: a few registrations an address.
        self.count_registration(meta.ip.as_deref()).await?;
        // Hashed for a taken address too: both answers cost the same.
        let hash = self.hasher.hash(&parsed.password).await?;
        let email = parsed.email.as_str();
        let t = now();
        let mut tx = self.store.begin().await?;
        if tx.registration_mails_since(email, t - Duration::from_secs(3600)).await? >= REGISTRATION_MAILS_PER_HOUR {
            tracing::warn!("registration emails to one address too often; not sent");
            return Ok(());
        }
        let public_url = &self.mail_config().public_url;
        match tx.user_by_email(email).await? {
            Some(user) => {
                // No secret in this one: it says what happened and where to go.
                let context = json!({
                    "user": { "first_name": user.first_name, "last_name": user.last_name, "email": user.email },
                    "sign_in_link": format!("{public_url}/sign-in"),
                    "reset_link": format!("{public_url}/forgot-password"),
                });
                let mail = Mail {
                    account: None,
                    template: TemplateName::RegistrationAttempt,
                    to: &user.email,
                    context,
                    sender: Sender::Installation,
                    bcc: None,
                };
                self.enqueue_email(tx.as_mut(), mail).await?;
                tx.insert_audit(&audit(
                    roster_core::AuditAction::AuthRegistrationAttempted,
                    Who::anonymous(),
                    None,
                    ("user", user.id.to_string()),
                    meta,
                ))
                .await?;
            }
            None => {
                let secret = new_secret(CONFIRM_SECRET_PREFIX)?;
                let row = PendingRegistrationRow {
                    id: Uuid::now_v7(),
                    email: email.to_owned(),
                    first_name: parsed.first_name.as_str().to_owned(),
                    last_name: parsed.last_name.as_str().to_owned(),
                    account_name: name.as_str().to_owned(),
                    password_hash: hash,
                    token_hash: hash_token(&secret),
                    created_at: t,
                    expires_at: t + CONFIRM_LINK_LIFETIME,
                    used_at: None,
                };
                tx.insert_pending_registration(&row).await?;
                let context = json!({
                    "user": { "first_name": row.first_name, "last_name": row.last_name, "email": row.email },
                    "account": { "name": row.account_name },
                    "link": format!("{public_url}/confirm-email?token={secret}"),
                    "expires_at": written_out(row.expires_at),
                });
                // R-MAIL-6: a secret, sent by the installation only (the mail slice seals it).
                let mail = Mail {
                    account: None,
                    template: TemplateName::EmailConfirmation,
                    to: &row.email,
                    context,
                    sender: Sender::Installation,
                    bcc: None,
                };
                self.enqueue_email(tx.as_mut(), mail).await?;
            }
        }
        tx.record_registration_mail(email, t).await?;
        tx.commit().await?;
        self.mail_enqueued();
        Ok(())
    }

    /// Uses a confirmation link (R-AUTH-8): makes the login (its address proved), the account it
    /// owns and the owner membership, with their audit rows, in one unit of work; with
    /// `session`, signs the new login in. `password` must be the one chosen when registering
    /// (else 422 on `password`, and the link stays usable): whoever registered someone else's
    /// address must not keep a password for the login that person's click makes. Single use: of racing confirms exactly one wins. A
    /// used, expired or unknown link → `Gone(CONFIRM_LINK_GONE)`; an address that got a login
    /// meanwhile → `Gone(CONFIRM_ADDRESS_HAS_LOGIN)` (and the link is used up). Refused with
    /// `registration_closed` while open registration is off.
    pub async fn confirm_email(
        &self,
        secret: &str,
        password: &str,
        session: Option<SessionKind>,
        meta: &Meta,
    ) -> Result<Registered> {
        // Closing registration also stops the links already sent.
        self.registration_open()?;
        let token_hash = hash_token(secret);
        let pending = self.store.read().await?.pending_registration(&token_hash, now()).await?;
        let Some(pending) = pending else {
            return Err(ServiceError::Gone(roster_core::ProblemCode::LinkGone, CONFIRM_LINK_GONE));
        };
        // Whoever clicks proves the address; the password proves they are who registered.
        if !self.hasher.verify(password, Some(&pending.password_hash)).await? {
            return Err(ServiceError::invalid("password", CONFIRM_WRONG_PASSWORD));
        }
        let t = now();
        let mut tx = self.store.begin().await?;
        // First: the conditional update decides the race.
        let Some(reg) = tx.take_pending_registration(&token_hash, t).await? else {
            return Err(ServiceError::Gone(roster_core::ProblemCode::LinkGone, CONFIRM_LINK_GONE));
        };
        if reg.id != pending.id || reg.password_hash != pending.password_hash {
            return Err(ServiceError::Gone(roster_core::ProblemCode::LinkGone, CONFIRM_LINK_GONE));
        }
        if tx.user_by_email(&reg.email).await?.is_some() {
            tx.commit().await?;
            return Err(ServiceError::Gone(roster_core::ProblemCode::AddressHasLogin, CONFIRM_ADDRESS_HAS_LOGIN));
        }
        let name = AccountName::parse(&reg.account_name)
            .map_err(|e| ServiceError::Internal(format!("a pending registration's account name: {}", e.0)))?;
        let user = UserRow {
            id: Uuid::now_v7(),
            email: reg.email.clone(),
            username: None,
            first_name: reg.first_name.clone(),
            last_name: reg.last_name.clone(),
            phone: None,
            company: None,
            password_hash: Some(reg.password_hash.clone()),
            time_zone: "UTC".to_owned(),
            is_operator: false,
            // The link was sent to the address and used: proved (R-AUTH-8).
            email_verified_at: Some(t),
            created_at: t,
            updated_at: t,
        };
        match tx.insert_user(&user).await {
            Ok(()) => {}
            // A login for the address was made a moment ago, another way in.
            Err(StoreError::Conflict(_)) => {
                return Err(ServiceError::Gone(roster_core::ProblemCode::AddressHasLogin, CONFIRM_ADDRESS_HAS_LOGIN));
            }
            Err(e) => return Err(e.into()),
        }
        let (account, owner) = new_account(tx.as_mut(), &name, user.id).await?;
        tx.insert_account(&account, &owner).await?;
        crate::records::membership::on_join(tx.as_mut(), account.id, &user, &[], owner.created_at).await?;
        tx.insert_audit(&audit(
            roster_core::AuditAction::UserRegistered,
            Who::user(user.id),
            Some(account.id),
            ("user", user.id.to_string()),
            meta,
        ))
        .await?;
        tx.insert_audit(&audit(
            roster_core::AuditAction::AccountCreated,
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
