//! Getting in: the one-time operator setup, password sign-in, sessions and sign-out.

pub(crate) mod known_device;
pub(crate) mod password;
pub(crate) mod register;
pub(crate) mod reset;
pub mod secret;
pub(crate) mod shared_lookup;
pub(crate) mod signup;
pub(crate) mod throttle;
pub(crate) mod token;

use roster_core::{Email, FieldErrors, Login, Password, PersonName};
use roster_store::{AccountRow, AuditRow, MembershipRow, SessionRow, Tx, UserRow};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::actor::Internal;
use crate::views::{MeView, MembershipSummary, UserView};
use crate::{Meta, Result, Service, ServiceError, hash_token, new_secret, now};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// The console's cookie session: slides, needs the CSRF token for unsafe requests.
    Console,
    /// A bearer token from `POST /api/v1/auth/token`.
    Api,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Console => "console",
            SessionKind::Api => "api",
        }
    }

    /// The kind as stored; anything else is an error, never a default.
    pub fn parse(stored: &str) -> Result<Self> {
        match stored {
            "console" => Ok(SessionKind::Console),
            "api" => Ok(SessionKind::Api),
            other => Err(ServiceError::Internal(format!("unknown session kind {other:?} in the database"))),
        }
    }
}

/// A signed-in request's identity.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The session's id; for a personal API token, the token's id (which matches no session).
    pub(crate) session_id: Uuid,
    pub(crate) user: UserRow,
    pub(crate) account_id: Option<Uuid>,
    pub(crate) csrf_token: String,
    pub(crate) kind: SessionKind,
    /// Set when the request came with a personal API token (`api_tokens.rs`; kind `Api`).
    pub(crate) api_token_id: Option<Uuid>,
    /// Set during "log in as" (R-IMP-1, `impersonate.rs`): the person acting as `user`. Every
    /// audit row of the request names them too ([`Principal::who`]).
    pub(crate) impersonator: Option<Uuid>,
    /// What the authenticating statement read besides the session ([`Prefetch`]), for this
    /// request's reads only (decision 0107).
    pub(crate) fetched: Fetched,
}

/// What a request will need of its caller's memberships, read in the same statement as its
/// session ([`Service::authenticate_for`]): one round trip instead of two. Only the request's
/// read units use it (`actor::for_principal`, [`Service::me`]); a unit that writes reads the
/// membership again inside its own transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefetch {
    /// The session and its user only.
    Nothing,
    /// Also the caller's membership in this account (a route under `/accounts/{id}`).
    Membership(Uuid),
    /// Also every membership of the caller with its account (`GET /me`).
    Memberships,
}

/// What [`Prefetch`] found, read at authentication.
#[derive(Debug, Clone, Default)]
pub(crate) enum Fetched {
    #[default]
    Nothing,
    /// The caller's membership in the account, if any.
    Membership(Uuid, Option<MembershipRow>),
    /// Every membership of the caller, by account name.
    Memberships(Vec<(AccountRow, MembershipRow)>),
}

/// Read-only views for the web layer. A `Principal` is made only in this crate, by
/// [`Service::authenticate`] (a session) and the personal API token lookup (`me/tokens.rs`): its
/// fields are private, so no other crate can build one or change whom it names (the
/// `principal_cannot_be_built_outside_the_service` doctest shows the compiler refusing).
///
/// ```compile_fail
/// // principal_cannot_be_built_outside_the_service
/// let p = roster_service::Principal {
///     session_id: uuid::Uuid::nil(),
///     user: todo!(),
///     account_id: None,
///     csrf_token: String::new(),
///     kind: roster_service::SessionKind::Console,
///     api_token_id: None,
///     impersonator: None,
/// };
/// ```
///
/// ```compile_fail
/// // principal_fields_cannot_be_changed_outside_the_service
/// fn widen(p: &mut roster_service::Principal) { p.impersonator = None; }
/// ```
impl Principal {
    /// The session's id; for a personal API token, the token's id.
    pub fn session_id(&self) -> Uuid {
        self.session_id
    }

