//! Contact lists (R-CON-1): search, filters (type, stage, tag, assignee, hidden), sorts, keyset
//! pages, a capped count, the pipeline's counts per stage and one contact by id, all inside the
//! caller's scope.
use roster_core::{ContactKind, ContactStage, Email};
use roster_store::{ContactFilter, ContactKey, ContactQuery, ContactSearch, ContactSort};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{ContactView, contact_scope};
use crate::accounts::page_limit;
use crate::signin::Principal;
use crate::signin::token::hex;
use crate::{Result, Service, ServiceError};

/// Longest search text accepted.
const Q_MAX: usize = 200;
/// The most contacts a list counts (decision 0075's cap): more are shown as "10,000+".
pub const CONTACT_COUNT_CAP: i64 = 10_000;

/// A list's query parameters as received (API query string, console URL, a saved filter).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ContactListParams {
    /// Text in the name, company or email; a whole email address finds that contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// `client`, `lead`, `vendor` or `collaborator`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// A tag's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// A member's user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    /// `true`: hidden contacts too (R-CON-1; default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<String>,
    /// `name` (default), `company`, `created_at` or `stage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// `asc` (default) or `desc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
}

pub(crate) fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl ContactListParams {
    /// The store's filter; an unknown value is 422 naming its field.
    pub(crate) fn filter(&self) -> Result<ContactFilter> {
        let search = match blank(&self.q) {
            None => ContactSearch::All,
            Some(q) if q.chars().count() > Q_MAX => {
                return Err(ServiceError::invalid("q", format!("Search with at most {Q_MAX} characters.")));
            }
            Some(q) => match Email::parse(q) {
                Ok(e) if q.contains('@') => ContactSearch::Email(e.as_str().to_lowercase()),
                _ => ContactSearch::Text(q.to_lowercase()),
            },
        };
        let kind = blank(&self.kind)
            .map(ContactKind::parse)
            .transpose()
            .map_err(|_| ServiceError::invalid("type", "Use client, lead, vendor or collaborator."))?;
        let stage = blank(&self.stage)
            .map(ContactStage::parse)
            .transpose()
            .map_err(|_| ServiceError::invalid("stage", "Use new, contacted, qualified, proposal, won or lost."))?;
        let tag = blank(&self.tag).map(str::to_owned);
        if tag.as_ref().is_some_and(|t| t.chars().count() > 200) {
            return Err(ServiceError::invalid("tag", "A tag has at most 200 characters."));
        }
        let assigned_to = blank(&self.assigned_to)
            .map(Uuid::parse_str)
            .transpose()
            .map_err(|_| ServiceError::invalid("assigned_to", "Use a member's user id."))?;
        let include_hidden = match blank(&self.hidden) {
            None | Some("false") | Some("0") => false,
            Some("true") | Some("1") | Some("on") => true,
            Some(_) => return Err(ServiceError::invalid("hidden", "Use true or false.")),
        };
        Ok(ContactFilter { search, kind, stage, tag, assigned_to, include_hidden })
    }

    pub(crate) fn query(&self) -> Result<ContactQuery> {
        let filter = self.filter()?;
        let sort = match blank(&self.sort) {
            None => ContactSort::Name,
            Some(s) => ContactSort::parse(s)
                .ok_or_else(|| ServiceError::invalid("sort", "Sort by name, company, created_at or stage."))?,
        };
        let descending = match blank(&self.order) {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(_) => return Err(ServiceError::invalid("order", "Use asc or desc.")),
        };
        let after = blank(&self.cursor).map(|c| decode_cursor(c, sort)).transpose()?;
        Ok(ContactQuery { filter, sort, descending, after })
    }
}

/// `sort ␟ text ␟ name ␟ µs ␟ id`, hex-encoded; a cursor of one sort is refused by another.
pub(crate) fn encode_cursor(sort: ContactSort, k: &ContactKey) -> String {
    let micros = k.at.unix_timestamp_nanos() / 1000;
    hex(format!("{}\u{1f}{}\u{1f}{}\u{1f}{micros}\u{1f}{}", sort.key(), k.text, k.name, k.id).as_bytes())
}

fn decode_cursor(cursor: &str, sort: ContactSort) -> Result<ContactKey> {
    let bad = || ServiceError::invalid("cursor", "This cursor is not one this server gave out for this sort.");
    if !cursor.len().is_multiple_of(2) || cursor.len() > 4096 {
        return Err(bad());
    }
    let bytes: Option<Vec<u8>> = (0..cursor.len())
        .step_by(2)
        .map(|i| cursor.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect();
    let text = String::from_utf8(bytes.ok_or_else(bad)?).map_err(|_| bad())?;
    let parts: Vec<&str> = text.split('\u{1f}').collect();
    let [s, t, n, micros, id] = parts.as_slice() else { return Err(bad()) };
    if *s != sort.key() {
        return Err(bad());
    }
    let micros: i128 = micros.parse().map_err(|_| bad())?;
    let at = OffsetDateTime::from_unix_timestamp_nanos(micros * 1000).map_err(|_| bad())?;
    Ok(ContactKey { text: (*t).to_owned(), name: (*n).to_owned(), at, id: Uuid::parse_str(id).map_err(|_| bad())? })
}

/// One page of contacts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactPage {
    pub items: Vec<ContactView>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

/// How many contacts match, capped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct ContactTotal {
    pub total: i64,
    /// More than [`CONTACT_COUNT_CAP`] match.
    pub capped: bool,
}

