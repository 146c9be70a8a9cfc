//! CSV export of the contacts in scope (R-CON-1: the same filters as the list), read in chunks,
//! each in its own read unit of work, in creation order.
use roster_store::ContactSort;
use uuid::Uuid;

use super::contact_scope;
use super::list::ContactListParams;
use crate::signin::Principal;
use crate::{Result, Service};

/// Rows read per unit of work.
pub const CONTACT_EXPORT_CHUNK: i64 = 5_000;

/// A CSV cell: quoted when it holds a separator, quote or line break; a leading `=`, `+`, `-`,
/// `@` is prefixed with `'` so spreadsheets do not run it as a formula.
fn cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

pub const CONTACT_CSV_HEADER: &str = "id,type,first_name,last_name,company,emails,phones,address,stage,assigned_to,tags,hidden_from_client_list,follow_up_on,notes\n";

/// An export under way: chunks of [`CONTACT_EXPORT_CHUNK`] contacts, each read in its own short
/// unit of work (the caller's scope asked again each time, so a member who loses a permission
/// mid-export reads no further than it allows) and keyset-paged, so memory stays flat.
pub struct ContactExport {
    service: Service,
    principal: Principal,
    account_id: Uuid,
    query: roster_store::ContactQuery,
    done: bool,
}

impl ContactExport {
    /// The CSV text of the next rows (the header first), `None` once all were read.
    pub async fn next_chunk(&mut self) -> Result<Option<String>> {
        if self.done {
            return Ok(None);
        }
        let mut tx = self.service.store.read().await?;
        let (_, scope) = contact_scope(tx.as_mut(), &self.principal, self.account_id).await?;
        let rows = tx.export_contacts(&scope, &self.query, CONTACT_EXPORT_CHUNK).await?;
        drop(tx);
        if (rows.len() as i64) < CONTACT_EXPORT_CHUNK {
            self.done = true;
        }
        self.query.after = rows.last().map(|(_, k)| k.clone());
        let mut out = String::with_capacity(rows.len() * 160);
        for (c, _) in &rows {
            let fields = [
                c.id.to_string(),
                c.kind.as_str().to_owned(),
                c.first_name.clone(),
                c.last_name.clone(),
                c.company.clone().unwrap_or_default(),
                c.emails.join(" "),
                c.phones.join("; "),
                c.address.clone().unwrap_or_default(),
                c.stage.as_str().to_owned(),
                c.assigned_to.map(|a| a.to_string()).unwrap_or_default(),
                c.tags.join("; "),
                c.hidden_from_client_list.to_string(),
                c.follow_up_on.clone().unwrap_or_default(),
                c.notes.clone().unwrap_or_default(),
            ];
            out.push_str(&fields.iter().map(|f| cell(f)).collect::<Vec<_>>().join(","));
            out.push('\n');
        }
        Ok(if out.is_empty() { None } else { Some(out) })
    }
}

impl Service {
    /// Starts a CSV export of the contacts in the caller's scope matching `params` (R-CON-1: the
    /// same filters as the list; creation order unless a sort is asked). Refusals (404, 422)
    /// come here, before any byte is sent; the rows come by [`ContactExport::next_chunk`].
    pub async fn contact_export(
        &self,
        p: &Principal,
        account_id: Uuid,
        params: &ContactListParams,
    ) -> Result<ContactExport> {
        let base = ContactListParams { cursor: None, limit: None, ..params.clone() };
        let mut query = base.query()?;
        if base.sort.is_none() {
            query.sort = ContactSort::Created;
        }
        let mut tx = self.store.read().await?;
        contact_scope(tx.as_mut(), p, account_id).await?;
        Ok(ContactExport { service: self.clone(), principal: p.clone(), account_id, query, done: false })
    }

    /// The whole export as one string (tests and small accounts; the API streams).
    pub async fn export_contacts(&self, p: &Principal, account_id: Uuid, params: &ContactListParams) -> Result<String> {
        let mut export = self.contact_export(p, account_id, params).await?;
        let mut out = String::from(CONTACT_CSV_HEADER);
        while let Some(chunk) = export.next_chunk().await? {
            out.push_str(&chunk);
        }
        Ok(out)
    }
}
