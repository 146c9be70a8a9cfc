//! The installation's operator: every login of the installation (the console's `/users` page).
//! Nobody else may see this list, not even an account's owner: to them it does not exist (404).
use serde::Serialize;
use utoipa::ToSchema;

use crate::signin::Principal;
use crate::views::UserView;
use crate::{Result, Service, ServiceError, page_limit};

/// One page of logins, ordered by email.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LoginPage {
    pub items: Vec<UserView>,
    pub next_cursor: Option<String>,
}

/// The cursor is the last email of the page, in hex: opaque, and safe in a URL as it is.
fn encode_cursor(email: &str) -> String {
    email.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_cursor(raw: &str) -> Result<String> {
    let bad = || ServiceError::invalid("cursor", "This cursor is not one this server gave out.");
    if !raw.len().is_multiple_of(2) || raw.len() > 1024 {
        return Err(bad());
    }
    let bytes = (0..raw.len())
        .step_by(2)
        .map(|i| raw.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(bad)?;
    String::from_utf8(bytes).map_err(|_| bad())
}

impl Service {
    /// Every login of the installation, for the operator only (anyone else, and the operator
    /// in a confined session, gets `NotFound`): `q` is a case-insensitive part of the name or
    /// the email; ordered by email, keyset-paged.
    pub async fn all_logins(
        &self,
        p: &Principal,
        q: Option<&str>,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<LoginPage> {
        if !p.user.is_operator || p.is_confined() {
            return Err(ServiceError::NotFound);
        }
        let limit = page_limit(limit)?;
        let after = cursor.filter(|c| !c.is_empty()).map(decode_cursor).transpose()?;
        let q = q.map(str::trim).filter(|q| !q.is_empty());
        if q.is_some_and(|q| q.chars().count() > 200) {
            return Err(ServiceError::invalid("q", "Search for at most 200 characters."));
        }
        let mut rows = self.store.read().await?.all_users(q, after.as_deref(), limit + 1).await?;
        let keep = usize::try_from(limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > keep {
            rows.truncate(keep);
            rows.last().map(|u| encode_cursor(&u.email))
        } else {
            None
        };
        Ok(LoginPage { items: rows.iter().map(UserView::from).collect(), next_cursor })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_what_was_not_given_out() {
        let c = encode_cursor("ada+x@example.test");
        assert_eq!(decode_cursor(&c).ok().as_deref(), Some("ada+x@example.test"));
        for bad in ["abc", "zz", "ff"] {
            assert!(decode_cursor(bad).is_err(), "{bad}");
        }
    }
}
