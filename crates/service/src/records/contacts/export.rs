//! CSV export of the contacts in scope (R-CON-1: the same filters as the list), read in chunks,
//! each in its own read unit of work, in creation order.
use roster_store::ContactSort;
use uuid::Uuid;

use super::contact_scope;
use super::list::ContactListParams;
use crate::signin::Principal;
use crate::{Result, Service};

/// Rows read per unit of work.
pub const CONTACT_EXPORT_CHUNK: i64 = 1_000;

/// A CSV cell: quoted when it holds a separator, quote or line break; a leading `=`, `+`, `-`,
/// `@` is prefixed with `'` so spreadsheets do not run it as a formula.
fn cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

pub const CONTACT_CSV_HEADER: &str = "id,type,first_name,last_name,company,emails,phones,address,stage,assigned_to,tags,hidden_from_client_list,follow_up_on,notes\n";

impl Service {
    /// The contacts in the caller's scope matching `params`, as CSV.
    pub async fn export_contacts(&self, p: &Principal, account_id: Uuid, params: &ContactListParams) -> Result<String> {
        let base = ContactListParams { cursor: None, limit: None, ..params.clone() };
        let mut q = base.query()?;
        if base.sort.is_none() {
            q.sort = ContactSort::Created;
        }
        let mut out = String::from(CONTACT_CSV_HEADER);
        loop {
            let mut tx = self.store.read().await?;
            let (_, scope) = contact_scope(tx.as_mut(), p, account_id).await?;
            let rows = tx.list_contacts(&scope, &q, CONTACT_EXPORT_CHUNK).await?;
            drop(tx);
            let full = rows.len() as i64 == CONTACT_EXPORT_CHUNK;
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
            match rows.last() {
                Some((_, k)) if full => q.after = Some(k.clone()),
                _ => break,
            }
        }
        Ok(out)
    }
}