    /// The signed-in person (during "log in as", the person acted as).
    pub fn user(&self) -> &UserRow {
        &self.user
    }

    /// The account the session is in, if any.
    pub fn account_id(&self) -> Option<Uuid> {
        self.account_id
    }

    /// The session's CSRF token (console forms).
    pub fn csrf_token(&self) -> &str {
        &self.csrf_token
    }

    pub fn kind(&self) -> SessionKind {
        self.kind
    }

    /// The personal API token the request came with, if any.
    pub fn api_token_id(&self) -> Option<Uuid> {
        self.api_token_id
    }

    /// During "log in as" (R-IMP-1): the person really acting.
    pub fn impersonator(&self) -> Option<Uuid> {
        self.impersonator
    }
}

impl Principal {
    /// True when the request may act only in `account_id` and never with the installation's
    /// powers: during "log in as" (R-IMP-1) and with a personal API token (PRODUCT.md §10).
    pub fn is_confined(&self) -> bool {
        self.impersonator.is_some() || self.api_token_id.is_some()
    }

    /// Who is acting, for the audit log: this person and, while impersonated, who acts as them.
    pub(crate) fn who(&self) -> Who {
        Who { actor: Some(self.user.id), impersonator: self.impersonator, internal: None }
    }
}

/// Who did something, as the audit log records it (R-AUD-1): the acting user and, during "log in
/// as" (R-IMP-1), the person acting as them. Use [`Principal::who`] whenever there is a
/// principal, so the impersonator is never left out; the other constructors are for acts without
/// a session (sign-in, setup, a reset link, the CLI), which nobody can impersonate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Who {
    pub actor: Option<Uuid>,
    pub impersonator: Option<Uuid>,
    /// The installation acting for this reason, with no person ([`crate::actor::Identity`]).
    pub internal: Option<Internal>,
}

impl Who {
    /// Nobody known: a visitor signing up, a failed sign-in, a public invitation request.
    pub(crate) fn anonymous() -> Self {
        Who::default()
    }

    /// The installation itself, for a named reason (the command line, a job, the demo).
    pub(crate) fn internal(why: Internal) -> Self {
        Who { internal: Some(why), ..Who::default() }
    }

    /// A person acting without a session (signing in, registering, using a link).
    pub(crate) fn user(id: Uuid) -> Self {
        Who { actor: Some(id), impersonator: None, internal: None }
    }

    /// An audit row's `details`: `extra` (an object, or nothing) with, when the installation
    /// acted, `"internal": "<reason>"` added, so the row says who acted even without an actor.
    pub(crate) fn details(&self, extra: Option<serde_json::Value>) -> Option<String> {
        let mut obj = match extra {
            Some(serde_json::Value::Object(m)) => m,
            Some(other) => return Some(other.to_string()),
            None => serde_json::Map::new(),
        };
        if let Some(i) = self.internal {
            obj.insert("internal".to_owned(), serde_json::Value::from(i.as_str()));
        }
        (!obj.is_empty()).then(|| serde_json::Value::Object(obj).to_string())
    }
}

/// A fresh session: the secret is in `token` and is never stored.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub csrf_token: String,
    pub user: UserRow,
    pub account_id: Option<Uuid>,
    pub accounts: Vec<MembershipSummary>,
    pub expires_in: u64,
    /// After a password sign-in: the "known device" cookie's new value (R-AUTH-7), for the web
    /// layer to set.
    pub known_device: Option<String>,
}

/// The operator's details as typed into the setup page or `roster operator create`.
#[derive(Debug, Clone, Default)]
pub struct NewPerson {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub password: String,
}

pub(crate) struct ParsedPerson {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Email,
    pub password: Password,
}

