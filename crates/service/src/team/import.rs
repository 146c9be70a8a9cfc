//! Import members from CSV (`roster users import`, `POST …/users/import`).
//!
//! * Columns are found by their header (`email` required; `first_name`, `last_name`, `phone`,
//!   `username`, `company`, `role`; others, such as an export's `status`, are ignored).
//! * Every row is checked; a bad row is reported (line, field, reason) and nothing is done for
//!   it, the other rows go on.
//! * Idempotent by email: a new address creates a login (no password, no welcome email) and its
//!   membership; a known login that is not a member is never joined: it is sent an invitation
//!   (R-ADD-3), once (a pending one counts as sent), and the report says only `invited`; a member
//!   already gets the row's role when it differs, else nothing. One account's import never
//!   changes a login's name, phone or company, and never tells anything of a login it invites.
//! * Spreadsheet formulas are refused: a cell that begins with `=`, `+`, `-`, `@`, tab or
//!   carriage return is a row error (a phone number may begin with `+` and a digit). A cell
//!   marked as text with a leading `'`, as exports write such cells, is taken as text without
//!   the `'` (so an export imports back unchanged; exports neutralise it again).
//! * Valid rows are written in batches, one transaction each (user, membership and audit row of a
//!   row always together), with multi-row statements; a dry run reads the same way and writes
//!   nothing.
use std::collections::{HashMap, HashSet};

use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;

use roster_core::{Action, Email, PermissionSet, PersonName, authorize};
use roster_store::{AuditRow, MembershipRow, Tx, UserRow};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::actor::Identity;
use crate::invitations::{InvitedBy, Invitee};
use crate::rights::{Rights, check_grantable, resolve_rights};
use crate::signin::Who;
use crate::views::effective_permissions;
use crate::{Meta, Result, Service, ServiceError, actor, now};

/// Row errors listed in a report; the count goes on past it.
const ERRORS_LISTED: usize = 1_000;

#[derive(Debug, Clone, Copy)]
pub struct ImportOptions {
    pub dry_run: bool,
    /// Rows per transaction.
    pub batch: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self { dry_run: false, batch: 10_000 }
    }
}

/// Why one row was not imported.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct ImportRowError {
    /// The line of the file (the header is line 1).
    pub line: u64,
    pub field: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    /// Data rows read.
    pub rows: u64,
    /// New logins made and joined.
    pub created: u64,
    /// Addresses that already have a login and are not members: sent an invitation (or one
    /// was pending already), never joined (R-ADD-3).
    pub invited: u64,
    /// Members whose role changed.
    pub updated: u64,
    /// Members already as the row says.
    pub unchanged: u64,
    /// Rows refused (see `errors`).
    pub failed: u64,
    /// The first 1,000 row errors.
    pub errors: Vec<ImportRowError>,
    /// Header columns that were not used.
    pub ignored_columns: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Col {
    Email,
    First,
    Last,
    Phone,
    Username,
    Company,
    Role,
}

impl Col {
    fn name(self) -> &'static str {
        match self {
            Col::Email => "email",
            Col::First => "first_name",
            Col::Last => "last_name",
            Col::Phone => "phone",
            Col::Username => "username",
            Col::Company => "company",
            Col::Role => "role",
        }
    }

    fn from_header(h: &str) -> Option<Col> {
        let h: String = h.trim().trim_start_matches('\u{feff}').to_lowercase().replace([' ', '-'], "_");
        Some(match h.as_str() {
            "email" | "e_mail" | "email_address" => Col::Email,
            "first_name" | "firstname" | "given_name" => Col::First,
            "last_name" | "lastname" | "surname" | "family_name" => Col::Last,
            "phone" | "phone_number" => Col::Phone,
            "username" | "user_name" => Col::Username,
            "company" => Col::Company,
            "role" => Col::Role,
            _ => return None,
        })
    }
}

