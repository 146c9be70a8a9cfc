//! The team list at scale (R-LIST-1): what a page of members is searched, filtered and sorted by,
//! and the keyset position a page starts after.
use time::OffsetDateTime;
use uuid::Uuid;

/// What the team list is ordered by. Every order ends with the user id, so it is total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MemberSort {
    /// `sort_name` (lower-cased "first last").
    #[default]
    Name,
    /// The email address.
    Email,
    /// Lower-cased company (empty first), then name.
    Company,
    /// Role key, then name.
    Role,
    /// Last sign-in in this account; never signed in counts as the oldest.
    LastSignIn,
    /// When the member joined the account, then the user id. The order of an export unless
    /// another is asked for: rows are read about where they were written, several times faster
    /// than any other order.
    Created,
}

impl MemberSort {
    pub const ALL: [MemberSort; 6] = [
        MemberSort::Name,
        MemberSort::Email,
        MemberSort::Company,
        MemberSort::Role,
        MemberSort::LastSignIn,
        MemberSort::Created,
    ];

    /// The API's name (`sort=`).
    pub fn key(self) -> &'static str {
        match self {
            MemberSort::Name => "name",
            MemberSort::Email => "email",
            MemberSort::Company => "company",
            MemberSort::Role => "role",
            MemberSort::LastSignIn => "last_sign_in_at",
            MemberSort::Created => "created_at",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.key() == s)
    }
}

/// What `q` asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum MemberSearch {
    #[default]
    All,
    /// A whole email address (lower-cased): that member only, by index.
    Email(String),
    /// Lower-cased text found anywhere in the name, the email or the company.
    Text(String),
}

/// The position of a row in its order; a page starts after it. Which fields count depends on the
/// sort: `text` is the first key (name, email, company or role), `name` the second (company and
/// role sorts), `at` the sign-in key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MemberKey {
    pub text: String,
    pub name: String,
    pub at: OffsetDateTime,
    pub user_id: Uuid,
}

/// One page request of the team list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MemberQuery {
    pub search: MemberSearch,
    /// Only members with this role.
    pub role: Option<roster_core::RoleKind>,
    /// One to three statuses, without repeats.
    pub statuses: Vec<roster_core::MembershipStatus>,
    pub sort: MemberSort,
    pub descending: bool,
    pub after: Option<MemberKey>,
}

impl Default for MemberQuery {
    fn default() -> Self {
        Self {
            search: MemberSearch::All,
            role: None,
            statuses: vec![roster_core::MembershipStatus::Active, roster_core::MembershipStatus::Disabled],
            sort: MemberSort::Name,
            descending: false,
            after: None,
        }
    }
}
