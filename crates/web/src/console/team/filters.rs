//! The team page's search, filters, sort and paging, kept in the URL (R-LIST-1): what the form
//! sends, what the API is asked, and the links that keep the query (sort headers, tabs, next
//! page, Export CSV).
use roster_core::BuiltinRole;
use roster_service::MemberListParams;
use serde::Deserialize;

/// The team page's query string.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TeamQuery {
    pub q: String,
    pub role: String,
    /// `archived` for the Archived tab.
    pub tab: String,
    /// `1` hides disabled members.
    pub hide_disabled: String,
    pub sort: String,
    pub order: String,
    pub cursor: Option<String>,
    /// The page's number, counted by the Next page links (1 when absent or not a number).
    pub page: String,
    /// The cursors of the pages before this one, oldest first, joined by `.` (`0` for the
    /// first page), at most [`BACK_PAGES`]: what Previous page leads to.
    pub back: String,
    /// What the previous action did (a notice code; not kept in links).
    pub done: String,
    /// The member the previous action was about (the page names them; never text to show).
    pub who: String,
}

/// What a row action did: a fixed code, so no link can make the page say arbitrary words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    Disabled,
    Enabled,
    Archived,
    Restored,
}

impl Done {
    pub fn code(self) -> &'static str {
        match self {
            Self::Disabled => "disabled",
            Self::Enabled => "enabled",
            Self::Archived => "archived",
            Self::Restored => "restored",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Self::Disabled, Self::Enabled, Self::Archived, Self::Restored].into_iter().find(|d| d.code() == code)
    }

    /// The sentence shown after the action, about `name`.
    pub fn sentence(self, name: &str) -> String {
        match self {
            Self::Disabled => {
                format!("{name} is disabled: their sessions in this account ended. Enable restores them.")
            }
            Self::Enabled => format!("{name} is enabled and can sign in to this account again."),
            Self::Archived => format!("{name} is archived: they are listed under the Archived tab."),
            Self::Restored => format!("{name} is restored and active again."),
        }
    }
}

/// How many pages back Previous page can go before only First page is left (each step keeps a
/// cursor of about 100–200 characters in the URL).
pub const BACK_PAGES: usize = 10;

/// What the template shows and links with.
#[derive(Debug, Clone)]
pub struct TeamFilters {
    pub account_id: uuid::Uuid,
    pub query: TeamQuery,
}

impl TeamQuery {
    /// The notice after a member's permanent delete (R-DEL-1).
    pub fn notice(&self) -> Option<&'static str> {
        match self.done.as_str() {
            "deleted" => Some("The member was deleted permanently. They still have their login in other accounts."),
            "deleted_erased" => Some("The member was deleted permanently and their personal data erased."),
            _ => None,
        }
    }

    pub fn archived(&self) -> bool {
        roster_core::MembershipStatus::parse(&self.tab) == Ok(roster_core::MembershipStatus::Archived)
    }

    pub fn hides_disabled(&self) -> bool {
        !self.hide_disabled.is_empty()
    }

    fn status(&self) -> &'static str {
        match (self.archived(), self.hides_disabled()) {
            (true, _) => "archived",
            (false, true) => "active",
            (false, false) => "active,disabled",
        }
    }

    pub fn params(&self) -> MemberListParams {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        MemberListParams {
            q: some(&self.q),
            role: some(&self.role),
            status: Some(self.status().to_owned()),
            sort: some(&self.sort),
            order: some(&self.order),
            cursor: self.cursor.clone().filter(|c| !c.is_empty()),
            limit: None,
        }
    }

    /// The list's place, as a row action's form carries it (filters and page, no notice).
    pub fn back(&self) -> String {
        let mut pairs = self.pairs();
        if let Some(c) = self.cursor.as_ref().filter(|c| !c.is_empty()) {
            pairs.push(("cursor", c.clone()));
        }
        encode(&pairs)
    }

    /// The team page at the place `back` names (only the list's own keys survive), with the
    /// notice of what was done to whom.
    pub fn return_href(account_id: uuid::Uuid, back: &str, done: Done, who: uuid::Uuid) -> String {
        let q: Self = serde_urlencoded::from_str(back).unwrap_or_default();
        let mut pairs = q.pairs();
        if let Some(c) = q.cursor.filter(|c| !c.is_empty()) {
            pairs.push(("cursor", c));
        }
        pairs.push(("done", done.code().to_owned()));
        pairs.push(("who", who.to_string()));
        format!("/accounts/{account_id}/team?{}", encode(&pairs))
    }

    /// `key=value&…` of the non-empty filters (never the cursor).
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for (k, v) in [
            ("q", &self.q),
            ("role", &self.role),
            ("tab", &self.tab),
            ("hide_disabled", &self.hide_disabled),
            ("sort", &self.sort),
            ("order", &self.order),
        ] {
            if !v.trim().is_empty() {
                out.push((k, v.trim().to_owned()));
            }
        }
        out
    }
}

