//! Contacts and saved filters (R-CON-1, R-CON-2). Every contact query takes the caller's
//! [`Scope`]: `Reach::Own(me)` is "assigned to me" (decision 0077).
use async_trait::async_trait;
use roster_core::{ContactKind, ContactStage, Scope};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Result;

/// One contact with its tags' names and whether its assignee is archived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub kind: ContactKind,
    pub first_name: String,
    pub last_name: String,
    pub company: Option<String>,
    /// The first address, lowercased (kept by the store from `emails`).
    pub email: Option<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub address: Option<String>,
    pub notes: Option<String>,
    pub stage: ContactStage,
    pub assigned_to: Option<Uuid>,
    pub hidden_from_client_list: bool,
    /// ISO `YYYY-MM-DD`.
    pub follow_up_on: Option<String>,
    pub member_user_id: Option<Uuid>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// Read only: the tags' names, by name (written with [`ContactRepo::set_contact_tags`]).
    pub tags: Vec<String>,
    /// Read only: the assignee's membership is archived (R-ARC-1, the orange outline).
    pub assignee_archived: bool,
}

impl ContactRow {
    /// `lower(first || ' ' || last)`: what the name order sorts by.
    pub fn sort_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name).trim().to_lowercase()
    }

    pub fn sort_company(&self) -> String {
        self.company.as_deref().unwrap_or("").to_lowercase()
    }
}

/// What a contact list is ordered by; the id ends every order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContactSort {
    #[default]
    Name,
    Company,
    Created,
    /// The stage's key, then the name.
    Stage,
}

impl ContactSort {
    pub const ALL: [ContactSort; 4] =
        [ContactSort::Name, ContactSort::Company, ContactSort::Created, ContactSort::Stage];

    pub fn key(self) -> &'static str {
        match self {
            ContactSort::Name => "name",
            ContactSort::Company => "company",
            ContactSort::Created => "created_at",
            ContactSort::Stage => "stage",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.key() == s)
    }
}

/// What `q` asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ContactSearch {
    #[default]
    All,
    /// A whole email address (lowercased): `contacts.email`, by index.
    Email(String),
    /// Lowercased text found in the name, the company or the first address.
    Text(String),
}

/// The position of a row in its order: `text` the first key (name, company, stage), `name` the
/// second (company and stage orders), `at` the creation time (created order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactKey {
    pub text: String,
    pub name: String,
    pub at: OffsetDateTime,
    pub id: Uuid,
}

/// The filters of a list, count, pipeline or export; always inside the caller's scope.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactFilter {
    pub search: ContactSearch,
    pub kind: Option<ContactKind>,
    pub stage: Option<ContactStage>,
    /// A tag's name (any case).
    pub tag: Option<String>,
    pub assigned_to: Option<Uuid>,
    /// Hidden contacts are left out unless this is set (R-CON-1).
    pub include_hidden: bool,
}

/// One page request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactQuery {
    pub filter: ContactFilter,
    pub sort: ContactSort,
    pub descending: bool,
    pub after: Option<ContactKey>,
}

/// A member's saved contact filter (R-CON-2); `query` is JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedFilterRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub query: String,
    pub created_at: OffsetDateTime,
}

#[async_trait]
pub trait ContactRepo {
    /// Inserts `c` (tags and `assignee_archived` are ignored) in the scope's account. A contact
    /// assigned to someone else than an `Own` scope's member is refused (0 rows: `false`).
    async fn insert_contact(&mut self, scope: &Scope, c: &ContactRow) -> Result<bool>;
    async fn contact(&mut self, scope: &Scope, id: Uuid) -> Result<Option<ContactRow>>;
    /// Writes every field of `c` but `created_at`; the row must be in scope before and after.
    async fn update_contact(&mut self, scope: &Scope, c: &ContactRow) -> Result<u64>;
    async fn delete_contact(&mut self, scope: &Scope, id: Uuid) -> Result<u64>;
    /// Replaces the contact's tags (made when missing); 0 when the contact is not in scope.
    async fn set_contact_tags(&mut self, scope: &Scope, id: Uuid, names: &[String], at: OffsetDateTime) -> Result<u64>;
    /// One page in the query's order, each row with its key.
    async fn list_contacts(
        &mut self,
        scope: &Scope,
        q: &ContactQuery,
        limit: i64,
    ) -> Result<Vec<(ContactRow, ContactKey)>>;
    /// As [`ContactRepo::list_contacts`], for the CSV export: the page's tags in one statement
    /// and `assignee_archived` not read (always false).
    async fn export_contacts(
        &mut self,
        scope: &Scope,
        q: &ContactQuery,
        limit: i64,
    ) -> Result<Vec<(ContactRow, ContactKey)>>;
    /// How many match, at most `cap + 1` (decision 0075's cap).
    async fn count_contacts(&mut self, scope: &Scope, f: &ContactFilter, cap: i64) -> Result<i64>;
    /// `(stage, count)` for every stage that has matching contacts.
    async fn contact_pipeline(&mut self, scope: &Scope, f: &ContactFilter) -> Result<Vec<(ContactStage, i64)>>;
    /// The contact in scope whose first address is `email` (lowercased), if any.
    async fn contact_by_email(&mut self, scope: &Scope, email: &str) -> Result<Option<ContactRow>>;

    /// The saved filters of `user_id` in the scope's account, by name.
    async fn saved_filters(&mut self, scope: &Scope, user_id: Uuid) -> Result<Vec<SavedFilterRow>>;
    async fn saved_filter(&mut self, scope: &Scope, user_id: Uuid, id: Uuid) -> Result<Option<SavedFilterRow>>;
    /// A name the user already uses: `StoreError::Conflict`.
    async fn insert_saved_filter(&mut self, scope: &Scope, f: &SavedFilterRow) -> Result<()>;
    async fn update_saved_filter(&mut self, scope: &Scope, f: &SavedFilterRow) -> Result<u64>;
    async fn delete_saved_filter(&mut self, scope: &Scope, user_id: Uuid, id: Uuid) -> Result<u64>;
}
