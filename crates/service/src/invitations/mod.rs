//! Invitations (R-INV-1): invite an address with a role or a permission list (never more than the
//! inviter holds, R-PERM-1), as the account's invite policy allows (R-PERM-2); the pending list;
//! resend (a new link and expiry, the old link dead) and revoke; accept; bulk invitations.
//!
//! The link proves the address: its secret (`invite_` + 256 random bits, only the SHA-256 kept)
//! is only ever emailed to the invited address. A new address creates its login at acceptance;
//! an existing login accepts while signed in with that email; anyone signed in with another email
//! is refused. Acceptance is decided by one conditional update (`status = 'pending'` and not
//! expired) run first in its unit of work, so of several concurrent accepts exactly one joins.
use std::collections::HashMap;

use roster_core::{Action, BuiltinRole, Email, FieldErrors, InvitationStatus, PermissionSet, RoleKind, authorize};
use roster_mail::TemplateName;
use roster_store::{AccountRow, InvitationRow, MemberPerson, MemberRow, MembershipRow, StoreError, Tx, UserRow};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::impersonation::refuse_while_impersonating;
use crate::mail::{Mail, Sender};
use crate::rights::{Rights, check_grantable, resolve_rights};
use crate::signin::reset::written_out;
use crate::signin::token::{hash_token, new_secret};
use crate::signin::{NewPerson, Principal, SessionKind, SignedIn, Who, audit, new_user};
use crate::views::{MemberView, effective_permissions};
use crate::{Meta, Result, Service, ServiceError, actor, now, page_limit};

/// The prefix of an invitation link's secret.
pub const INVITATION_SECRET_PREFIX: &str = "invite_";
/// The most rows one bulk invitation takes.
pub const BULK_MAX_ROWS: usize = 200;
/// An invitee asking for a new invitation emails the sender at most once a day per invitation.
/// The shortest time between two sends of one invitation.
const RESEND_EVERY: time::Duration = time::Duration::minutes(1);
const ASK_AGAIN_EVERY: time::Duration = time::Duration::hours(24);

const GONE: &str = "This invitation has expired, was revoked or was already used. \
                    Ask the person who invited you for a new invitation.";

/// R-INV-1: the invited address has a login, so the invitation is accepted signed in with it.
fn sign_in_first() -> ServiceError {
    ServiceError::Closed {
        code: roster_core::ProblemCode::SignInRequired,
        message: "This email address already has a login: sign in with it, then accept the invitation.".to_owned(),
    }
}

fn gone() -> ServiceError {
    ServiceError::Gone(roster_core::ProblemCode::InvitationGone, GONE)
}

/// What the inviter typed.
#[derive(Debug, Clone, Default)]
pub struct NewInvitation {
    pub email: String,
    /// A built-in role key (not `owner`), or a custom role's id or name; neither this nor
    /// `permissions` gives `customer` (R-ROLE-1).
    pub role: Option<String>,
    /// Explicit permission ids instead of a role.
    pub permissions: Option<Vec<String>>,
    /// R-JOIN-1: projects of the account the invitee joins on acceptance.
    pub project_ids: Vec<Uuid>,
}

/// An invitation as the API and the console show it. Never the link's secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvitationView {
    pub id: Uuid,
    pub email: String,
    /// A built-in role key, or `custom` (see `custom_role_id` and `permissions`).
    pub role: RoleKind,
    pub custom_role_id: Option<Uuid>,
    /// The permission ids the invitee will hold.
    pub permissions: Vec<&'static str>,
    /// `pending`, `expired` (pending past `expires_at`), `accepted` or `revoked`.
    pub status: InvitationStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Who sent it (absent once that login is deleted).
    pub invited_by: Option<Uuid>,
    /// Their name, in the pending list.
    pub invited_by_name: Option<String>,
}

impl InvitationView {
    pub(crate) fn new(i: &InvitationRow, invited_by_name: Option<String>) -> Self {
        let permissions = match &i.permissions {
            Some(ids) => PermissionSet::from_ids(ids).unwrap_or_default(),
            None => i.role.builtin().map_or(PermissionSet::EMPTY, BuiltinRole::permissions),
        };
        let status = match i.status {
            InvitationStatus::Pending if i.expires_at <= now() => InvitationStatus::Expired,
            stored => stored,
        };
        Self {
            id: i.id,
            email: i.email.clone(),
            role: i.role,
            custom_role_id: i.custom_role_id,
            permissions: permissions.iter().map(|p| p.id()).collect(),
            status,
            expires_at: i.expires_at,
            created_at: i.created_at,
            invited_by: i.invited_by,
            invited_by_name,
        }
    }