/// One stage of the pipeline and how many contacts in scope stand there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct PipelineColumn {
    pub stage: ContactStage,
    pub count: i64,
}

impl Service {
    /// A page of the contacts in the caller's scope (R-CON-1).
    pub async fn list_contacts(
        &self,
        p: &Principal,
        account_id: Uuid,
        params: &ContactListParams,
    ) -> Result<ContactPage> {
        let mut tx = self.store.read().await?;
        let (_, scope) = contact_scope(tx.as_mut(), p, account_id).await?;
        let limit = page_limit(params.limit)?;
        let q = params.query()?;
        let mut rows = tx.list_contacts(&scope, &q, limit + 1).await?;
        let keep = usize::try_from(limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > keep {
            rows.truncate(keep);
            rows.last().map(|(_, k)| encode_cursor(q.sort, k))
        } else {
            None
        };
        Ok(ContactPage { items: rows.into_iter().map(|(c, _)| ContactView::from(c)).collect(), next_cursor })
    }

    /// How many contacts in scope match `params` (cursor and limit play no part), capped.
    pub async fn count_contacts(
        &self,
        p: &Principal,
        account_id: Uuid,
        params: &ContactListParams,
    ) -> Result<ContactTotal> {
        let mut tx = self.store.read().await?;
        let (_, scope) = contact_scope(tx.as_mut(), p, account_id).await?;
        let f = params.filter()?;
        let n = tx.count_contacts(&scope, &f, CONTACT_COUNT_CAP).await?;
        Ok(ContactTotal { total: n.min(CONTACT_COUNT_CAP), capped: n > CONTACT_COUNT_CAP })
    }

    /// The pipeline (R-CON-1, seed 002): every stage in pipeline order with its count in scope.
    pub async fn contact_pipeline(
        &self,
        p: &Principal,
        account_id: Uuid,
        params: &ContactListParams,
    ) -> Result<Vec<PipelineColumn>> {
        let mut tx = self.store.read().await?;
        let (_, scope) = contact_scope(tx.as_mut(), p, account_id).await?;
        let f = params.filter()?;
        let counts = tx.contact_pipeline(&scope, &f).await?;
        Ok(ContactStage::ALL
            .iter()
            .map(|s| PipelineColumn { stage: *s, count: counts.iter().find(|(st, _)| st == s).map_or(0, |(_, n)| *n) })
            .collect())
    }

    /// One contact in the caller's scope; anything else is 404.
    pub async fn get_contact(&self, p: &Principal, account_id: Uuid, contact_id: Uuid) -> Result<ContactView> {
        let mut tx = self.store.read().await?;
        let (_, scope) = contact_scope(tx.as_mut(), p, account_id).await?;
        tx.contact(&scope, contact_id).await?.map(ContactView::from).ok_or(ServiceError::NotFound)
    }
}

#[cfg(test)]
mod fuzz {
    //! Property-based fuzz of the cursor parser (issue 18): any text is a key or a 422 naming
    //! `cursor`, never a panic; a cursor this server gave out reads back to its key.
    #![allow(clippy::unwrap_used)]
    use proptest::prelude::*;

    use super::*;

    const SORTS: [ContactSort; 4] = [ContactSort::Name, ContactSort::Company, ContactSort::Created, ContactSort::Stage];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        #[test]
        fn any_cursor_is_a_key_or_a_422(c in prop_oneof![any::<String>(), "[0-9a-fA-F]{0,200}"], which in 0..4usize) {
            match decode_cursor(&c, SORTS[which]) {
                Ok(_) => {}
                Err(ServiceError::Invalid(e)) => prop_assert_eq!(e.0[0].field.as_str(), "cursor"),
                Err(other) => prop_assert!(false, "not a typed refusal: {other:?}"),
            }
        }

        #[test]
        fn a_given_cursor_reads_back(text in any::<String>(), name in any::<String>(), micros in -10_000_000_000_000_000i64..10_000_000_000_000_000i64, which in 0..4usize) {
            prop_assume!(!text.contains('\u{1f}') && !name.contains('\u{1f}'));
            let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000).unwrap();
            let key = ContactKey { text, name, at, id: Uuid::now_v7() };
            let c = encode_cursor(SORTS[which], &key);
            prop_assume!(c.len() <= 4096);
            let back = decode_cursor(&c, SORTS[which]).unwrap();
            prop_assert_eq!((back.text, back.name, back.at, back.id), (key.text, key.name, key.at, key.id));
        }
    }
}
