//! Add a user to an account (R-ADD-1, R-ADD-2): a new login with a role (customer by default,
//! R-ROLE-1) or an explicit permission list, never more than the creator holds (R-PERM-1). The
//! welcome email carries a link to set a password. An address that already has a login is never
//! joined: it is sent an invitation instead (R-ADD-3), and nothing of that login reaches the adder.
use std::time::Duration;

use roster_core::{Action, Email, FieldErrors, PermissionSet, PersonName, authorize, new_password};
use roster_mail::TemplateName;
use roster_store::{MemberPerson, MemberRow, MembershipRow, StoreError, UserRow};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::invitations::{InvitedBy, Invitee, already_member, pending_conflict};
use crate::mail::{Mail, Sender};
use crate::rights::{Rights, check_grantable, resolve_rights};
use crate::signin::reset::written_out;
use crate::signin::token::{hash_token, new_secret};
use crate::signin::{Principal, audit};
use crate::views::{MemberView, effective_permissions};
use crate::{Meta, Result, Service, ServiceError, actor, now};

/// How long the set-password link of a welcome email works.
pub const WELCOME_LINK_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);

/// Longest custom welcome subject (the renderer's own limit).
const SUBJECT_MAX: usize = 200;

/// What the creator typed. Empty optional strings count as absent.
#[derive(Debug, Clone, Default)]
pub struct NewMember {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub username: Option<String>,
    pub company: Option<String>,
    /// A built-in role key, or a custom role's id or name; `None` (and no `permissions`) gives
    /// `customer` (R-ROLE-1).
    pub role: Option<String>,
    /// Explicit permission ids instead of a role.
    pub permissions: Option<Vec<String>>,
    pub password: Option<String>,
    pub send_welcome: bool,
    pub welcome_subject: Option<String>,
    pub bcc_me: bool,
    /// R-JOIN-1: projects of the account the new member joins at once.
    pub project_ids: Vec<Uuid>,
    /// The new member's preferences in this account (defaults for what is absent).
    pub preferences: Option<crate::PreferencesPatch>,
}

/// The new member, and a warning when they cannot sign in yet.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AddedMember {
    #[serde(flatten)]
    pub member: MemberView,
    /// Always false: an address with a login is invited instead (R-ADD-3). Kept for clients.
    pub existing_user: bool,
    /// Set when the person has no password and no welcome email was sent.
    pub warning: Option<String>,
}

/// An invitation sent instead of adding (R-ADD-3): only what the adder typed and the
/// invitation's own state, nothing of the login.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvitationSent {
    pub id: Uuid,
    pub email: String,
    /// `pending`.
    pub status: roster_core::InvitationStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: time::OffsetDateTime,
}

/// The answer to adding a user: a new member (201), or an invitation for an address that
/// already has a login (202, R-ADD-3).
#[derive(Debug, Clone)]
pub enum AddOutcome {
    Added(Box<AddedMember>),
    Invited(InvitationSent),
}

pub const NO_SIGN_IN_WARNING: &str =
    "This user has no password and was sent no welcome email: they cannot sign in until they get one.";

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The checked input.
struct Parsed {
    email: Email,
    first_name: PersonName,
    last_name: PersonName,
    phone: Option<String>,
    username: Option<String>,
    company: Option<String>,
    password: Option<roster_core::Password>,
    subject: Option<String>,
}