/// One checked row.
struct Row {
    line: u64,
    email: String,
    first: Option<String>,
    last: Option<String>,
    phone: Option<String>,
    username: Option<String>,
    company: Option<String>,
    role: Option<String>,
}

struct Errors<'a> {
    report: &'a mut ImportReport,
}

impl Errors<'_> {
    /// Batches finish out of step with the reading of later lines, so errors arrive out of line
    /// order: the list keeps the lowest lines (see [`ImportReport::keep_first_errors`]).
    fn add(&mut self, line: u64, field: &str, reason: impl Into<String>) {
        self.report.errors.push(ImportRowError { line, field: field.to_owned(), reason: reason.into() });
        self.report.bound_errors();
    }
}

impl ImportReport {
    /// Sorts the errors by line (a line's own errors stay in column order) and keeps the first
    /// [`ERRORS_LISTED`]. Any error dropped has that many at lower lines, so it stays dropped.
    fn keep_first_errors(&mut self) {
        self.errors.sort_by_key(|e| e.line);
        self.errors.truncate(ERRORS_LISTED);
    }

    /// Adds a finished batch's counts and errors.
    fn absorb(&mut self, batch: ImportReport) {
        self.created += batch.created;
        self.invited += batch.invited;
        self.updated += batch.updated;
        self.unchanged += batch.unchanged;
        self.failed += batch.failed;
        self.errors.extend(batch.errors);
        self.bound_errors();
    }

    /// Keeps the list from growing past twice what is listed.
    fn bound_errors(&mut self) {
        if self.errors.len() >= 2 * ERRORS_LISTED {
            self.keep_first_errors();
        }
    }
}

/// Role cells already checked, with their answer.
type RoleCache = HashMap<String, std::result::Result<Rights, String>>;

/// A cell's text: valid UTF-8, trimmed, an export's `'` before a formula character removed,
/// formulas refused. `Ok(None)` when empty.
fn cell(raw: Option<&[u8]>, col: Col) -> std::result::Result<Option<String>, String> {
    let Some(raw) = raw else { return Ok(None) };
    let text = std::str::from_utf8(raw).map_err(|_| "This cell is not valid UTF-8 text.".to_owned())?;
    // No NUL enters as text (decision 0103): PostgreSQL cannot store it.
    if text.contains('\0') {
        return Err("This cell holds the NUL character (U+0000), which Roster does not store.".to_owned());
    }
    let text = text.trim_matches(|c: char| c == ' ');
    // Marked as text by a leading ', as exports write it: taken as text, without the '.
    if let Some(rest) = text.strip_prefix('\'')
        && rest.starts_with(['=', '+', '-', '@', '\t', '\r'])
    {
        let rest = rest.trim();
        return Ok((!rest.is_empty()).then(|| rest.to_owned()));
    }
    let phone_ok = col == Col::Phone
        && text.strip_prefix('+').is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit() || c == ' ' || c == '('));
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) && !phone_ok {
        return Err("Begins with =, +, -, @, a tab or a carriage return: spreadsheet formulas are refused.".to_owned());
    }
    let text = text.trim();
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

