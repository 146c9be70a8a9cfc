//! Creating, changing and deleting contacts (R-CON-1). Validation names each refused field
//! (422); the write runs inside the caller's scope, so a contact out of reach is 404.
use roster_core::{Action, ContactKind, ContactStage, Email, FieldErrors, MembershipStatus, Reach, Scope, authorize};
use roster_store::{ContactRow, Tx};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{ContactView, contact_scope};
use crate::signin::{Principal, audit};
use crate::{Meta, Result, Service, ServiceError, now};

/// Longest name, company, phone or tag.
pub const NAME_MAX: usize = 200;
/// Longest notes.
pub const NOTES_MAX: usize = 10_000;
/// Longest address.
pub const ADDRESS_MAX: usize = 1_000;
/// Most addresses, phone numbers or tags on one contact.
pub const LIST_MAX: usize = 50;

/// A present JSON value, `null` included, as `Some` (absent stays `None`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> std::result::Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// A contact's fields as sent. On create, absent fields take their defaults (`type` client,
/// stage new, assigned to the caller); on update, absent fields keep their value. An empty
/// string clears an optional text; `assigned_to: null` unassigns.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct ContactInput {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub emails: Option<Vec<String>>,
    #[serde(default)]
    pub phones: Option<Vec<String>>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub stage: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub assigned_to: Option<Option<String>>,
    #[serde(default)]
    pub hidden_from_client_list: Option<bool>,
    /// `YYYY-MM-DD`, or empty to clear.
    #[serde(default)]
    pub follow_up_on: Option<String>,
}

fn one_line(e: &mut FieldErrors, field: &str, v: &str, max: usize) -> Option<String> {
    let v = v.trim();
    if v.chars().count() > max {
        e.add(field, format!("Use at most {max} characters."));
        None
    } else if !roster_core::is_plain_text(v) {
        e.add(field, roster_core::NOT_PLAIN_TEXT);
        None
    } else {
        Some(v.to_owned())
    }
}

/// Text of several lines (address, notes): each line plain text.
fn lines(e: &mut FieldErrors, field: &str, v: &str, max: usize) -> Option<String> {
    let v = v.trim().replace("\r\n", "\n");
    if v.chars().count() > max {
        e.add(field, format!("Use at most {max} characters."));
        None
    } else if !v.split('\n').all(|l| roster_core::is_plain_text(&l.replace('\t', " "))) {
        e.add(field, roster_core::NOT_PLAIN_TEXT);
        None
    } else {
        Some(v)
    }
}

fn optional(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.is_empty())
}

fn parse_date(v: &str) -> Option<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(v, &format).ok().map(|_| v.to_owned())
}