impl NewMember {
    /// Checks the fields, adding to `errs` (which may hold the role's errors already).
    fn parse(&self, mut errs: FieldErrors) -> Result<Parsed> {
        let email = errs.check("email", Email::parse(&self.email));
        let first_name = errs.check("first_name", PersonName::parse(&self.first_name));
        let last_name = errs.check("last_name", PersonName::parse(&self.last_name));
        let phone = opt(&self.phone).map(str::to_owned);
        if phone.as_ref().is_some_and(|p| p.chars().count() > 40) {
            errs.add("phone", "Use at most 40 characters.");
        } else if phone.as_ref().is_some_and(|p| !roster_core::is_plain_text(p)) {
            errs.add("phone", roster_core::NOT_PLAIN_TEXT);
        }
        let company = opt(&self.company).map(str::to_owned);
        if company.as_ref().is_some_and(|c| c.chars().count() > 200) {
            errs.add("company", "Use at most 200 characters.");
        } else if company.as_ref().is_some_and(|c| !roster_core::is_plain_text(c)) {
            errs.add("company", roster_core::NOT_PLAIN_TEXT);
        }
        let username = opt(&self.username).map(str::to_owned);
        if let Some(u) = &username {
            let n = u.chars().count();
            if !(3..=64).contains(&n)
                || u.contains('@')
                || u.chars().any(char::is_whitespace)
                || !roster_core::is_plain_text(u)
            {
                errs.add("username", "Use 3 to 64 characters, without spaces or @.");
            }
        }
        let subject = opt(&self.welcome_subject).map(str::to_owned);
        if let Some(s) = &subject {
            if s.contains(['\r', '\n']) {
                errs.add("welcome_subject", "Keep the subject on one line.");
            } else if s.chars().count() > SUBJECT_MAX {
                errs.add("welcome_subject", format!("Use at most {SUBJECT_MAX} characters."));
            }
        }
        let password = match opt(&self.password) {
            Some(_) => errs.check(
                "password",
                new_password(
                    self.password.as_deref().unwrap_or_default(),
                    Some(self.email.trim()),
                    &[&self.first_name, &self.last_name],
                ),
            ),
            None => None,
        };
        match (email, first_name, last_name) {
            (Some(email), Some(first_name), Some(last_name)) if errs.is_empty() => {
                Ok(Parsed { email, first_name, last_name, phone, username, company, password, subject })
            }
            _ => Err(ServiceError::Invalid(errs)),
        }
    }
}

impl Service {
    /// Adds a user to the account (needs `users.manage`). A member already → 409
    /// `already_member`. An address that has a login (proved or not, operator or not) is not
    /// joined: it gets an invitation (R-ADD-3, R-INV-1), which needs the right to invite too
    /// (R-PERM-2), and a pending one already → 409 `invitation_pending`. The names, phone,
    /// company and password typed are then dropped, and nothing of the login is answered.
    pub async fn add_member(
        &self,
        p: &Principal,
        account_id: Uuid,
        input: &NewMember,
        meta: &Meta,
    ) -> Result<AddOutcome> {
        // Cheap checks first, so a refused request costs no hashing.
        let parsed = {
            let mut tx = self.store.read().await?;
            let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
            authorize(&actor, Action::ManageMembers(account_id))?;
            // The role's errors come with the other fields' (the write below resolves it again).
            let mut errs = FieldErrors::new();
            resolve_rights(tx.as_mut(), account_id, input.role.as_deref(), input.permissions.as_deref(), &mut errs)
                .await?;
            if let Some(prefs) = &input.preferences {
                let mut scratch = MembershipRow::new(account_id, Uuid::nil(), roster_core::RoleKind::Customer, now());
                prefs.apply(&mut scratch, &mut errs);
            }
            input.parse(errs)?
        };
        let hash = match &parsed.password {
            Some(pw) => Some(self.hasher.hash(pw).await?),
            None => None,
        };

        let mut tx = self.store.begin().await?;
        let (actor, mine) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::ManageMembers(account_id))?;
        let account = tx.account_by_id(account_id).await?.ok_or(ServiceError::NotFound)?;

        let mut errs = FieldErrors::new();
        let rights =
            resolve_rights(tx.as_mut(), account_id, input.role.as_deref(), input.permissions.as_deref(), &mut errs)
                .await?
                .unwrap_or_else(Rights::default_for_new_member);
        if !errs.is_empty() {
            return Err(ServiceError::Invalid(errs));
        }
        // R-PERM-1: nobody grants what they do not hold.
        check_grantable(mine.as_ref().map_or(PermissionSet::EMPTY, effective_permissions), rights.set())?;

