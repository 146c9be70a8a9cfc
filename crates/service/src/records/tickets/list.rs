//! The ticket list (R-TKT-1): `q` (subject text, or `#12` for one number), filters `status`,
//! `assigned_to`, `priority`, `contact_id`; sort by `number` (default, newest first) or
//! `updated_at`; keyset pages inside the caller's scope.
use roster_core::{TicketPriority, TicketStatus, scope};
use roster_store::{TicketFilter, TicketKey, TicketQuery, TicketSort};
use time::OffsetDateTime;
use uuid::Uuid;

use super::view::{TicketPage, TicketView};
use crate::accounts::page_limit;
use crate::signin::Principal;
use crate::{Result, Service, ServiceError, actor};

/// The most tickets a count counts ("10,000+").
pub const TICKET_COUNT_CAP: i64 = 10_000;

/// The list's query parameters as received.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, utoipa::IntoParams)]
pub struct TicketListParams {
    /// Text found in the subject, or `#12` (or `12`) for ticket number 12.
    pub q: Option<String>,
    /// open, answered or closed.
    pub status: Option<String>,
    /// A member's user id.
    pub assigned_to: Option<String>,
    /// low, normal, high or urgent.
    pub priority: Option<String>,
    pub contact_id: Option<String>,
    /// `number` (default) or `updated_at`.
    pub sort: Option<String>,
    /// `desc` (default: newest first) or `asc`.
    pub order: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn id_param(field: &str, s: &Option<String>) -> Result<Option<Uuid>> {
    blank(s).map(|v| Uuid::parse_str(v).map_err(|_| ServiceError::invalid(field, "Use an id."))).transpose()
}

fn encode_cursor(sort: TicketSort, k: &TicketKey) -> String {
    match sort {
        TicketSort::Number => format!("n.{}", k.number),
        TicketSort::Updated => format!("u.{}.{}", k.updated_at.unix_timestamp_nanos() / 1000, k.id),
    }
}

fn decode_cursor(cursor: &str, sort: TicketSort) -> Result<TicketKey> {
    let bad = || ServiceError::invalid("cursor", "This cursor is not one this server gave out for this sort.");
    let mut parts = cursor.split('.');
    let key = match (sort, parts.next(), parts.next(), parts.next(), parts.next()) {
        (TicketSort::Number, Some("n"), Some(n), None, None) => {
            TicketKey { number: n.parse().map_err(|_| bad())?, updated_at: OffsetDateTime::UNIX_EPOCH, id: Uuid::nil() }
        }
        (TicketSort::Updated, Some("u"), Some(micros), Some(id), None) => {
            let micros: i128 = micros.parse().map_err(|_| bad())?;
            TicketKey {
                number: 0,
                updated_at: OffsetDateTime::from_unix_timestamp_nanos(micros.saturating_mul(1000))
                    .map_err(|_| bad())?,
                id: Uuid::parse_str(id).map_err(|_| bad())?,
            }
        }
        _ => return Err(bad()),
    };
    Ok(key)
}

impl TicketListParams {
    /// The filter these parameters ask for (422 naming a bad one).
    pub fn filter(&self) -> Result<TicketFilter> {
        let mut f = TicketFilter::default();
        match blank(&self.q) {
            Some(q) if q.chars().count() > 200 => {
                return Err(ServiceError::invalid("q", "Search with at most 200 characters."));
            }
            Some(q) => match q.strip_prefix('#').unwrap_or(q).parse::<i64>() {
                Ok(n) if n > 0 => f.number = Some(n),
                _ => f.text = Some(q.to_lowercase()),
            },
            None => {}
        }
        f.status = blank(&self.status)
            .map(TicketStatus::parse)
            .transpose()
            .map_err(|_| ServiceError::invalid("status", "Use open, answered or closed."))?;
        f.priority = blank(&self.priority)
            .map(TicketPriority::parse)
            .transpose()
            .map_err(|_| ServiceError::invalid("priority", "Use low, normal, high or urgent."))?;
        f.assigned_to = id_param("assigned_to", &self.assigned_to)?;
        f.contact_id = id_param("contact_id", &self.contact_id)?;
        Ok(f)
    }

    fn query(&self) -> Result<TicketQuery> {
        let filter = self.filter()?;
        let sort = match blank(&self.sort) {
            None => TicketSort::Number,
            Some(s) => {
                TicketSort::parse(s).ok_or_else(|| ServiceError::invalid("sort", "Use number or updated_at."))?
            }
        };
        let descending = match blank(&self.order) {
            None | Some("desc") => true,
            Some("asc") => false,
            Some(_) => return Err(ServiceError::invalid("order", "Use asc or desc.")),
        };
        let after = blank(&self.cursor).map(|c| decode_cursor(c, sort)).transpose()?;
        Ok(TicketQuery { filter, sort, descending, after })
    }
}

impl Service {
    /// One page of the tickets the caller reaches (R-TKT-1).
    pub async fn list_tickets(&self, p: &Principal, account_id: Uuid, params: &TicketListParams) -> Result<TicketPage> {
        let limit = page_limit(params.limit)?;
        let q = params.query()?;
        let mut tx = self.store.read().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let scope = scope(&actor, account_id, scope::TICKETS)?;
        let mut rows = tx.list_tickets(&scope, &q, limit + 1).await?;
        let keep = usize::try_from(limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > keep {
            rows.truncate(keep);
            rows.last().map(|t| encode_cursor(q.sort, &TicketKey::from(t)))
        } else {
            None
        };
        Ok(TicketPage { items: rows.into_iter().map(TicketView::from).collect(), next_cursor })
    }

    /// How many of the tickets the caller reaches match `params` in each status (the status
    /// filter itself is left out), each capped at [`TICKET_COUNT_CAP`] + 1.
    pub async fn ticket_status_counts(
        &self,
        p: &Principal,
        account_id: Uuid,
        params: &TicketListParams,
    ) -> Result<Vec<(TicketStatus, i64)>> {
        let mut f = params.filter()?;
        let mut tx = self.store.read().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let scope = scope(&actor, account_id, scope::TICKETS)?;
        let mut out = Vec::new();
        for s in TicketStatus::ALL {
            f.status = Some(*s);
            out.push((*s, tx.count_tickets(&scope, &f, TICKET_COUNT_CAP).await?));
        }
        Ok(out)
    }
}