impl ContactInput {
    /// Applies the input to `c` (a new contact's defaults, or the stored row), collecting every
    /// refused field. The assignee is checked apart ([`check_assignee`]).
    pub(crate) fn apply(&self, c: &mut ContactRow, creating: bool) -> Result<()> {
        let mut e = FieldErrors::new();
        if let Some(k) = &self.kind {
            match ContactKind::parse(k.trim()) {
                Ok(k) => c.kind = k,
                Err(_) => e.add("type", "Use client, lead, vendor or collaborator."),
            }
        }
        match &self.first_name {
            Some(v) => {
                if let Some(v) = one_line(&mut e, "first_name", v, NAME_MAX) {
                    if v.is_empty() {
                        e.add("first_name", "Enter a first name.");
                    }
                    c.first_name = v;
                }
            }
            None if creating => e.add("first_name", "Enter a first name."),
            None => {}
        }
        if let Some(v) = self.last_name.as_ref().and_then(|v| one_line(&mut e, "last_name", v, NAME_MAX)) {
            c.last_name = v;
        }
        if let Some(v) = &self.company {
            c.company = optional(one_line(&mut e, "company", v, NAME_MAX));
        }
        if let Some(list) = &self.emails {
            let mut out: Vec<String> = Vec::new();
            if list.len() > LIST_MAX {
                e.add("emails", format!("Give at most {LIST_MAX} addresses."));
            }
            for v in list.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
                match Email::parse(v) {
                    Ok(a) if !out.contains(&a.as_str().to_owned()) => out.push(a.as_str().to_owned()),
                    Ok(_) => {}
                    Err(_) => {
                        e.add("emails", format!("{v:?} is not an email address."));
                        break;
                    }
                }
            }
            c.email = out.first().map(|a| a.to_lowercase());
            c.emails = out;
        }
        if let Some(list) = &self.phones {
            if list.len() > LIST_MAX {
                e.add("phones", format!("Give at most {LIST_MAX} phone numbers."));
            }
            c.phones =
                list.iter().filter_map(|v| one_line(&mut e, "phones", v, 50)).filter(|v| !v.is_empty()).collect();
        }
        if let Some(v) = &self.address {
            c.address = optional(lines(&mut e, "address", v, ADDRESS_MAX));
        }
        if let Some(v) = &self.notes {
            c.notes = optional(lines(&mut e, "notes", v, NOTES_MAX));
        }
        if let Some(list) = &self.tags {
            if list.len() > LIST_MAX {
                e.add("tags", format!("Give at most {LIST_MAX} tags."));
            }
            c.tags =
                list.iter().filter_map(|v| one_line(&mut e, "tags", v, NAME_MAX)).filter(|v| !v.is_empty()).collect();
        }
        if let Some(s) = &self.stage {
            match ContactStage::parse(s.trim()) {
                Ok(s) => c.stage = s,
                Err(_) => e.add("stage", "Use new, contacted, qualified, proposal, won or lost."),
            }
        }
        if let Some(h) = self.hidden_from_client_list {
            c.hidden_from_client_list = h;
        }
        if let Some(v) = &self.follow_up_on {
            let v = v.trim();
            if v.is_empty() {
                c.follow_up_on = None;
            } else {
                match parse_date(v) {
                    Some(d) => c.follow_up_on = Some(d),
                    None => e.add("follow_up_on", "Use a date as YYYY-MM-DD."),
                }
            }
        }
        if let Some(a) = &self.assigned_to {
            match a.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(Uuid::parse_str).transpose() {
                Ok(id) => c.assigned_to = id,
                Err(_) => e.add("assigned_to", "Use a member's user id."),
            }
        }
        if e.is_empty() { Ok(()) } else { Err(ServiceError::Invalid(e)) }
    }
}

/// R-CON-1 and decision 0078: the assignee is an active member of the account; a member who
/// sees only their own contacts may assign only to themselves (else the contact would vanish
/// from their sight, and they would hand work to others without the right to see it).
pub(crate) async fn check_assignee(tx: &mut dyn Tx, scope: &Scope, assignee: Option<Uuid>) -> Result<()> {
    match (scope.reach(), assignee) {
        (Reach::Own(me), Some(a)) if a != me => Err(ServiceError::invalid(
            "assigned_to",
            "Without contacts.view_all you may assign contacts only to yourself.",
        )),
        (Reach::Own(_), None) => Err(ServiceError::invalid(
            "assigned_to",
            "Without contacts.view_all you may assign contacts only to yourself.",
        )),
        (_, None) => Ok(()),
        (_, Some(a)) => {
            let active =
                tx.membership(scope.account_id(), a).await?.is_some_and(|m| m.status == MembershipStatus::Active);
            if active {
                Ok(())
            } else {
                Err(ServiceError::invalid("assigned_to", "Choose an active member of this account."))
            }
        }
    }
}

/// A new contact's defaults in `account_id`, assigned to `me`.
pub(crate) fn blank_contact(account_id: Uuid, me: Uuid) -> ContactRow {
    let t = now();
    ContactRow {
        id: Uuid::now_v7(),
        account_id,
        kind: ContactKind::Client,
        first_name: String::new(),
        last_name: String::new(),
        company: None,
        email: None,
        emails: Vec::new(),
        phones: Vec::new(),
        address: None,
        notes: None,
        stage: ContactStage::New,
        assigned_to: Some(me),
        hidden_from_client_list: false,
        follow_up_on: None,
        member_user_id: None,
        created_at: t,
        updated_at: t,
        tags: Vec::new(),
        assignee_archived: false,
    }
}