impl NewPerson {
    pub(crate) fn parse(&self) -> Result<ParsedPerson> {
        let mut errs = FieldErrors::new();
        let first_name = errs.check("first_name", PersonName::parse(&self.first_name));
        let last_name = errs.check("last_name", PersonName::parse(&self.last_name));
        let email = errs.check("email", Email::parse(&self.email));
        let password = errs.check(
            "password",
            roster_core::new_password(&self.password, Some(self.email.trim()), &[&self.first_name, &self.last_name]),
        );
        match (first_name, last_name, email, password) {
            (Some(first_name), Some(last_name), Some(email), Some(password)) if errs.is_empty() => {
                Ok(ParsedPerson { first_name, last_name, email, password })
            }
            _ => Err(ServiceError::Invalid(errs)),
        }
    }
}

/// R-DIS-1: the right password of a member whose access is disabled in `accounts` (names).
fn access_disabled(accounts: &[&str]) -> ServiceError {
    let names = match accounts {
        [one] => format!("“{one}”"),
        [rest @ .., last] => {
            format!("{} and “{last}”", rest.iter().map(|n| format!("“{n}”")).collect::<Vec<_>>().join(", "))
        }
        [] => "this account".to_owned(),
    };
    ServiceError::Closed {
        code: roster_core::ProblemCode::AccessDisabled,
        message: format!(
            "Your password is right, but your access to {names} is disabled. Ask the account's owner or an admin to \
             enable it."
        ),
    }
}

/// The right password of a login that no longer belongs to any account (archived everywhere).
fn no_access() -> ServiceError {
    ServiceError::Closed {
        code: roster_core::ProblemCode::NoMembership,
        message: "Your password is right, but this login no longer belongs to any account. Ask an account's owner \
                  or an admin to restore or invite you."
            .to_owned(),
    }
}

/// An audit row; `who` comes from [`Principal::who`] (or [`Who::user`] without a session).
pub(crate) fn audit(
    action: roster_core::AuditAction,
    who: Who,
    account: Option<Uuid>,
    target: (&str, String),
    meta: &Meta,
) -> AuditRow {
    AuditRow {
        id: Uuid::now_v7(),
        account_id: account,
        actor_id: who.actor,
        impersonator_id: who.impersonator,
        action,
        target_type: Some(target.0.to_owned()),
        target_id: Some(target.1),
        ip: meta.ip.clone(),
        details: who.details(None),
        at: now(),
    }
}

impl Service {
    /// True while the installation has no operator: `serve` then prints a setup link.
    pub async fn needs_setup(&self) -> Result<bool> {
        let mut tx = self.store.read().await?;
        Ok(!tx.operator_exists().await?)
    }

    /// Issues the one-time setup link's secret, replacing any earlier one; `None` once an
    /// operator exists.
    pub async fn issue_setup_token(&self) -> Result<Option<String>> {
        let mut tx = self.store.begin().await?;
        if tx.operator_exists().await? {
            return Ok(None);
        }
        let secret = new_secret("setup_")?;
        tx.replace_setup_token(&hash_token(&secret), now() + self.sessions.setup_link).await?;
        tx.commit().await?;
        Ok(Some(secret))
    }

    pub async fn setup_token_valid(&self, secret: &str) -> Result<bool> {
        let mut tx = self.store.read().await?;
        Ok(tx.setup_token_valid(&hash_token(secret), now()).await?)
    }

    /// Creates the first operator from the setup link and signs them in (console session).
    pub async fn complete_setup(&self, secret: &str, person: &NewPerson, meta: &Meta) -> Result<SignedIn> {
        let parsed = person.parse()?;
        let hash = self.hasher.hash(&parsed.password).await?;
        let mut tx = self.store.begin().await?;
        if !tx.take_setup_token(&hash_token(secret), now()).await? {
            return Err(ServiceError::Gone(
                roster_core::ProblemCode::Gone,
                "This setup link has expired or was already used.",
            ));
        }
        let user = new_user(&parsed, Some(hash), true);
        tx.insert_user(&user).await?;
        tx.insert_audit(&audit(
            roster_core::AuditAction::OperatorCreated,
            Who::user(user.id),
            None,
            ("user", user.id.to_string()),
            meta,
        ))
        .await?;
        let signed_in = self.open_session(tx.as_mut(), user, None, SessionKind::Console, meta).await?;
        tx.commit().await?;
        Ok(signed_in)
    }

