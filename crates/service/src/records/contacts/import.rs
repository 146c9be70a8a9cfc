//! CSV import of contacts (R-CON-1), in the caller's scope: a header line naming any of the
//! export's columns (`type, first_name, last_name, company, emails, phones, address, stage,
//! assigned_to, tags, hidden_from_client_list, follow_up_on, notes`; `id` is ignored). Every
//! row is checked first; when any row is refused (bad field, invalid UTF-8, a short row) nothing
//! is written and each refused row says why (status 422). Otherwise all rows are written in one
//! unit of work. Idempotent by the first email address: a row whose address already names a
//! contact in the caller's scope updates it (`updated`) or changes nothing (`unchanged`).
use roster_core::{Action, FieldErrors, authorize};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::contact_scope;
use super::edit::{ContactInput, blank_contact, check_assignee, insert, update};
use crate::signin::{Principal, audit};
use crate::{Meta, Result, Service, ServiceError, now};

/// Most rows one import takes.
pub const CONTACT_IMPORT_MAX_ROWS: usize = 10_000;

/// What happened to one row.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct ContactImportRow {
    /// The row's line in the file (the header is line 1).
    pub line: u64,
    /// `created`, `updated`, `unchanged`, or `invalid` (nothing of the file was written).
    pub result: String,
    /// 200 for a row written or unchanged, 422 for a refused one.
    pub status: u16,
    pub contact_id: Option<Uuid>,
    /// `(field, message)` of a refused row.
    pub errors: Vec<roster_core::FieldError>,
}

/// The import's outcome.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct ContactImportReport {
    /// False when any row was refused: then nothing was written.
    pub applied: bool,
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub invalid: u32,
    pub rows: Vec<ContactImportRow>,
}

fn cell(errors: &mut FieldErrors, name: &str, raw: &[u8]) -> String {
    match std::str::from_utf8(raw) {
        // No NUL enters as text (decision 0103): PostgreSQL cannot store it.
        Ok(s) if s.contains('\0') => {
            errors.add(name, "This cell holds the NUL character (U+0000), which Roster does not store.");
            String::new()
        }
        Ok(s) => s.trim().to_owned(),
        Err(_) => {
            errors.add(name, "This cell is not valid UTF-8 text.");
            String::new()
        }
    }
}

/// One row as the service's input, or its refusals.
fn row_input(header: &[String], rec: &csv::ByteRecord) -> std::result::Result<ContactInput, FieldErrors> {
    let mut e = FieldErrors::new();
    let mut input = ContactInput::default();
    let split = |s: &str, sep: &[char]| -> Vec<String> {
        s.split(sep).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned).collect()
    };
    for (i, name) in header.iter().enumerate() {
        let raw = rec.get(i).unwrap_or_default();
        let v = cell(&mut e, name, raw);
        match name.as_str() {
            "type" => input.kind = Some(v).filter(|s| !s.is_empty()),
            "first_name" => input.first_name = Some(v),
            "last_name" => input.last_name = Some(v),
            "company" => input.company = Some(v),
            "emails" => input.emails = Some(split(&v, &[' ', ',', ';'])),
            "phones" => input.phones = Some(split(&v, &[';'])),
            "address" => input.address = Some(v),
            "notes" => input.notes = Some(v),
            "stage" => input.stage = Some(v).filter(|s| !s.is_empty()),
            "assigned_to" if !v.is_empty() => input.assigned_to = Some(Some(v)),
            "tags" => input.tags = Some(split(&v, &[';', ','])),
            "hidden_from_client_list" => match v.as_str() {
                "" | "false" | "0" | "no" => input.hidden_from_client_list = Some(false),
                "true" | "1" | "yes" => input.hidden_from_client_list = Some(true),
                _ => e.add(name, "Use true or false."),
            },
            "follow_up_on" => input.follow_up_on = Some(v),
            _ => {}
        }
    }
    if e.is_empty() { Ok(input) } else { Err(e) }
}