/// Inserts a validated contact with its tags, in the caller's open unit of work.
pub(crate) async fn insert(tx: &mut dyn Tx, scope: &Scope, c: &ContactRow) -> Result<()> {
    if !tx.insert_contact(scope, c).await? {
        return Err(ServiceError::NotFound);
    }
    if !c.tags.is_empty() {
        tx.set_contact_tags(scope, c.id, &c.tags, c.created_at).await?;
    }
    Ok(())
}

/// Writes a changed contact (and its tags when they were sent).
pub(crate) async fn update(tx: &mut dyn Tx, scope: &Scope, c: &ContactRow, tags: bool) -> Result<()> {
    if tx.update_contact(scope, c).await? == 0 {
        return Err(ServiceError::NotFound);
    }
    if tags {
        tx.set_contact_tags(scope, c.id, &c.tags, c.updated_at).await?;
    }
    Ok(())
}

impl Service {
    /// R-CON-1: a new contact, assigned to the caller unless they name another member.
    pub async fn create_contact(
        &self,
        p: &Principal,
        account_id: Uuid,
        input: &ContactInput,
        meta: &Meta,
    ) -> Result<ContactView> {
        let mut tx = self.store.begin().await?;
        let (actor, scope) = contact_scope(tx.as_mut(), p, account_id).await?;
        authorize(&actor, Action::EditContacts(account_id))?;
        let mut c = blank_contact(account_id, actor.user_id);
        input.apply(&mut c, true)?;
        check_assignee(tx.as_mut(), &scope, c.assigned_to).await?;
        insert(tx.as_mut(), &scope, &c).await?;
        let event = audit(
            roster_core::AuditAction::ContactCreated,
            p.who(),
            Some(account_id),
            ("contact", c.id.to_string()),
            meta,
        );
        tx.insert_audit(&event).await?;
        let view = tx.contact(&scope, c.id).await?.map(ContactView::from).ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
        Ok(view)
    }

    /// Changes the fields sent; the contact must be in the caller's scope (else 404).
    pub async fn update_contact(
        &self,
        p: &Principal,
        account_id: Uuid,
        contact_id: Uuid,
        input: &ContactInput,
        meta: &Meta,
    ) -> Result<ContactView> {
        let mut tx = self.store.begin().await?;
        let (actor, scope) = contact_scope(tx.as_mut(), p, account_id).await?;
        let mut c = tx.contact(&scope, contact_id).await?.ok_or(ServiceError::NotFound)?;
        authorize(&actor, Action::EditContacts(account_id))?;
        let before = c.assigned_to;
        input.apply(&mut c, false)?;
        if input.assigned_to.is_some() && c.assigned_to != before {
            check_assignee(tx.as_mut(), &scope, c.assigned_to).await?;
        }
        c.updated_at = now();
        update(tx.as_mut(), &scope, &c, input.tags.is_some()).await?;
        let event = audit(
            roster_core::AuditAction::ContactUpdated,
            p.who(),
            Some(account_id),
            ("contact", c.id.to_string()),
            meta,
        );
        tx.insert_audit(&event).await?;
        let view = tx.contact(&scope, c.id).await?.map(ContactView::from).ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
        Ok(view)
    }

    /// Deletes a contact in the caller's scope (`contacts.delete`).
    pub async fn delete_contact(&self, p: &Principal, account_id: Uuid, contact_id: Uuid, meta: &Meta) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let (actor, scope) = contact_scope(tx.as_mut(), p, account_id).await?;
        // Out of scope is 404 before any permission is named.
        tx.contact(&scope, contact_id).await?.ok_or(ServiceError::NotFound)?;
        authorize(&actor, Action::DeleteContacts(account_id))?;
        if tx.delete_contact(&scope, contact_id).await? == 0 {
            return Err(ServiceError::NotFound);
        }
        let event = audit(
            roster_core::AuditAction::ContactDeleted,
            p.who(),
            Some(account_id),
            ("contact", contact_id.to_string()),
            meta,
        );
        tx.insert_audit(&event).await?;
        tx.commit().await?;
        Ok(())
    }
}
