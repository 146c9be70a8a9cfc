//! Choosing one active member of an account of any size: the new owner (R-OWN-3) and the
//! member who receives a deleted member's records (R-DEL-1). A GET form narrows the list on the
//! server with the team list's own search (name, email or company; a whole address finds that
//! member), 50 matches at a time with a link to the next 50. No JavaScript, no cap on the
//! account's size (docs/decisions/0060-console-feedback-and-pickers.md).
use roster_service::{MemberListParams, ServiceError};
use uuid::Uuid;

use crate::AppState;
use crate::console::session::ConsoleUser;

/// Matches shown at once.
pub(crate) const PICKER_PAGE: i64 = 50;

/// One page of active members matching a search.
#[derive(Debug, Clone, Default)]
pub(crate) struct Picker {
    /// The search as typed.
    pub q: String,
    /// `(user id, "First Last (email)")`.
    pub items: Vec<(Uuid, String)>,
    /// The next matches, same search (a link the page builds).
    pub more_href: Option<String>,
}

impl Picker {
    /// Active members matching `q` after `cursor`, without those in `skip`; `more` turns the
    /// next cursor into a link.
    pub(crate) async fn active_members(
        state: &AppState,
        user: &ConsoleUser,
        account_id: Uuid,
        q: &str,
        cursor: Option<&str>,
        skip: &[Uuid],
        more: impl Fn(&str) -> String,
    ) -> Result<Self, ServiceError> {
        let params = MemberListParams {
            q: Some(q.trim().to_owned()).filter(|s| !s.is_empty()),
            status: Some("active".to_owned()),
            cursor: cursor.map(str::to_owned).filter(|c| !c.is_empty()),
            limit: Some(PICKER_PAGE),
            ..MemberListParams::default()
        };
        let page = state.service.search_members(&user.0, account_id, &params).await?;
        let items = page
            .items
            .iter()
            .filter(|m| !skip.contains(&m.user_id))
            .map(|m| (m.user_id, format!("{} {} ({})", m.first_name, m.last_name, m.email)))
            .collect();
        Ok(Self { q: q.trim().to_owned(), items, more_href: page.next_cursor.as_deref().map(more) })
    }
}

/// `key=value&…`, encoded.
pub(crate) fn query_string(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    s.finish()
}