        let t = now();
        let user = match tx.user_by_email(parsed.email.as_str()).await? {
            Some(known) => {
                if tx.membership(account_id, known.id).await?.is_some() {
                    return Err(already_member(parsed.email.as_str()));
                }
                // R-ADD-3: consent first. Inviting is R-PERM-2's to allow.
                authorize(
                    &actor,
                    Action::Invite {
                        account_id,
                        owner_only: account.invite_policy != roster_core::InvitePolicy::Permission,
                    },
                )?;
                let projects =
                    crate::records::membership::chosen_projects(tx.as_mut(), account_id, &input.project_ids).await?;
                let row = match self.invitee(tx.as_mut(), account_id, &parsed.email).await? {
                    Invitee::Member => return Err(already_member(parsed.email.as_str())),
                    Invitee::Pending(i) => return Err(pending_conflict(&i)),
                    Invitee::Free => {
                        self.issue(tx.as_mut(), &account, InvitedBy::member(p), &parsed.email, &rights, meta).await?
                    }
                };
                crate::records::membership::remember_invitation_projects(tx.as_mut(), account_id, row.id, &projects)
                    .await?;
                tx.commit().await?;
                self.mail_enqueued();
                return Ok(AddOutcome::Invited(InvitationSent {
                    id: row.id,
                    email: row.email,
                    status: roster_core::InvitationStatus::Pending,
                    expires_at: row.expires_at,
                }));
            }
            None => {
                if let Some(name) = &parsed.username
                    && tx.user_by_username(name).await?.is_some()
                {
                    return Err(ServiceError::invalid("username", "This username is taken."));
                }
                let u = UserRow {
                    id: Uuid::now_v7(),
                    email: parsed.email.as_str().to_owned(),
                    username: parsed.username.clone(),
                    first_name: parsed.first_name.as_str().to_owned(),
                    last_name: parsed.last_name.as_str().to_owned(),
                    phone: parsed.phone.clone(),
                    company: parsed.company.clone(),
                    password_hash: hash,
                    time_zone: "UTC".to_owned(),
                    is_operator: false,
                    email_verified_at: None,
                    created_at: t,
                    updated_at: t,
                };
                match tx.insert_user(&u).await {
                    Ok(()) => {}
                    // The address got a login a moment ago: it is invited, by asking again.
                    Err(StoreError::Conflict("email")) => {
                        return Err(ServiceError::Conflict {
                            code: roster_core::ProblemCode::Duplicate,
                            message: "That email was just taken by a new login; add it again to send an invitation."
                                .to_owned(),
                        });
                    }
                    Err(e) => return Err(e.into()),
                }
                u
            }
        };
        let mut membership = MembershipRow::new(account_id, user.id, rights.role, t);
        rights.apply(&mut membership);
        if let Some(prefs) = &input.preferences {
            prefs.apply(&mut membership, &mut FieldErrors::new());
        }
        tx.insert_membership(&membership).await?;
        let projects = crate::records::membership::chosen_projects(tx.as_mut(), account_id, &input.project_ids).await?;
        crate::records::membership::on_join(tx.as_mut(), account_id, &user, &projects, t).await?;

        let has_password = user.password_hash.is_some();
        if input.send_welcome {
            // R-ADD-2: the welcome always carries a set-password link (which also proves the
            // address, R-AUTH-8). Given a password, the person is told so and how to sign in,
            // and the link is offered to choose their own instead (decision 0053).
            let secret = new_secret("reset_")?;
            let expires_at = t + WELCOME_LINK_LIFETIME;
            tx.insert_password_reset(&hash_token(&secret), user.id, Some(p.user.id), t, expires_at).await?;
            let public_url = &self.mail_config().public_url;
            let context = json!({
                "user": { "first_name": user.first_name, "last_name": user.last_name, "email": user.email },
                "account": { "name": account.name },
                "inviter": { "name": format!("{} {}", p.user.first_name, p.user.last_name) },
                "password_set": has_password,
                "link": format!("{public_url}/password-reset?token={secret}"),
                "expires_at": written_out(expires_at),
                "sign_in_link": format!("{public_url}/sign-in"),
            });
            let mail = Mail {
                account: Some(&account),
                template: TemplateName::Welcome,
                to: &user.email,
                context,
                sender: Sender::Account,
                bcc: input.bcc_me.then_some(p.user.email.as_str()),
            };
            self.enqueue_email_with_subject(tx.as_mut(), mail, parsed.subject.as_deref()).await?;
        }
        tx.insert_audit(&audit(
            roster_core::AuditAction::MemberAdded,
            p.who(),
            Some(account_id),
            ("user", user.id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        if input.send_welcome {
            self.mail_enqueued();
        }
        let warning = (!has_password && !input.send_welcome).then(|| NO_SIGN_IN_WARNING.to_owned());
        let member = MemberView::from(MemberRow { user: MemberPerson::from(&user), membership });
        Ok(AddOutcome::Added(Box::new(AddedMember { member, existing_user: false, warning })))
    }
}
