//! Contacts and saved filters (R-CON-1, R-CON-2): the SQL. Every statement's filter starts with
//! `c.account_id = $1 AND ($2 OR c.assigned_to = $3)` (`scope_args`): an `Own` scope reaches the
//! contacts assigned to its member, in reads, counts, updates and deletes alike.
use async_trait::async_trait;
use roster_core::{ContactStage, Scope};
use time::OffsetDateTime;
use uuid::Uuid;

use super::super::driver::{SqlTx, get, to_db};
use super::scope_args;
use crate::{
    ContactFilter, ContactKey, ContactQuery, ContactRepo, ContactRow, Result, SavedFilterRow, StoreError, TagRepo,
};

/// A contact's columns over `contacts c`, with its tags' names (`tag_names`, joined by
/// `row::TAG_SEP`) and whether its assignee is archived (`assignee_archived`).
macro_rules! contact_cols {
    // The export's: no per-row subqueries (tags come for the whole page, `assignee_archived`
    // is not exported), which were half a chunk's time on PostgreSQL (decision 0095).
    (bare) => {
        "c.id, c.account_id, c.kind, c.first_name, c.last_name, c.company, c.email, c.emails, c.phones, \
         c.address, c.notes, c.stage, c.assigned_to, c.hidden_from_client_list, c.follow_up_on, c.member_user_id, \
         c.created_at, c.updated_at, c.sort_name, c.sort_company, NULL AS tag_names, false AS assignee_archived"
    };
    () => {
        "c.id, c.account_id, c.kind, c.first_name, c.last_name, c.company, c.email, c.emails, c.phones, \
         c.address, c.notes, c.stage, c.assigned_to, c.hidden_from_client_list, c.follow_up_on, c.member_user_id, \
         c.created_at, c.updated_at, c.sort_name, c.sort_company, \
         (SELECT string_agg(t.name, '\u{1f}' ORDER BY t.sort_name) FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id \
          WHERE ct.contact_id = c.id) AS tag_names, \
         EXISTS (SELECT 1 FROM memberships am WHERE am.account_id = c.account_id AND am.user_id = c.assigned_to \
          AND am.status = 'archived') AS assignee_archived"
    };
}

mod filters;
mod list;
mod row;

use row::contact_from_row;

fn json(list: &[String]) -> Result<String> {
    serde_json::to_string(list).map_err(|e| StoreError::Database(e.to_string()))
}

#[async_trait]
impl ContactRepo for SqlTx {
    async fn insert_contact(&mut self, scope: &Scope, c: &ContactRow) -> Result<bool> {
        let (account, all, me) = scope_args(scope);
        let (emails, phones) = (json(&c.emails)?, json(&c.phones)?);
        let n = self
            .exec(
                "INSERT INTO contacts (id, account_id, kind, first_name, last_name, company, email, emails, phones, \
                 address, notes, stage, assigned_to, hidden_from_client_list, follow_up_on, member_user_id, \
                 sort_name, sort_company, created_at, updated_at) \
                 SELECT $4, $1, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22 \
                 WHERE $2 OR $15 = $3",
                args![
                    account,
                    all,
                    me,
                    c.id,
                    c.kind.as_str(),
                    c.first_name,
                    c.last_name,
                    c.company,
                    c.email,
                    emails,
                    phones,
                    c.address,
                    c.notes,
                    c.stage.as_str(),
                    c.assigned_to,
                    c.hidden_from_client_list,
                    c.follow_up_on,
                    c.member_user_id,
                    c.sort_name(),
                    c.sort_company(),
                    to_db(c.created_at),
                    to_db(c.updated_at)
                ],
            )
            .await?;
        Ok(n == 1)
    }

    async fn contact(&mut self, scope: &Scope, id: Uuid) -> Result<Option<ContactRow>> {
        let (account, all, me) = scope_args(scope);
        self.opt(
            concat!(
                "SELECT ",
                contact_cols!(),
                " FROM contacts c WHERE c.id = $4 AND c.account_id = $1 AND ($2 OR c.assigned_to = $3)"
            ),
            args![account, all, me, id],
            contact_from_row,
        )
        .await
    }