    /// `roster operator create`: an operator without the setup link (the CLI is trusted).
    pub async fn create_operator(&self, person: &NewPerson) -> Result<UserView> {
        let parsed = person.parse()?;
        let hash = self.hasher.hash(&parsed.password).await?;
        let mut tx = self.store.begin().await?;
        let user = new_user(&parsed, Some(hash), true);
        tx.insert_user(&user).await?;
        tx.insert_audit(&audit(
            roster_core::AuditAction::OperatorCreated,
            Who::internal(Internal::Cli),
            None,
            ("user", user.id.to_string()),
            &Meta::default(),
        ))
        .await?;
        tx.commit().await?;
        Ok(UserView::from(&user))
    }

    /// Password sign-in (R-AUTH-1). The answer for an unknown login is the one for a wrong
    /// password, after the same hashing work (R-AUTH-7). Failures are throttled per login and
    /// address, per login and per address (`throttle.rs`; a known device by its own failures
    /// only): while blocked, the answer is `Throttled` without password work. The answer carries
    /// the browser's renewed known-device cookie.
    pub async fn sign_in(
        &self,
        login: &str,
        password: &str,
        account_id: Option<Uuid>,
        kind: SessionKind,
        meta: &Meta,
    ) -> Result<SignedIn> {
        let parsed = Login::parse(login).ok();
        let user = match &parsed {
            Some(Login::Email(e)) => self.store.read().await?.user_by_email(e.as_str()).await?,
            Some(Login::Username(u)) => self.store.read().await?.user_by_username(u).await?,
            None => None,
        };
        // R-AUTH-7 throttle (throttle.rs): a browser that signed in to this login before (its
        // known-device cookie) is keyed by its device, else by the address; while a checked key
        // is blocked, stop here, before any password work.
        let device_key = crate::signin::known_device::cookie_key(&self.mail.config.key);
        let device = user
            .as_ref()
            .and_then(|u| crate::signin::known_device::device_of(&device_key, meta.known_device.as_deref(), u.id));
        let throttle_keys = crate::signin::throttle::Keys::sign_in(login, meta.ip.as_deref(), device.as_deref());
        self.check_throttle(&throttle_keys).await?;
        // R-AUTH-7 end
        let hash = user.as_ref().and_then(|u| u.password_hash.as_deref());
        let ok = self.hasher.verify(password, hash).await?;
        let user_id = user.as_ref().map(|u| u.id);
        let Some(user) = user.filter(|_| ok) else {
            // R-AUTH-7: counted (and audited) alike for known and unknown logins.
            return Err(self.sign_in_failed(&throttle_keys, user_id, meta).await);
        };
        let mut tx = self.store.begin().await?;
        let memberships = tx.memberships_of_user(user.id).await?;
        let active: Vec<&MembershipRow> =
            memberships.iter().map(|(_, m)| m).filter(|m| m.status == roster_core::MembershipStatus::Active).collect();
        let chosen = match account_id {
            Some(a) => match active.iter().find(|m| m.account_id == a) {
                Some(m) => Some(m.account_id),
                None => {
                    // R-DIS-1: after the right password only, say that this account's access is
                    // disabled (a stranger never gets this far).
                    let disabled: Vec<&str> = memberships
                        .iter()
                        .filter(|(acc, m)| acc.id == a && m.status == roster_core::MembershipStatus::Disabled)
                        .map(|(acc, _)| acc.name.as_str())
                        .collect();
                    if !disabled.is_empty() {
                        return Err(access_disabled(&disabled));
                    }
                    return Err(ServiceError::invalid("account_id", "You are not an active member of that account."));
                }
            },
            None if active.len() == 1 => active.first().map(|m| m.account_id),
            None => None,
        };
        if active.is_empty() && !user.is_operator {
            // Counted and audited as a failed sign-in, as before. Only now, after the right
            // password, is the person told why (R-DIS-1): their access is disabled. A wrong
            // password or an unknown login never reaches this point, so a stranger learns nothing.
            drop(tx);
            let disabled: Vec<&str> = memberships
                .iter()
                .filter(|(_, m)| m.status == roster_core::MembershipStatus::Disabled)
                .map(|(acc, _)| acc.name.as_str())
                .collect();
            return Err(match self.sign_in_failed(&throttle_keys, Some(user.id), meta).await {
                ServiceError::InvalidCredentials if !disabled.is_empty() => access_disabled(&disabled),
                ServiceError::InvalidCredentials => no_access(),
                other => other,
            });
        }
        // R-AUTH-7: a success forgets the failures of this login at this address (or on this
        // known device); the login's total and the address's count stay (decision 0020).
        crate::signin::throttle::clear(tx.as_mut(), &throttle_keys).await?;
        if let Some(a) = chosen {
            tx.touch_last_sign_in(a, user.id, now()).await?;
        }
        tx.insert_audit(&audit(
            roster_core::AuditAction::SessionSignedIn,
            Who::user(user.id),
            chosen,
            ("user", user.id.to_string()),
            meta,
        ))
        .await?;
        let known_device =
            crate::signin::known_device::after_sign_in(&device_key, meta.known_device.as_deref(), user.id)?;
        let signed_in = self.open_session(tx.as_mut(), user, chosen, kind, meta).await?;
        tx.commit().await?;
        Ok(SignedIn { known_device: Some(known_device), ..signed_in })
    }