impl Service {
    /// Imports contacts from CSV bytes (`contacts.edit`); see the module's words.
    pub async fn import_contacts(
        &self,
        p: &Principal,
        account_id: Uuid,
        csv_bytes: &[u8],
        meta: &Meta,
    ) -> Result<ContactImportReport> {
        let mut tx = self.store.begin().await?;
        let (actor, scope) = contact_scope(tx.as_mut(), p, account_id).await?;
        authorize(&actor, Action::EditContacts(account_id))?;
        let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(csv_bytes);
        let header: Vec<String> = reader
            .byte_headers()
            .map_err(|_| ServiceError::invalid("file", "The first line must name the columns."))?
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().trim_start_matches('\u{feff}').to_lowercase())
            .collect();
        if !header.iter().any(|h| h == "first_name") {
            return Err(ServiceError::invalid("file", "The header must name a first_name column."));
        }
        let mut report =
            ContactImportReport { applied: true, created: 0, updated: 0, unchanged: 0, invalid: 0, rows: Vec::new() };
        let mut rec = csv::ByteRecord::new();
        let mut line = 1u64;
        loop {
            match reader.read_byte_record(&mut rec) {
                Ok(false) => break,
                Ok(true) => {}
                Err(_) => return Err(ServiceError::invalid("file", format!("Line {} is not CSV.", line + 1))),
            }
            line = rec.position().map_or(line + 1, csv::Position::line);
            if report.rows.len() >= CONTACT_IMPORT_MAX_ROWS {
                return Err(ServiceError::invalid(
                    "file",
                    format!("Import at most {CONTACT_IMPORT_MAX_ROWS} rows at once."),
                ));
            }
            let refused = |errors: FieldErrors| ContactImportRow {
                line,
                result: "invalid".into(),
                status: 422,
                contact_id: None,
                errors: errors.0,
            };
            let input = match row_input(&header, &rec) {
                Ok(i) => i,
                Err(errors) => {
                    report.rows.push(refused(errors));
                    continue;
                }
            };
            let mut c = blank_contact(account_id, actor.user_id);
            if let Err(e) = input.apply(&mut c, true) {
                let ServiceError::Invalid(errors) = e else { return Err(e) };
                report.rows.push(refused(errors));
                continue;
            }
            if let Err(e) = check_assignee(tx.as_mut(), &scope, c.assigned_to).await {
                let ServiceError::Invalid(errors) = e else { return Err(e) };
                report.rows.push(refused(errors));
                continue;
            }
            let existing = match &c.email {
                Some(email) => tx.contact_by_email(&scope, email).await?,
                None => None,
            };
            let (result, id) = match existing {
                None => {
                    insert(tx.as_mut(), &scope, &c).await?;
                    ("created", c.id)
                }
                Some(old) => {
                    let mut changed = old.clone();
                    input.apply(&mut changed, false)?;
                    let mut tags = changed.tags.clone();
                    tags.sort_by_key(|t| t.to_lowercase());
                    let mut old_tags = old.tags.clone();
                    old_tags.sort_by_key(|t| t.to_lowercase());
                    let tags_sent = input.tags.is_some() && tags != old_tags;
                    if changed == old && !tags_sent {
                        ("unchanged", old.id)
                    } else {
                        changed.updated_at = now();
                        update(tx.as_mut(), &scope, &changed, input.tags.is_some()).await?;
                        ("updated", old.id)
                    }
                }
            };
            report.rows.push(ContactImportRow {
                line,
                result: result.into(),
                status: 200,
                contact_id: Some(id),
                errors: vec![],
            });
        }
        for r in &report.rows {
            match r.result.as_str() {
                "created" => report.created += 1,
                "updated" => report.updated += 1,
                "unchanged" => report.unchanged += 1,
                _ => report.invalid += 1,
            }
        }
        if report.invalid > 0 {
            // Nothing half-written: the unit of work is dropped, every row rolled back.
            report.applied = false;
            for r in &mut report.rows {
                if r.status == 200 {
                    r.contact_id = None;
                }
            }
            return Ok(report);
        }
        let mut event = audit(
            roster_core::AuditAction::ContactsImported,
            p.who(),
            Some(account_id),
            ("account", account_id.to_string()),
            meta,
        );
        event.details = Some(
            serde_json::json!({ "created": report.created, "updated": report.updated, "unchanged": report.unchanged })
                .to_string(),
        );
        tx.insert_audit(&event).await?;
        tx.commit().await?;
        Ok(report)
    }
}

#[cfg(test)]
mod fuzz {
    //! Property-based fuzz of the CSV reader (issue 18): any bytes give rows that are inputs or
    //! per-field refusals, never a panic; a NUL in a cell is refused on its row.
    #![allow(clippy::unwrap_used)]
    use proptest::prelude::*;

    use super::*;

    fn rows_of(bytes: &[u8]) {
        let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(bytes);
        let header: Vec<String> = match reader.byte_headers() {
            Ok(h) => h.iter().map(|h| String::from_utf8_lossy(h).trim().to_lowercase()).collect(),
            Err(_) => return,
        };
        let mut rec = csv::ByteRecord::new();
        while let Ok(true) = reader.read_byte_record(&mut rec) {
            let _ = row_input(&header, &rec);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn any_bytes_are_rows_or_refusals(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let mut csv = b"first_name,last_name,emails,phones,stage,type,tags,company,assigned_to,follow_up_on\n".to_vec();
            csv.extend_from_slice(&bytes);
            rows_of(&csv);
        }

        #[test]
        fn cells_with_a_nul_are_refused(before in "[a-z]{0,5}", after in "[a-z]{0,5}") {
            let header = vec!["first_name".to_owned(), "company".to_owned()];
            let rec = csv::ByteRecord::from(vec!["Ann".to_owned(), format!("{before}\u{0}{after}")]);
            let refused = row_input(&header, &rec).unwrap_err();
            prop_assert_eq!(refused.0[0].field.as_str(), "company");
        }
    }
}