fn encode(pairs: &[(&str, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

impl TeamFilters {
    pub fn sort(&self) -> &str {
        if self.query.sort.is_empty() { "name" } else { &self.query.sort }
    }

    pub fn descending(&self) -> bool {
        self.query.order == "desc"
    }

    /// The page's number (1 for the first).
    pub fn page(&self) -> u32 {
        let on_first = self.query.cursor.as_deref().is_none_or(str::is_empty);
        if on_first {
            return 1;
        }
        self.query.page.trim().parse::<u32>().ok().filter(|n| *n > 0).unwrap_or(1)
    }

    /// The cursors of the pages before this one, oldest first (`0`: the first page).
    fn trail(&self) -> Vec<&str> {
        self.query.back.split('.').filter(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_hexdigit())).collect()
    }

    /// The page with the same filters, after this cursor; it can lead back here.
    pub fn next_href(&self, cursor: &str) -> String {
        let mut trail = self.trail();
        trail.push(self.query.cursor.as_deref().filter(|c| !c.is_empty()).unwrap_or("0"));
        let keep = trail.len().saturating_sub(BACK_PAGES);
        let mut pairs = self.query.pairs();
        pairs.push(("cursor", cursor.to_owned()));
        pairs.push(("page", self.page().saturating_add(1).to_string()));
        pairs.push(("back", trail[keep..].join(".")));
        format!("/accounts/{}/team?{}", self.account_id, encode(&pairs))
    }

    /// The page before this one, when it is known (`None` on the first page, or further back
    /// than [`BACK_PAGES`]: then First page).
    pub fn prev_href(&self) -> Option<String> {
        if self.page() == 1 {
            return None;
        }
        let mut trail = self.trail();
        let previous = trail.pop()?;
        if previous == "0" {
            return Some(self.first_href());
        }
        let mut pairs = self.query.pairs();
        pairs.push(("cursor", previous.to_owned()));
        pairs.push(("page", (self.page() - 1).to_string()));
        if !trail.is_empty() {
            pairs.push(("back", trail.join(".")));
        }
        Some(format!("/accounts/{}/team?{}", self.account_id, encode(&pairs)))
    }

    /// The first page with the same filters.
    pub fn first_href(&self) -> String {
        format!("/accounts/{}/team?{}", self.account_id, encode(&self.query.pairs()))
    }

    /// Which members the page shows and how many match in all, e.g. "Members 51–100 of 1,234
    /// (page 2; more on the next page)"; above the cap, "of 10,000+".
    pub fn summary(&self, shown: usize, more: bool, total: &roster_service::MemberTotal) -> String {
        let what = if self.query.archived() { "Archived members" } else { "Members" };
        let all = format!("{}{}", thousands(total.total), if total.capped { "+" } else { "" });
        if shown == 0 {
            return format!("{what}: none on this page ({all} in all).");
        }
        let size = roster_service::page_limit(None).map_or(50, |l| u64::try_from(l).unwrap_or(50));
        let first = u64::from(self.page() - 1) * size + 1;
        let last = first + shown as u64 - 1;
        let rest = if more { "; more on the next page" } else { "" };
        format!("{what} {first}–{last} of {all} (page {}{rest}).", self.page())
    }

    /// The column header link: sort by `key`, ascending, or the other way when already so.
    pub fn sort_href(&self, key: &str) -> String {
        let mut pairs: Vec<_> = self.query.pairs().into_iter().filter(|(k, _)| *k != "sort" && *k != "order").collect();
        pairs.push(("sort", key.to_owned()));
        if self.sort() == key && !self.descending() {
            pairs.push(("order", "desc".to_owned()));
        }
        format!("/accounts/{}/team?{}", self.account_id, encode(&pairs))
    }

    /// `▲`/`▼` after the header the list is sorted by.
    pub fn sort_mark(&self, key: &str) -> &'static str {
        match (self.sort() == key, self.descending()) {
            (false, _) => "",
            (true, false) => " ▲",
            (true, true) => " ▼",
        }
    }

    pub fn aria_sort(&self, key: &str) -> &'static str {
        match (self.sort() == key, self.descending()) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        }
    }

    /// The Members or Archived tab, other filters kept.
    pub fn tab_href(&self, archived: bool) -> String {
        let mut pairs: Vec<_> = self.query.pairs().into_iter().filter(|(k, _)| *k != "tab").collect();
        if archived {
            pairs.push(("tab", "archived".to_owned()));
        }
        format!("/accounts/{}/team?{}", self.account_id, encode(&pairs))
    }

    /// The same members as CSV (the API accepts the console's session).
    pub fn export_href(&self) -> String {
        let p = self.query.params();
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (k, v) in [("q", p.q), ("role", p.role), ("status", p.status), ("sort", p.sort), ("order", p.order)] {
            if let Some(v) = v {
                pairs.push((k, v));
            }
        }
        format!("/api/v1/accounts/{}/users.csv?{}", self.account_id, encode(&pairs))
    }

    /// `(key, label, selected)` for the role filter.
    pub fn roles(&self) -> Vec<(&'static str, &'static str, bool)> {
        BuiltinRole::ALL.iter().map(|r| (r.key(), r.label(), self.query.role == r.key())).collect()
    }
}

/// `1234567` as "1,234,567".
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1_234), "1,234");
        assert_eq!(super::thousands(10_000), "10,000");
        assert_eq!(super::thousands(1_000_000), "1,000,000");
    }
}