    pub(crate) async fn open_session(
        &self,
        tx: &mut dyn Tx,
        user: UserRow,
        account_id: Option<Uuid>,
        kind: SessionKind,
        meta: &Meta,
    ) -> Result<SignedIn> {
        let t = now();
        let (idle, absolute) = match kind {
            SessionKind::Console => (self.sessions.console_idle, self.sessions.console_absolute),
            SessionKind::Api => (self.sessions.api_lifetime, self.sessions.api_lifetime),
        };
        let token = new_secret(match kind {
            SessionKind::Console => "rst_",
            SessionKind::Api => "roster_at_",
        })?;
        let csrf = new_secret("")?;
        let session = SessionRow {
            id: Uuid::now_v7(),
            token_hash: hash_token(&token),
            user_id: user.id,
            account_id,
            kind: kind.as_str().to_owned(),
            csrf_token: csrf.clone(),
            user_agent: meta.user_agent.as_ref().map(|s| s.chars().take(300).collect()),
            ip: meta.ip.clone(),
            created_at: t,
            last_seen_at: t,
            idle_expires_at: t + idle,
            expires_at: t + absolute,
            impersonator_id: None,
            impersonation_reason: None,
        };
        tx.insert_session(&session).await?;
        let accounts = tx
            .memberships_of_user(user.id)
            .await?
            .iter()
            .filter(|(_, m)| m.status == roster_core::MembershipStatus::Active)
            .map(|(a, m)| MembershipSummary::new(a, m))
            .collect();
        Ok(SignedIn {
            token,
            csrf_token: csrf,
            user,
            account_id,
            accounts,
            expires_in: absolute.as_secs(),
            known_device: None,
        })
    }

    /// Resolves a session secret (cookie or bearer) to its principal; slides console sessions.
    /// Nothing is cached: a revoked session is dead on every replica at once. On PostgreSQL the
    /// lookup may be shared with requests authenticating at the same time, always by a statement
    /// begun after this request asked (`shared_lookup.rs`, decision 0111).
    pub async fn authenticate(&self, secret: &str) -> Result<Principal> {
        self.authenticate_for(secret, Prefetch::Nothing).await
    }