    /// The role as a person reads it (`Standard`, `custom`).
    pub fn role_label(&self) -> &str {
        match self.role.builtin() {
            Some(r) => r.label(),
            None => self.role.as_str(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvitationPage {
    pub items: Vec<InvitationView>,
    pub next_cursor: Option<String>,
}

/// One row of a bulk invitation, as read from CSV or JSON. `line` numbers the input's lines
/// (CSV, the header being line 1) or items (JSON, from 1).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct BulkInvitee {
    #[serde(default)]
    pub line: usize,
    pub email: String,
    #[serde(default)]
    pub role: Option<String>,
}

/// What happened to one row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulkRowResult {
    pub line: usize,
    pub email: String,
    /// `sent`, `skipped` or `error`.
    pub status: &'static str,
    /// Why it was skipped or refused; empty when sent.
    pub message: String,
    pub invitation_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulkOutcome {
    pub sent: usize,
    pub skipped: usize,
    pub errors: usize,
    pub rows: Vec<BulkRowResult>,
}

/// How an invitation is accepted.
#[derive(Debug, Clone, Copy)]
pub enum Acceptance<'a> {
    /// Signed in with the invited email.
    SignedIn(&'a Principal),
    /// A new address: the login is created now.
    NewLogin { first_name: &'a str, last_name: &'a str, password: &'a str },
}

/// An accepted invitation: the new member and, for a new login when asked, its session.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub account_id: Uuid,
    pub member: MemberView,
    pub signed_in: Option<SignedIn>,
}

/// What an invitation link shows before it is used (the console's accept page). Only the holder
/// of the link sees it, and the link was sent to that address.
#[derive(Debug, Clone)]
pub struct InvitationLink {
    pub email: String,
    pub account_id: Uuid,
    pub account_name: String,
    pub inviter_name: Option<String>,
    /// Pending and not expired.
    pub live: bool,
    /// The address already has a login (it accepts signed in).
    pub has_login: bool,
    pub expires_at: OffsetDateTime,
}

/// Reads a pasted list or a CSV body: `email,role` per line, an optional header naming the
/// columns (`email`, `role`, in any order), quotes as in RFC 4180 (without line breaks inside).
/// Blank lines are skipped; an empty role means the default (`customer`).
pub fn parse_invitation_list(text: &str) -> Result<Vec<BulkInvitee>> {
    let mut rows = Vec::new();
    let (mut email_col, mut role_col) = (0usize, Some(1usize));
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        if line.trim().is_empty() {
            continue;
        }
        let cells = split_csv_line(line);
        if rows.is_empty() && line_no == first_content_line(text) && is_header(&cells) {
            email_col = cells.iter().position(|c| c.trim().eq_ignore_ascii_case("email")).unwrap_or(0);
            role_col = cells.iter().position(|c| c.trim().eq_ignore_ascii_case("role"));
            continue;
        }
        let email = cells.get(email_col).map(|c| c.trim().to_owned()).unwrap_or_default();
        let role = role_col.and_then(|c| cells.get(c)).map(|c| c.trim().to_owned()).filter(|r| !r.is_empty());
        rows.push(BulkInvitee { line: line_no, email, role });
        if rows.len() > BULK_MAX_ROWS {
            return Err(crate::mail::too_many_rows());
        }
    }
    Ok(rows)
}

fn first_content_line(text: &str) -> usize {
    text.lines().position(|l| !l.trim().is_empty()).map_or(0, |n| n + 1)
}

fn is_header(cells: &[String]) -> bool {
    cells.iter().any(|c| c.trim().eq_ignore_ascii_case("email"))
}

/// One CSV line's cells: commas separate, double quotes quote, `""` is a quote inside quotes.
fn split_csv_line(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if cell.trim().is_empty() => {
                cell.clear();
                quoted = true;
            }
            (',', false) => cells.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

/// Who sends an invitation: a member (named in the email and its From, R-MAIL-3), or the
/// account itself (`roster users import` at the command line).
#[derive(Clone, Copy)]
pub(crate) struct InvitedBy<'a> {
    pub user: Option<&'a UserRow>,
    pub who: Who,
}

impl<'a> InvitedBy<'a> {
    pub(crate) fn member(p: &'a Principal) -> Self {
        Self { user: Some(&p.user), who: p.who() }
    }
}

/// Who an invited address is to the account.
pub(crate) enum Invitee {
    Free,
    Member,
    Pending(Box<InvitationRow>),
}

/// The rights an invitation gives at acceptance: the custom role as it is now, or, if it was
/// deleted meanwhile, the permission list stored with the invitation.
async fn rights_of(tx: &mut dyn Tx, i: &InvitationRow) -> Result<Rights> {
    if let Some(role_id) = i.custom_role_id {
        if let Some(role) = tx.role_by_id(i.account_id, role_id).await? {
            return Ok(Rights::custom(&role));
        }
        let set = PermissionSet::from_ids(i.permissions.as_deref().unwrap_or_default()).unwrap_or_default();
        return Ok(Rights { role: RoleKind::Custom, custom_role_id: None, permissions: Some(set) });
    }
    Ok(match (&i.permissions, i.role.builtin()) {
        (Some(ids), _) => Rights {
            role: RoleKind::Custom,
            custom_role_id: None,
            permissions: Some(PermissionSet::from_ids(ids).unwrap_or_default()),
        },
        (None, Some(b)) if b != BuiltinRole::Owner => Rights::builtin(b),
        (None, _) => Rights::default_for_new_member(),
    })
}

pub(crate) fn full_name(u: &UserRow) -> String {
    format!("{} {}", u.first_name, u.last_name)
}

pub(crate) fn already_member(email: &str) -> ServiceError {
    ServiceError::Conflict {
        code: roster_core::ProblemCode::AlreadyMember,
        message: format!("{email} is already a member of this account."),
    }
}

pub(crate) fn pending_conflict(i: &InvitationRow) -> ServiceError {
    ServiceError::Conflict {
        code: roster_core::ProblemCode::InvitationPending,
        message: format!(
            "{} already has a pending invitation (id {}). Resend it instead: POST /api/v1/accounts/{}/invitations/{}/resend.",
            i.email, i.id, i.account_id, i.id
        ),
    }
}

fn not_pending() -> ServiceError {
    ServiceError::Conflict {
        code: roster_core::ProblemCode::InvitationNotPending,
        message: "This invitation was already accepted or revoked.".to_owned(),
    }
}

impl Service {
    /// The caller's actor, authorized to send invitations in the account (R-PERM-2), with the
    /// account and the permissions the caller holds there.
    async fn inviter(&self, tx: &mut dyn Tx, p: &Principal, account_id: Uuid) -> Result<(AccountRow, PermissionSet)> {
        let (actor, mine) = actor::for_principal(tx, p, Some(account_id)).await?;
        let account = tx.account_by_id(account_id).await?.ok_or(ServiceError::NotFound)?;
        authorize(
            &actor,
            Action::Invite { account_id, owner_only: account.invite_policy != roster_core::InvitePolicy::Permission },
        )?;
        Ok((account, mine.as_ref().map_or(PermissionSet::EMPTY, effective_permissions)))
    }

    /// Is the address a member, invited already, or free? An expired pending invitation of the
    /// address is revoked here, so a new one can be made.
    pub(crate) async fn invitee(&self, tx: &mut dyn Tx, account_id: Uuid, email: &Email) -> Result<Invitee> {
        if let Some(u) = tx.user_by_email(email.as_str()).await?
            && tx.membership(account_id, u.id).await?.is_some()
        {
            return Ok(Invitee::Member);
        }
        tx.supersede_expired_invitation(account_id, email.as_str(), now()).await?;
        Ok(match tx.pending_invitation_for(account_id, email.as_str()).await? {
            Some(i) => Invitee::Pending(Box::new(i)),
            None => Invitee::Free,
        })
    }

    /// Inserts a pending invitation, emails its link and writes `invitation.sent`, in `tx`.
    pub(crate) async fn issue(
        &self,
        tx: &mut dyn Tx,
        account: &AccountRow,
        by: InvitedBy<'_>,
        email: &Email,
        rights: &Rights,
        meta: &Meta,
    ) -> Result<InvitationRow> {
        let secret = new_secret(INVITATION_SECRET_PREFIX)?;
        let t = now();
        let row = InvitationRow {
            account_id: account.id,
            id: Uuid::now_v7(),
            email: email.as_str().to_owned(),
            role: rights.role,
            custom_role_id: rights.custom_role_id,
            permissions: rights.permissions.map(PermissionSet::to_ids),
            token_hash: hash_token(&secret),
            invited_by: by.user.map(|u| u.id),
            status: InvitationStatus::Pending,
            expires_at: t + time::Duration::days(i64::from(account.invitation_ttl_days)),
            created_at: t,
            accepted_at: None,
            accepted_by: None,
            revoked_at: None,
        };
        match tx.insert_invitation(&row).await {
            Ok(()) => {}
            // Another request invited the address a moment ago.
            Err(StoreError::Conflict("invitation")) => {
                return Err(ServiceError::Conflict {
                    code: roster_core::ProblemCode::InvitationPending,
                    message: format!("{} already has a pending invitation: resend it instead.", row.email),
                });
            }
            Err(e) => return Err(e.into()),
        }
        self.email_invitation(tx, account, by, &row, &secret).await?;
        tx.insert_audit(&audit(
            roster_core::AuditAction::InvitationSent,
            by.who,
            Some(account.id),
            ("invitation", row.id.to_string()),
            meta,
        ))
        .await?;
        Ok(row)
    }

    /// The invitation email (sent as the inviter, R-MAIL-3), with the link to accept.
    async fn email_invitation(
        &self,
        tx: &mut dyn Tx,
        account: &AccountRow,
        by: InvitedBy<'_>,
        row: &InvitationRow,
        secret: &str,
    ) -> Result<()> {
        let name = by.user.map_or_else(|| account.name.clone(), full_name);
        let context = json!({
            "user": { "email": row.email },
            "account": { "name": account.name },
            "inviter": { "name": name },
            "link": format!("{}/invitations/accept?token={secret}", self.mail_config().public_url),
            "expires_at": written_out(row.expires_at),
        });
        let mail = Mail {
            account: Some(account),
            template: TemplateName::Invitation,
            to: &row.email,
            context,
            sender: match by.user {
                Some(u) => Sender::User { name: &name, email: &u.email },
                None => Sender::Account,
            },
            bcc: None,
        };
        self.enqueue_email(tx, mail).await?;
        Ok(())
    }

    /// Invites one address (R-INV-1). A member already → 409 `already_member`; an address with
    /// a pending invitation → 409 `invitation_pending` naming it (resend it instead).
    pub async fn invite(
        &self,
        p: &Principal,
        account_id: Uuid,
        input: &NewInvitation,
        meta: &Meta,
    ) -> Result<InvitationView> {
        let mut tx = self.store.begin().await?;
        let (account, held) = self.inviter(tx.as_mut(), p, account_id).await?;
        let mut errs = FieldErrors::new();
        let email = errs.check("email", Email::parse(&input.email));
        let rights =
            resolve_rights(tx.as_mut(), account_id, input.role.as_deref(), input.permissions.as_deref(), &mut errs)
                .await?
                .unwrap_or_else(Rights::default_for_new_member);
        let Some(email) = email.filter(|_| errs.is_empty()) else { return Err(ServiceError::Invalid(errs)) };
        // R-PERM-1: nobody grants what they do not hold.
        check_grantable(held, rights.set())?;
        match self.invitee(tx.as_mut(), account_id, &email).await? {
            Invitee::Member => return Err(already_member(email.as_str())),
            Invitee::Pending(i) => return Err(pending_conflict(&i)),
            Invitee::Free => {}
        }
        let projects = crate::records::membership::chosen_projects(tx.as_mut(), account_id, &input.project_ids).await?;
        let row = self.issue(tx.as_mut(), &account, InvitedBy::member(p), &email, &rights, meta).await?;
        crate::records::membership::remember_invitation_projects(tx.as_mut(), account_id, row.id, &projects).await?;
        tx.commit().await?;
        self.mail_enqueued();
        Ok(InvitationView::new(&row, Some(full_name(&p.user))))
    }

    /// The account's pending invitations (expired ones too, marked so), newest first, with who
    /// sent each; needs `users.invite` (the operator reads).
    pub async fn invitations(
        &self,
        p: &Principal,
        account_id: Uuid,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<InvitationPage> {
        let limit = page_limit(limit)?;
        let before = match cursor.filter(|c| !c.is_empty()) {
            Some(c) => Some(
                Uuid::parse_str(c)
                    .map_err(|_| ServiceError::invalid("cursor", "This cursor is not one this server gave out."))?,
            ),
            None => None,
        };
        let mut tx = self.store.read().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::ViewInvitations(account_id))?;
        let mut rows = tx.pending_invitations(account_id, before, limit + 1).await?;
        let keep = usize::try_from(limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > keep {
            rows.truncate(keep);
            rows.last().map(|r| r.invitation.id.to_string())
        } else {
            None
        };
        let items = rows.into_iter().map(|r| InvitationView::new(&r.invitation, r.invited_by_name)).collect();
        Ok(InvitationPage { items, next_cursor })
    }

    /// Resends a pending (or expired) invitation (at most once a minute): a new link and a new expiry from the account's
    /// invitation lifetime; the old link stops working at once.
    pub async fn resend_invitation(
        &self,
        p: &Principal,
        account_id: Uuid,
        id: Uuid,
        meta: &Meta,
    ) -> Result<InvitationView> {
        let mut tx = self.store.begin().await?;
        let (account, held) = self.inviter(tx.as_mut(), p, account_id).await?;
        let mut row = tx.invitation_by_id(account_id, id).await?.ok_or(ServiceError::NotFound)?;
        if row.status != roster_core::InvitationStatus::Pending {
            return Err(not_pending());
        }
        // R-PERM-1 holds for whoever resends it, not only whoever sent it first.
        check_grantable(held, rights_of(tx.as_mut(), &row).await?.set())?;
        if let Some(u) = tx.user_by_email(&row.email).await?
            && tx.membership(account_id, u.id).await?.is_some()
        {
            return Err(already_member(&row.email));
        }
        // One resend a minute per invitation, so nobody floods an outside address in our name.
        let t = now();
        let expires_at = t + time::Duration::days(i64::from(account.invitation_ttl_days));
        let wait = row.expires_at - (expires_at - RESEND_EVERY);
        if wait.is_positive() {
            // Rounded up to the second, so "in 0 seconds" is never said.
            let secs = wait.whole_seconds().max(0) + 1;
            let at = (t + time::Duration::seconds(secs)).time();
            return Err(ServiceError::Conflict {
                code: roster_core::ProblemCode::ResentRecently,
                message: format!(
                    "This invitation was sent less than a minute ago: it can be sent again in {secs} seconds \
                     (from {:02}:{:02}:{:02} UTC).",
                    at.hour(),
                    at.minute(),
                    at.second()
                ),
            });
        }
        let secret = new_secret(INVITATION_SECRET_PREFIX)?;
        row.token_hash = hash_token(&secret);
        row.expires_at = expires_at;
        if !tx.reissue_invitation(account_id, id, &row.token_hash, row.expires_at).await? {
            return Err(not_pending());
        }
        self.email_invitation(tx.as_mut(), &account, InvitedBy::member(p), &row, &secret).await?;
        tx.insert_audit(&audit(
            roster_core::AuditAction::InvitationResent,
            p.who(),
            Some(account_id),
            ("invitation", id.to_string()),
            meta,
        ))
        .await?;
        let name = match row.invited_by {
            Some(by) => tx.user_by_id(by).await?.map(|u| full_name(&u)),
            None => None,
        };
        tx.commit().await?;
        self.mail_enqueued();
        Ok(InvitationView::new(&row, name))
    }

    /// Revokes a pending invitation: its link stops working at once.
    pub async fn revoke_invitation(&self, p: &Principal, account_id: Uuid, id: Uuid, meta: &Meta) -> Result<()> {
        let mut tx = self.store.begin().await?;
        self.inviter(tx.as_mut(), p, account_id).await?;
        if !tx.revoke_invitation(account_id, id, now()).await? {
            return Err(match tx.invitation_by_id(account_id, id).await? {
                Some(_) => not_pending(),
                None => ServiceError::NotFound,
            });
        }
        tx.insert_audit(&audit(
            roster_core::AuditAction::InvitationRevoked,
            p.who(),
            Some(account_id),
            ("invitation", id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Invites many addresses in one unit of work, answering per row: `sent`, `skipped` (a
    /// member already, invited already, or listed twice) or `error` (with the reason). Sending
    /// the same list again sends nothing twice.
    pub async fn invite_bulk(
        &self,
        p: &Principal,
        account_id: Uuid,
        rows: &[BulkInvitee],
        meta: &Meta,
    ) -> Result<BulkOutcome> {
        if rows.len() > BULK_MAX_ROWS {
            return Err(crate::mail::too_many_rows());
        }
        let mut tx = self.store.begin().await?;
        let (account, held) = self.inviter(tx.as_mut(), p, account_id).await?;
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for (n, row) in rows.iter().enumerate() {
            let line = if row.line == 0 { n + 1 } else { row.line };
            let result = |status: &'static str, message: String, id: Option<Uuid>| BulkRowResult {
                line,
                email: row.email.trim().to_owned(),
                status,
                message,
                invitation_id: id,
            };
            let email = match Email::parse(&row.email) {
                Ok(e) => e,
                Err(e) => {
                    out.push(result("error", e.to_string(), None));
                    continue;
                }
            };
            if let Some(first) = seen.get(email.as_str()) {
                out.push(result("skipped", format!("listed twice (first on line {first})"), None));
                continue;
            }
            seen.insert(email.as_str().to_owned(), line);
            let mut errs = FieldErrors::new();
            let rights = resolve_rights(tx.as_mut(), account_id, row.role.as_deref(), None, &mut errs)
                .await?
                .unwrap_or_else(Rights::default_for_new_member);
            if !errs.is_empty() {
                let message = errs.0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" ");
                out.push(result("error", message, None));
                continue;
            }
            if let Some(missing) = rights.set().iter().find(|x| !held.contains(*x)) {
                let message = format!("You cannot give {}: you do not hold it (R-PERM-1).", missing.id());
                out.push(result("error", message, None));
                continue;
            }
            match self.invitee(tx.as_mut(), account_id, &email).await? {
                Invitee::Member => out.push(result("skipped", "already a member".to_owned(), None)),
                Invitee::Pending(i) => out.push(result("skipped", "already invited".to_owned(), Some(i.id))),
                Invitee::Free => {
                    let sent = self.issue(tx.as_mut(), &account, InvitedBy::member(p), &email, &rights, meta).await?;
                    out.push(result("sent", String::new(), Some(sent.id)));
                }
            }
        }
        tx.commit().await?;
        let count = |s: &str| out.iter().filter(|r| r.status == s).count();
        let (sent, skipped, errors) = (count("sent"), count("skipped"), count("error"));
        if sent > 0 {
            self.mail_enqueued();
        }
        Ok(BulkOutcome { sent, skipped, errors, rows: out })
    }

    /// What an invitation link is, for the accept page. An unknown link is `Gone`.
    pub async fn invitation_link(&self, secret: &str) -> Result<InvitationLink> {
        let mut tx = self.store.read().await?;
        let i = tx.invitation_by_hash(&hash_token(secret)).await?.ok_or_else(gone)?;
        let account = tx.account_by_id(i.account_id).await?.ok_or_else(gone)?;
        let inviter_name = match i.invited_by {
            Some(by) => tx.user_by_id(by).await?.map(|u| full_name(&u)),
            None => None,
        };
        // An unproved login is taken over by whoever uses the link (R-AUTH-8): the page then
        // asks for names and a password, as for a new address.
        let has_login = tx.user_by_email(&i.email).await?.is_some_and(|u| u.email_verified_at.is_some());
        Ok(InvitationLink {
            live: i.is_live(now()),
            email: i.email,
            account_id: account.id,
            account_name: account.name,
            inviter_name,
            has_login,
            expires_at: i.expires_at,
        })
    }

    /// Accepts an invitation (R-INV-1). Expired, revoked, used or unknown links → `Gone`. Signed
    /// in: the login's email must be the invited one (else 403 `invitation_other_email`). Not
    /// signed in: the address must not have a login yet (else 401 `sign_in_required`: sign in first),
    /// and the login is made now with the given names and password. With `session`, the new login
    /// is signed in.
    pub async fn accept_invitation(
        &self,
        secret: &str,
        how: Acceptance<'_>,
        session: Option<SessionKind>,
        meta: &Meta,
    ) -> Result<Accepted> {
        let token_hash = hash_token(secret);
        let (invitation, existing) = {
            let mut tx = self.store.read().await?;
            let i = tx.invitation_by_hash(&token_hash).await?.ok_or_else(gone)?;
            // The login is looked up before the invitation's state is judged (read again): a
            // concurrent accept that made the login has then also used the link, so the loser
            // hears "gone", not "sign in".
            let existing = tx.user_by_email(&i.email).await?;
            let i = tx.invitation_by_hash(&token_hash).await?.filter(|i| i.is_live(now())).ok_or_else(gone)?;
            (i, existing)
        };
        match how {
            Acceptance::SignedIn(p) => {
                refuse_while_impersonating(p, "accept invitations")?;
                if !p.user.email.eq_ignore_ascii_case(&invitation.email) {
                    return Err(ServiceError::Closed {
                        code: roster_core::ProblemCode::InvitationOtherEmail,
                        message: format!(
                            "This invitation is for {}, and you are signed in as {}. Sign out, then open the link again \
                             and accept it as {}.",
                            invitation.email, p.user.email, invitation.email
                        ),
                    });
                }
                // R-AUTH-8: an unproved login's password may be known to whoever made it (an
                // admin who set it); proving the address must end it, so such a login accepts
                // only signed out, by the link, choosing a new password (the takeover).
                if p.user.email_verified_at.is_none() {
                    return Err(ServiceError::Closed {
                        code: roster_core::ProblemCode::InvitationUnprovedLogin,
                        message: format!(
                            "{} has not been confirmed yet. Sign out, then open the link again: accepting it \
                             confirms the address and you choose a new password.",
                            invitation.email
                        ),
                    });
                }
                let mut tx = self.store.begin().await?;
                // The race is decided here, first: one caller wins, the others find no pending row.
                if !tx.accept_invitation(&token_hash, p.user.id, now()).await? {
                    return Err(gone());
                }
                let member = self.join(tx.as_mut(), &invitation, &p.user).await?;
                // R-AUTH-8: the link reached the address and was used.
                tx.mark_email_verified(p.user.id, now()).await?;
                tx.insert_audit(&audit(
                    roster_core::AuditAction::InvitationAccepted,
                    p.who(),
                    Some(invitation.account_id),
                    ("invitation", invitation.id.to_string()),
                    meta,
                ))
                .await?;
                tx.commit().await?;
                Ok(Accepted { account_id: invitation.account_id, member, signed_in: None })
            }
            Acceptance::NewLogin { first_name, last_name, password } => {
                match existing {
                    // A proved login accepts signed in.
                    Some(u) if u.email_verified_at.is_some() => return Err(sign_in_first()),
                    // R-AUTH-8: nobody proved this address; the link's holder does, and takes
                    // the login over.
                    Some(u) => {
                        let how = NewPerson {
                            first_name: first_name.to_owned(),
                            last_name: last_name.to_owned(),
                            email: invitation.email.clone(),
                            password: password.to_owned(),
                        };
                        return self.take_over_by_invitation(&invitation, &token_hash, u, &how, session, meta).await;
                    }
                    None => {}
                }
                let person = NewPerson {
                    first_name: first_name.to_owned(),
                    last_name: last_name.to_owned(),
                    email: invitation.email.clone(),
                    password: password.to_owned(),
                };
                let parsed = person.parse()?;
                let hash = self.hasher.hash(&parsed.password).await?;
                let mut user = new_user(&parsed, Some(hash), false);
                // R-AUTH-8: the link reached the address.
                user.email_verified_at = Some(user.created_at);
                let mut tx = self.store.begin().await?;
                // First, as above. `accepted_by` names the login made below (the foreign key is
                // checked at commit).
                if !tx.accept_invitation(&token_hash, user.id, now()).await? {
                    return Err(gone());
                }
                match tx.insert_user(&user).await {
                    Ok(()) => {}
                    // A login for the address was made meanwhile (another way in).
                    Err(StoreError::Conflict("email")) => return Err(sign_in_first()),
                    Err(e) => return Err(e.into()),
                }
                let member = self.join(tx.as_mut(), &invitation, &user).await?;
                tx.insert_audit(&audit(
                    roster_core::AuditAction::InvitationAccepted,
                    Who::user(user.id),
                    Some(invitation.account_id),
                    ("invitation", invitation.id.to_string()),
                    meta,
                ))
                .await?;
                let signed_in = match session {
                    Some(kind) => {
                        Some(self.open_session(tx.as_mut(), user, Some(invitation.account_id), kind, meta).await?)
                    }
                    None => None,
                };
                tx.commit().await?;
                Ok(Accepted { account_id: invitation.account_id, member, signed_in })
            }
        }
    }

    /// Accepts an invitation for a login nobody proved (R-AUTH-8), by its link and without
    /// signing in: the link's holder proved the address, so they set the names and password;
    /// every session and API token of the login ends, its other links die, and it is proved.
    async fn take_over_by_invitation(
        &self,
        invitation: &InvitationRow,
        token_hash: &[u8],
        user: UserRow,
        how: &NewPerson,
        session: Option<SessionKind>,
        meta: &Meta,
    ) -> Result<Accepted> {
        let parsed = how.parse()?;
        let hash = self.hasher.hash(&parsed.password).await?;
        let t = now();
        let mut tx = self.store.begin().await?;
        // First, as in `accept_invitation`: one caller wins.
        if !tx.accept_invitation(token_hash, user.id, t).await? {
            return Err(gone());
        }
        // Proved meanwhile (another link used): then they sign in like everyone else.
        if !tx.mark_email_verified(user.id, t).await? {
            return Err(sign_in_first());
        }
        tx.set_user_password(user.id, &hash, t).await?;
        tx.update_user_profile(user.id, parsed.first_name.as_str(), parsed.last_name.as_str(), &user.time_zone, t)
            .await?;
        tx.delete_sessions_of_user(user.id).await?;
        tx.revoke_all_api_tokens_of_user(user.id, t).await?;
        tx.expire_password_resets_of_user(user.id, t).await?;
        let user = UserRow {
            password_hash: Some(hash),
            first_name: parsed.first_name.as_str().to_owned(),
            last_name: parsed.last_name.as_str().to_owned(),
            email_verified_at: Some(t),
            updated_at: t,
            ..user
        };
        let member = self.join(tx.as_mut(), invitation, &user).await?;
        tx.insert_audit(&audit(
            roster_core::AuditAction::UserAddressProved,
            Who::user(user.id),
            None,
            ("user", user.id.to_string()),
            meta,
        ))
        .await?;
        tx.insert_audit(&audit(
            roster_core::AuditAction::InvitationAccepted,
            Who::user(user.id),
            Some(invitation.account_id),
            ("invitation", invitation.id.to_string()),
            meta,
        ))
        .await?;
        let signed_in = match session {
            Some(kind) => Some(self.open_session(tx.as_mut(), user, Some(invitation.account_id), kind, meta).await?),
            None => None,
        };
        tx.commit().await?;
        Ok(Accepted { account_id: invitation.account_id, member, signed_in })
    }

    /// The membership an accepted invitation makes, with the invitation's rights.
    async fn join(&self, tx: &mut dyn Tx, i: &InvitationRow, user: &UserRow) -> Result<MemberView> {
        if tx.membership(i.account_id, user.id).await?.is_some() {
            return Err(already_member(&user.email));
        }
        let rights = rights_of(tx, i).await?;
        let mut membership = MembershipRow::new(i.account_id, user.id, rights.role, now());
        rights.apply(&mut membership);
        tx.insert_membership(&membership).await?;
        let projects = crate::records::membership::invitation_projects(tx, i.account_id, i.id).await?;
        crate::records::membership::on_join(tx, i.account_id, user, &projects, membership.created_at).await?;
        Ok(MemberView::from(MemberRow { user: MemberPerson::from(user), membership }))
    }

    /// From a dead link's page: emails whoever sent the invitation (or the owner, if that login
    /// is gone) that the invitee asks for a new one. At most once a day per invitation; a live
    /// link → 409 `invitation_live`.
    pub async fn ask_for_new_invitation(&self, secret: &str, meta: &Meta) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let i = tx.invitation_by_hash(&hash_token(secret)).await?.ok_or_else(gone)?;
        let t = now();
        if i.is_live(t) {
            return Err(ServiceError::Conflict {
                code: roster_core::ProblemCode::InvitationLive,
                message: "This invitation still works: accept it.".to_owned(),
            });
        }
        let account = tx.account_by_id(i.account_id).await?.ok_or_else(gone)?;
        if i.status == roster_core::InvitationStatus::Accepted {
            return Err(ServiceError::Conflict {
                code: roster_core::ProblemCode::InvitationUsed,
                message: "This invitation was accepted already: sign in instead.".to_owned(),
            });
        }
        let id = i.id.to_string();
        // At most once a day per invitation, whatever races (a conditional update decides).
        if !tx.claim_invitation_request(i.id, t, t - ASK_AGAIN_EVERY).await? {
            return Ok(());
        }
        let sender = match i.invited_by {
            Some(by) => tx.user_by_id(by).await?,
            None => None,
        };
        let to = match sender {
            Some(u) => u,
            None => tx.user_by_id(account.owner_id).await?.ok_or(ServiceError::NotFound)?,
        };
        let context = json!({
            "inviter": { "name": full_name(&to) },
            "user": { "email": i.email },
            "account": { "name": account.name },
            "link": format!("{}/accounts/{}/invitations", self.mail_config().public_url, account.id),
        });
        let mail = Mail {
            account: Some(&account),
            template: TemplateName::InvitationRequest,
            to: &to.email,
            context,
            sender: Sender::Account,
            bcc: None,
        };
        self.enqueue_email(tx.as_mut(), mail).await?;
        tx.insert_audit(&audit(
            roster_core::AuditAction::InvitationRequested,
            Who::anonymous(),
            Some(account.id),
            ("invitation", id),
            meta,
        ))
        .await?;
        tx.commit().await?;
        self.mail_enqueued();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_with_or_without_a_header_and_with_quotes() {
        let rows = parse_invitation_list("email,role\r\nann@example.test,admin\n\n\"bo,b@x.test\",\"\"\nc@x.test\n")
            .expect("parsed");
        let got: Vec<_> = rows.iter().map(|r| (r.line, r.email.as_str(), r.role.as_deref())).collect();
        assert_eq!(got, vec![(2, "ann@example.test", Some("admin")), (4, "bo,b@x.test", None), (5, "c@x.test", None)]);
        let rows = parse_invitation_list("role,email\nstandard,dan@x.test").expect("parsed");
        assert_eq!((rows[0].email.as_str(), rows[0].role.as_deref()), ("dan@x.test", Some("standard")));
        let rows = parse_invitation_list("eve@x.test, employee").expect("parsed");
        assert_eq!((rows[0].line, rows[0].role.as_deref()), (1, Some("employee")));
        let many = "a@x.test\n".repeat(BULK_MAX_ROWS + 1);
        assert!(parse_invitation_list(&many).is_err());
    }
}