    async fn update_contact(&mut self, scope: &Scope, c: &ContactRow) -> Result<u64> {
        let (account, all, me) = scope_args(scope);
        let (emails, phones) = (json(&c.emails)?, json(&c.phones)?);
        self.exec(
            "UPDATE contacts SET kind = $5, first_name = $6, last_name = $7, company = $8, email = $9, emails = $10, \
             phones = $11, address = $12, notes = $13, stage = $14, assigned_to = $15, hidden_from_client_list = $16, \
             follow_up_on = $17, sort_name = $18, sort_company = $19, updated_at = $20 \
             WHERE id = $4 AND account_id = $1 AND ($2 OR assigned_to = $3) AND ($2 OR $15 = $3)",
            args![
                account,
                all,
                me,
                c.id,
                c.kind.as_str(),
                c.first_name,
                c.last_name,
                c.company,
                c.email,
                emails,
                phones,
                c.address,
                c.notes,
                c.stage.as_str(),
                c.assigned_to,
                c.hidden_from_client_list,
                c.follow_up_on,
                c.sort_name(),
                c.sort_company(),
                to_db(c.updated_at)
            ],
        )
        .await
    }

    async fn delete_contact(&mut self, scope: &Scope, id: Uuid) -> Result<u64> {
        let (account, all, me) = scope_args(scope);
        self.exec(
            "DELETE FROM contacts WHERE id = $4 AND account_id = $1 AND ($2 OR assigned_to = $3)",
            args![account, all, me, id],
        )
        .await
    }

    async fn set_contact_tags(&mut self, scope: &Scope, id: Uuid, names: &[String], at: OffsetDateTime) -> Result<u64> {
        let (account, all, me) = scope_args(scope);
        let found = self
            .opt(
                "SELECT c.id FROM contacts c WHERE c.id = $4 AND c.account_id = $1 AND ($2 OR c.assigned_to = $3)",
                args![account, all, me, id],
                |r| get::<Uuid>(r, "id"),
            )
            .await?;
        if found.is_none() {
            return Ok(0);
        }
        self.exec("DELETE FROM contact_tags WHERE contact_id = $1 AND account_id = $2", args![id, account]).await?;
        for tag in self.ensure_tags(scope, names, at).await? {
            self.exec(
                "INSERT INTO contact_tags (account_id, contact_id, tag_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                args![account, id, tag.id],
            )
            .await?;
        }
        Ok(1)
    }

    async fn list_contacts(
        &mut self,
        scope: &Scope,
        q: &ContactQuery,
        limit: i64,
    ) -> Result<Vec<(ContactRow, ContactKey)>> {
        list::page(self, scope, q, limit, contact_cols!()).await
    }

    async fn export_contacts(
        &mut self,
        scope: &Scope,
        q: &ContactQuery,
        limit: i64,
    ) -> Result<Vec<(ContactRow, ContactKey)>> {
        let mut rows = list::page(self, scope, q, limit, contact_cols!(bare)).await?;
        list::fill_tags(self, scope, &mut rows).await?;
        Ok(rows)
    }

    async fn count_contacts(&mut self, scope: &Scope, f: &ContactFilter, cap: i64) -> Result<i64> {
        list::count(self, scope, f, cap).await
    }

    async fn contact_pipeline(&mut self, scope: &Scope, f: &ContactFilter) -> Result<Vec<(ContactStage, i64)>> {
        list::pipeline(self, scope, f).await
    }

    async fn contact_by_email(&mut self, scope: &Scope, email: &str) -> Result<Option<ContactRow>> {
        let (account, all, me) = scope_args(scope);
        self.opt(
            concat!(
                "SELECT ",
                contact_cols!(),
                " FROM contacts c WHERE c.account_id = $1 AND c.email = $4 AND ($2 OR c.assigned_to = $3) \
                 ORDER BY c.created_at, c.id LIMIT 1"
            ),
            args![account, all, me, email.to_lowercase()],
            contact_from_row,
        )
        .await
    }

    async fn saved_filters(&mut self, scope: &Scope, user_id: Uuid) -> Result<Vec<SavedFilterRow>> {
        filters::list(self, scope, user_id).await
    }

    async fn saved_filter(&mut self, scope: &Scope, user_id: Uuid, id: Uuid) -> Result<Option<SavedFilterRow>> {
        filters::one(self, scope, user_id, id).await
    }

    async fn insert_saved_filter(&mut self, scope: &Scope, f: &SavedFilterRow) -> Result<()> {
        filters::insert(self, scope, f).await
    }

    async fn update_saved_filter(&mut self, scope: &Scope, f: &SavedFilterRow) -> Result<u64> {
        filters::update(self, scope, f).await
    }

    async fn delete_saved_filter(&mut self, scope: &Scope, user_id: Uuid, id: Uuid) -> Result<u64> {
        filters::delete(self, scope, user_id, id).await
    }
}