    /// [`Service::authenticate`], reading what the request will need of the caller's memberships
    /// in the same statement ([`Prefetch`]).
    pub async fn authenticate_for(&self, secret: &str, want: Prefetch) -> Result<Principal> {
        // Personal API tokens (api_tokens.rs): their own table and checks.
        if secret.starts_with(crate::me::tokens::PREFIX) {
            return self.authenticate_api_token(secret).await;
        }
        // Personal API tokens end
        let t = now();
        let hash = hash_token(secret);
        let found = if let Some(shared) = &self.shared {
            self.shared_session_lookup(&shared.sessions, hash, want).await?
        } else {
            let mut tx = self.store.read().await?;
            match want {
                Prefetch::Nothing => tx.session_by_hash(&hash, t).await?.map(|(s, u)| (s, u, Fetched::Nothing)),
                Prefetch::Membership(a) => {
                    tx.session_with_membership(&hash, t, a).await?.map(|(s, u, m)| (s, u, Fetched::Membership(a, m)))
                }
                Prefetch::Memberships => {
                    tx.session_with_memberships(&hash, t).await?.map(|(s, u, all)| (s, u, Fetched::Memberships(all)))
                }
            }
        };
        let Some((session, user, fetched)) = found else {
            return Err(ServiceError::Unauthenticated);
        };
        let kind = SessionKind::parse(&session.kind)?;
        // R-IMP-1 (impersonate.rs): "log in as" lasts only while the impersonator may still do it.
        if let Some(by) = session.impersonator_id {
            self.check_impersonator(by, user.id, session.account_id).await?;
        }
        // R-IMP-1 end
        // Slide at most once a minute, so reads stay reads.
        if kind == SessionKind::Console && t - session.last_seen_at > time::Duration::minutes(1) {
            let idle = (t + self.sessions.console_idle).min(session.expires_at);
            let mut tx = self.store.begin().await?;
            tx.touch_session(session.id, t, idle).await?;
            tx.commit().await?;
        }
        Ok(Principal {
            session_id: session.id,
            user,
            account_id: session.account_id,
            csrf_token: session.csrf_token,
            kind,
            api_token_id: None,
            impersonator: session.impersonator_id,
            fetched,
        })
    }

    /// Ends the session or bearer token at once (`POST /auth/logout`); a personal API token is
    /// revoked.
    pub async fn sign_out(&self, p: &Principal, meta: &Meta) -> Result<()> {
        // Personal API tokens (api_tokens.rs): signing out with one revokes it.
        if let Some(id) = p.api_token_id {
            return self.revoke_api_token(p, id, meta).await;
        }
        // Personal API tokens end
        let mut tx = self.store.begin().await?;
        tx.delete_session(p.session_id).await?;
        tx.insert_audit(&audit(
            // R-IMP-1: signing out of a "log in as" session ends the impersonation.
            if p.impersonator.is_some() {
                roster_core::AuditAction::MemberImpersonationEnded
            } else {
                roster_core::AuditAction::SessionSignedOut
            },
            p.who(),
            p.account_id,
            ("user", p.user.id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn me(&self, p: &Principal) -> Result<MeView> {
        let read;
        let all = match &p.fetched {
            Fetched::Memberships(all) => all,
            _ => {
                read = self.store.read().await?.memberships_of_user(p.user.id).await?;
                &read
            }
        };
        let memberships = all
            .iter()
            // R-IMP-1: "log in as" shows only the account it was started in; a personal API token
            // only the account it was made in.
            .filter(|(a, _)| !p.is_confined() || Some(a.id) == p.account_id)
            .map(|(a, m)| MembershipSummary::new(a, m))
            .collect();
        Ok(MeView {
            user: UserView::from(&p.user),
            memberships,
            current_account_id: p.account_id,
            impersonator_id: p.impersonator,
        })
    }
}

pub(crate) fn new_user(p: &ParsedPerson, password_hash: Option<String>, is_operator: bool) -> UserRow {
    let t: OffsetDateTime = now();
    UserRow {
        id: Uuid::now_v7(),
        email: p.email.as_str().to_owned(),
        username: None,
        first_name: p.first_name.as_str().to_owned(),
        last_name: p.last_name.as_str().to_owned(),
        phone: None,
        company: None,
        password_hash,
        time_zone: "UTC".to_owned(),
        is_operator,
        // The operator vouches for the people they make (R-AUTH-8).
        email_verified_at: is_operator.then_some(t),
        created_at: t,
        updated_at: t,
    }
}