fn check_row(
    rec: &csv::ByteRecord,
    cols: &[(usize, Col)],
    line: u64,
    errs: &mut Vec<(&'static str, String)>,
) -> Option<Row> {
    let mut row = Row {
        line,
        email: String::new(),
        first: None,
        last: None,
        phone: None,
        username: None,
        company: None,
        role: None,
    };
    for &(i, col) in cols {
        let value = match cell(rec.get(i), col) {
            Ok(v) => v,
            Err(reason) => {
                errs.push((col.name(), reason));
                continue;
            }
        };
        match col {
            Col::Email => match value.as_deref().map(Email::parse) {
                None => errs.push(("email", "Enter an email address.".to_owned())),
                Some(Err(e)) => errs.push(("email", e.0.to_owned())),
                Some(Ok(e)) => row.email = e.as_str().to_owned(),
            },
            Col::First | Col::Last => {
                if let Some(v) = value {
                    match PersonName::parse(&v) {
                        Ok(n) if col == Col::First => row.first = Some(n.as_str().to_owned()),
                        Ok(n) => row.last = Some(n.as_str().to_owned()),
                        Err(e) => errs.push((col.name(), e.0.to_owned())),
                    }
                }
            }
            Col::Phone => {
                if value.as_ref().is_some_and(|p| p.chars().count() > 40 || !roster_core::is_plain_text(p)) {
                    errs.push((
                        "phone",
                        "Use at most 40 characters, without control or invisible characters.".to_owned(),
                    ));
                } else {
                    row.phone = value;
                }
            }
            Col::Company => {
                if value.as_ref().is_some_and(|c| c.chars().count() > 200 || !roster_core::is_plain_text(c)) {
                    errs.push((
                        "company",
                        "Use at most 200 characters, without control or invisible characters.".to_owned(),
                    ));
                } else {
                    row.company = value;
                }
            }
            Col::Username => {
                if let Some(u) = &value {
                    let n = u.chars().count();
                    if !(3..=64).contains(&n)
                        || u.contains('@')
                        || u.chars().any(char::is_whitespace)
                        || !roster_core::is_plain_text(u)
                    {
                        errs.push(("username", "Use 3 to 64 characters, without spaces or @.".to_owned()));
                        continue;
                    }
                }
                row.username = value.map(|u| u.to_lowercase());
            }
            Col::Role => {
                if value.as_ref().is_some_and(|r| r.chars().count() > 100) {
                    errs.push(("role", "Unknown role: use a built-in role or one of this account's roles.".to_owned()));
                } else {
                    row.role = value;
                }
            }
        }
    }
    errs.is_empty().then_some(row)
}

/// Who is importing: a member with `users.manage` (what they may grant, their own id), or the
/// installation itself (`Identity::Internal`, the command line: anything but the owner role).
struct Importer {
    who: Who,
    user_id: Option<Uuid>,
    /// The member importing (the invitations' sender), `None` at the command line.
    user: Option<UserRow>,
    held: PermissionSet,
    /// May send invitations in the account (R-PERM-2).
    can_invite: bool,
}

impl Service {
    /// Imports members from CSV into the account; see the module docs. `progress` is told the
    /// number of data rows handled after each batch.
    pub async fn import_members<R: std::io::Read + Send>(
        &self,
        who: Identity<'_>,
        account_id: Uuid,
        input: R,
        opts: ImportOptions,
        meta: &Meta,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<ImportReport> {
        let importer = {
            let mut tx = self.store.read().await?;
            let importer = match who {
                Identity::Person(p) => {
                    let (actor, mine) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
                    authorize(&actor, Action::ManageMembers(account_id))?;
                    let account = tx.account_by_id(account_id).await?.ok_or(ServiceError::NotFound)?;
                    let owner_only = account.invite_policy != roster_core::InvitePolicy::Permission;
                    Importer {
                        who: p.who(),
                        user_id: Some(p.user.id),
                        user: Some(p.user.clone()),
                        held: mine.as_ref().map_or(PermissionSet::EMPTY, effective_permissions),
                        can_invite: authorize(&actor, Action::Invite { account_id, owner_only }).is_ok(),
                    }
                }
                Identity::Internal(why) => Importer {
                    who: Who::internal(why),
                    user_id: None,
                    user: None,
                    held: PermissionSet::all(),
                    can_invite: true,
                },
            };
            tx.account_by_id(account_id).await?.ok_or(ServiceError::NotFound)?;
            importer
        };
        let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(input);
        let headers = reader
            .byte_headers()
            .map_err(|e| ServiceError::invalid("file", format!("The first line cannot be read: {e}")))?
            .clone();
        let mut report = ImportReport { dry_run: opts.dry_run, ..ImportReport::default() };
        let mut cols: Vec<(usize, Col)> = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            let name = String::from_utf8_lossy(h).into_owned();
            match Col::from_header(&name) {
                Some(c) if !cols.iter().any(|(_, x)| *x == c) => cols.push((i, c)),
                _ => report.ignored_columns.push(name),
            }
        }
        if !cols.iter().any(|(_, c)| *c == Col::Email) {
            return Err(ServiceError::invalid(
                "file",
                "The first line must name the columns, with an email column (and first_name, last_name, phone, username, company, role).",
            ));
        }
        let mut seen_emails: HashSet<String> = HashSet::new();
        let mut seen_usernames: HashSet<String> = HashSet::new();
        let mut roles = RoleCache::new();
        // Batches in flight, oldest first: up to the backend's bulk writers at once, each its
        // own transaction. Each works on its own copy of the role cache and its own report.
        let lanes = self.store.backend().bulk_writers().max(1);
        let mut inflight = FuturesOrdered::new();
        let mut batch: Vec<Row> = Vec::with_capacity(opts.batch.max(1));
        let mut rec = csv::ByteRecord::new();
        loop {
            let more = match reader.read_byte_record(&mut rec) {
                Ok(more) => more,
                Err(e) => {
                    // A broken line (an unterminated quote): report it and stop reading.
                    let line = e.position().map_or(0, csv::Position::line);
                    report.rows += 1;
                    report.failed += 1;
                    Errors { report: &mut report }.add(line, "file", format!("This line cannot be read as CSV: {e}"));
                    false
                }
            };
            if !more {
                break;
            }
            report.rows += 1;
            let line = rec.position().map_or(0, csv::Position::line);
            let mut errs = Vec::new();
            let row = check_row(&rec, &cols, line, &mut errs);
            let row = row.filter(|r| {
                if !seen_emails.insert(r.email.clone()) {
                    errs.push(("email", "This email is on an earlier line of the file.".to_owned()));
                    return false;
                }
                if let Some(u) = &r.username
                    && !seen_usernames.insert(u.clone())
                {
                    errs.push(("username", "This username is on an earlier line of the file.".to_owned()));
                    return false;
                }
                true
            });
            match row {
                Some(r) => batch.push(r),
                None => {
                    report.failed += 1;
                    for (field, reason) in errs {
                        Errors { report: &mut report }.add(line, field, reason);
                    }
                }
            }
            if batch.len() >= opts.batch.max(1) {
                let sent = Sent { rows: std::mem::take(&mut batch), roles: roles.clone(), rows_read: report.rows };
                inflight.push_back(self.import_batch(account_id, &importer, sent, opts, meta));
                while inflight.len() >= lanes {
                    let Some(done) = inflight.next().await else { break };
                    finish_batch(done?, &mut report, &mut roles, progress);
                }
            }
        }
        if !batch.is_empty() {
            let sent = Sent { rows: batch, roles: roles.clone(), rows_read: report.rows };
            inflight.push_back(self.import_batch(account_id, &importer, sent, opts, meta));
        }
        while let Some(done) = inflight.next().await {
            finish_batch(done?, &mut report, &mut roles, progress);
        }
        report.keep_first_errors();
        progress(report.rows);
        Ok(report)
    }

    /// Checks and writes one batch in its own transaction; its counts, errors and the role
    /// cache as it grew.
    async fn import_batch(
        &self,
        account_id: Uuid,
        importer: &Importer,
        sent: Sent,
        opts: ImportOptions,
        meta: &Meta,
    ) -> Result<Done> {
        let Sent { rows, roles: mut cache, rows_read } = sent;
        let mut out = ImportReport::default();
        let (report, roles) = (&mut out, &mut cache);
        let mut tx = if opts.dry_run { self.store.read().await? } else { self.store.begin().await? };
        let emails: Vec<String> = rows.iter().map(|r| r.email.clone()).collect();
        let users: HashMap<String, UserRow> =
            tx.users_by_emails(&emails).await?.into_iter().map(|u| (u.email.clone(), u)).collect();
        let known: Vec<Uuid> = users.values().map(|u| u.id).collect();
        let members: HashMap<Uuid, MembershipRow> =
            tx.memberships_of_users(account_id, &known).await?.into_iter().map(|m| (m.user_id, m)).collect();
        let account = tx.account_by_id(account_id).await?.ok_or(ServiceError::NotFound)?;
        let mut invitations_sent = false;
        let t = now();
        let (mut new_users, mut new_members, mut changed, mut audits) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut counts = (0u64, 0u64, 0u64, 0u64);
        for row in rows {
            let mut fail = |field: &str, reason: String| {
                report.failed += 1;
                Errors { report: &mut *report }.add(row.line, field, reason);
            };
            let rights = match &row.role {
                None => None,
                Some(r) => match rights_for(tx.as_mut(), account_id, r, importer, roles).await? {
                    Ok(rights) => Some(rights),
                    Err(reason) => {
                        fail("role", reason);
                        continue;
                    }
                },
            };
            let audit = |user_id: Uuid, change: &str, role: &str| AuditRow {
                id: Uuid::now_v7(),
                account_id: Some(account_id),
                actor_id: importer.who.actor,
                impersonator_id: importer.who.impersonator,
                action: roster_core::AuditAction::MemberImported,
                target_type: Some("user".to_owned()),
                target_id: Some(user_id.to_string()),
                ip: meta.ip.clone(),
                details: importer.who.details(Some(serde_json::json!({ "change": change, "role": role }))),
                at: t,
            };
            match users.get(&row.email) {
                None => {
                    let (Some(first), Some(last)) = (row.first.clone(), row.last.clone()) else {
                        let field = if row.first.is_none() { "first_name" } else { "last_name" };
                        fail(field, "A new person needs a first and a last name.".to_owned());
                        continue;
                    };
                    if let Some(name) = &row.username
                        && tx.user_by_username(name).await?.is_some()
                    {
                        fail("username", "This username is taken.".to_owned());
                        continue;
                    }
                    let rights = rights.unwrap_or_else(Rights::default_for_new_member);
                    let user = UserRow {
                        id: Uuid::now_v7(),
                        email: row.email.clone(),
                        username: row.username.clone(),
                        first_name: first,
                        last_name: last,
                        phone: row.phone.clone(),
                        company: row.company.clone(),
                        password_hash: None,
                        time_zone: "UTC".to_owned(),
                        is_operator: false,
                        email_verified_at: None,
                        created_at: t,
                        updated_at: t,
                    };
                    let mut m = MembershipRow::new(account_id, user.id, rights.role, t);
                    rights.apply(&mut m);
                    audits.push(audit(user.id, "created", m.role.as_str()));
                    new_members.push(m);
                    new_users.push(user);
                    counts.0 += 1;
                }
                Some(user) => match members.get(&user.id) {
                    // R-ADD-3: a login is never joined without consent: it is invited, and the
                    // report tells nothing of it (the audit row names the invitation only).
                    None => {
                        if !importer.can_invite {
                            fail(
                                "email",
                                "This address can only be invited, and you may not send invitations in this account \
                                 (R-PERM-2)."
                                    .to_owned(),
                            );
                            continue;
                        }
                        let rights = rights.unwrap_or_else(Rights::default_for_new_member);
                        if !opts.dry_run {
                            let email = Email::parse(&row.email).map_err(|e| ServiceError::invalid("email", e.0))?;
                            if let Invitee::Free = self.invitee(tx.as_mut(), account_id, &email).await? {
                                let by = InvitedBy { user: importer.user.as_ref(), who: importer.who };
                                self.issue(tx.as_mut(), &account, by, &email, &rights, meta).await?;
                                invitations_sent = true;
                            }
                        }
                        counts.1 += 1;
                    }
                    Some(current) => {
                        let mut wanted = current.clone();
                        if let Some(r) = &rights {
                            r.apply(&mut wanted);
                        }
                        let same = wanted.role == current.role
                            && wanted.custom_role_id == current.custom_role_id
                            && wanted.permissions == current.permissions;
                        if same {
                            counts.3 += 1;
                        } else if current.is_owner {
                            fail("role", "The owner's rights do not change (R-OWN-2).".to_owned());
                        } else if importer.user_id == Some(user.id) {
                            fail("role", "Nobody changes their own rights (R-PERM-1).".to_owned());
                        } else {
                            audits.push(audit(user.id, "role", wanted.role.as_str()));
                            changed.push(wanted);
                            counts.2 += 1;
                        }
                    }
                },
            }
        }
        if !opts.dry_run {
            tx.insert_members_bulk(&new_users, &new_members).await?;
            for user in &new_users {
                crate::records::membership::on_join(tx.as_mut(), account_id, user, &[], user.created_at).await?;
            }
            tx.set_roles_bulk(account_id, &changed).await?;
            tx.insert_audit_bulk(&audits).await?;
            tx.commit().await?;
            if invitations_sent {
                self.mail_enqueued();
            }
        }
        report.created += counts.0;
        report.invited += counts.1;
        report.updated += counts.2;
        report.unchanged += counts.3;
        Ok(Done { report: out, roles: cache, rows_read })
    }
}

/// A batch on its way: its rows, the role cache as it was, the data rows read so far.
struct Sent {
    rows: Vec<Row>,
    roles: RoleCache,
    rows_read: u64,
}

/// A finished batch.
struct Done {
    report: ImportReport,
    roles: RoleCache,
    /// Data rows read from the file when the batch was sent.
    rows_read: u64,
}

fn finish_batch(done: Done, report: &mut ImportReport, roles: &mut RoleCache, progress: &(dyn Fn(u64) + Sync)) {
    report.absorb(done.report);
    roles.extend(done.roles);
    progress(done.rows_read);
}

/// The rights a role cell gives, checked once per distinct cell: known to the account, never
/// `owner`, and within what the importer holds (R-PERM-1).
async fn rights_for(
    tx: &mut dyn Tx,
    account_id: Uuid,
    role: &str,
    importer: &Importer,
    cache: &mut HashMap<String, std::result::Result<Rights, String>>,
) -> Result<std::result::Result<Rights, String>> {
    if let Some(found) = cache.get(role) {
        return Ok(found.clone());
    }
    let mut errs = roster_core::FieldErrors::new();
    let resolved = resolve_rights(tx, account_id, Some(&role.to_lowercase()), None, &mut errs).await?;
    let answer = match resolved {
        Some(rights) => match check_grantable(importer.held, rights.set()) {
            Ok(()) => Ok(rights),
            Err(ServiceError::Escalation(p)) => {
                Err(format!("You cannot give {}, which you do not hold (R-PERM-1).", p.id()))
            }
            Err(e) => return Err(e),
        },
        None => Err(errs.0.first().map_or_else(|| "Unknown role.".to_owned(), |e| e.message.clone())),
    };
    cache.insert(role.to_owned(), answer.clone());
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_refuse_formulas_but_take_phone_numbers_and_exported_cells() {
        assert!(cell(Some(b"=HYPERLINK(1)"), Col::First).is_err());
        assert!(cell(Some(b"@SUM(1)"), Col::Company).is_err());
        assert!(cell(Some(b"-2+3"), Col::Company).is_err());
        assert_eq!(cell(Some(b"+44 20 7946 0000"), Col::Phone).expect("phone"), Some("+44 20 7946 0000".to_owned()));
        assert_eq!(cell(Some(b"'+44 1"), Col::Phone).expect("exported"), Some("+44 1".to_owned()));
        assert!(cell(Some(b"+cmd"), Col::Phone).is_err());
        assert!(cell(Some(&[0xff, 0xfe]), Col::First).is_err());
        assert_eq!(cell(Some(b"  "), Col::First).expect("empty"), None);
    }
}
