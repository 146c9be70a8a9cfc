//! The projects list: filters by member ("all projects of this person", one range of
//! `project_members_by_user`), tag, status, client contact and name text; sorted by name or
//! creation, keyset pages; a count capped like the team list's.
//!
//! Values are bound in fixed places: `$1..$3` the scope, `$4` member, `$5` tag, `$6` status,
//! `$7` contact, `$8` text, `$9` name key, `$10` time key, `$11` id key, `$12` limit.
use roster_core::Scope;

use super::super::super::driver::{POSITION_FN, SqlTx, to_db};
use super::super::scope_args;
use super::{COLS, IN_SCOPE, project_from_row};
use crate::{ProjectKey, ProjectQuery, ProjectRow, ProjectSort, Result};

/// The `WITH` before the statement: a person's memberships, read first (one range of
/// `project_members_by_user`) and kept apart (`MATERIALIZED`), so that neither planner walks
/// every project of the account in name order hoping to meet them (a hundred of 100,000 took
/// 30 ms; decision 0094). The few are then checked and sorted.
fn with(q: &ProjectQuery) -> &'static str {
    if q.member.is_some() {
        "WITH f AS MATERIALIZED (SELECT project_id FROM project_members WHERE account_id = $1 AND user_id = $4) "
    } else {
        ""
    }
}

/// `FROM … WHERE …` of the list (no order, no cursor), after [`with`].
fn from_where(q: &ProjectQuery) -> String {
    let mut sql = if q.member.is_some() {
        format!("FROM f CROSS JOIN projects p WHERE p.id = f.project_id AND {IN_SCOPE}")
    } else {
        format!("FROM projects p WHERE {IN_SCOPE}")
    };
    if q.tag.is_some() {
        sql.push_str(" AND EXISTS (SELECT 1 FROM project_tags t WHERE t.project_id = p.id AND t.tag_id = $5)");
    }
    if q.status.is_some() {
        sql.push_str(" AND p.status = $6");
    }
    if q.contact_id.is_some() {
        sql.push_str(" AND p.contact_id = $7");
    }
    if q.q.is_some() {
        sql.push_str(&format!(" AND {POSITION_FN}(p.sort_name, $8) > 0"));
    }
    sql
}

/// `FROM …` to `LIMIT $12` of one page, after the selected columns.
fn page_rest(q: &ProjectQuery) -> String {
    let cols = key_cols(q.sort);
    let mut sql = from_where(q);
    if q.after.is_some() {
        let op = if q.descending { "<" } else { ">" };
        let first = if q.sort == ProjectSort::Name { "$9" } else { "$10" };
        sql.push_str(&format!(" AND ({}, {}) {op} ({first}, $11)", cols[0], cols[1]));
    }
    let dir = if q.descending { " DESC" } else { "" };
    sql.push_str(&format!(" ORDER BY {}{dir}, {}{dir} LIMIT $12", cols[0], cols[1]));
    sql
}

fn key_cols(sort: ProjectSort) -> [&'static str; 2] {
    match sort {
        ProjectSort::Name => ["p.sort_name", "p.id"],
        ProjectSort::Created => ["p.created_at", "p.id"],
    }
}

impl SqlTx {
    async fn project_list_rows<T: Send + 'static>(
        &mut self,
        scope: &Scope,
        q: &ProjectQuery,
        sql: &str,
        limit: i64,
        f: impl Fn(&super::super::super::DbRow<'_>) -> Result<T> + Send,
    ) -> Result<Vec<T>> {
        let (a, all, me) = scope_args(scope);
        let (k_name, k_at, k_id) = match &q.after {
            Some(k) => (k.name.clone(), k.at, k.id),
            None => (String::new(), time::OffsetDateTime::UNIX_EPOCH, uuid::Uuid::nil()),
        };
        self.all_dyn(
            sql,
            true,
            args![
                a,
                all,
                me,
                q.member.unwrap_or_default(),
                q.tag.unwrap_or_default(),
                q.status.map_or("", |s| s.as_str()),
                q.contact_id.unwrap_or_default(),
                q.q.clone().unwrap_or_default(),
                k_name,
                to_db(k_at),
                k_id,
                limit
            ],
            f,
        )
        .await
    }

    pub(super) async fn project_page(
        &mut self,
        scope: &Scope,
        q: &ProjectQuery,
        limit: i64,
    ) -> Result<Vec<(ProjectRow, ProjectKey)>> {
        let sql = format!("{}SELECT {COLS} {}", with(q), page_rest(q));
        self.project_list_rows(scope, q, &sql, limit, |r| {
            let p = project_from_row(r)?;
            let key = ProjectKey { name: p.name.to_lowercase(), at: p.created_at, id: p.id };
            Ok((p, key))
        })
        .await
    }

    /// The members of the projects of one page (the page's own query, as a subquery), by
    /// project: one statement for the page instead of one per project.
    pub(super) async fn page_member_ids(
        &mut self,
        scope: &Scope,
        q: &ProjectQuery,
        limit: i64,
    ) -> Result<Vec<(uuid::Uuid, uuid::Uuid)>> {
        let sql = format!(
            "{}SELECT pm.project_id, pm.user_id FROM project_members pm WHERE pm.project_id IN \
             (SELECT p.id {}) ORDER BY pm.project_id, pm.user_id",
            with(q),
            page_rest(q)
        );
        self.project_list_rows(scope, q, &sql, limit, |r| {
            Ok((super::super::super::driver::get(r, "project_id")?, super::super::super::driver::get(r, "user_id")?))
        })
        .await
    }

    /// The tags of the projects of one page, by project, then name.
    pub(super) async fn page_tags(
        &mut self,
        scope: &Scope,
        q: &ProjectQuery,
        limit: i64,
    ) -> Result<Vec<(uuid::Uuid, crate::TagRow)>> {
        let sql = format!(
            "{}SELECT pt.project_id, t.id, t.name FROM project_tags pt JOIN tags t ON t.id = pt.tag_id \
             WHERE pt.project_id IN (SELECT p.id {}) ORDER BY pt.project_id, t.sort_name",
            with(q),
            page_rest(q)
        );
        self.project_list_rows(scope, q, &sql, limit, |r| {
            use super::super::super::driver::get;
            Ok((get(r, "project_id")?, crate::TagRow { id: get(r, "id")?, name: get(r, "name")? }))
        })
        .await
    }

    pub(super) async fn project_count(&mut self, scope: &Scope, q: &ProjectQuery, cap: i64) -> Result<i64> {
        let sql = format!("{}SELECT count(*) AS n FROM (SELECT 1 AS one {} LIMIT $12) c", with(q), from_where(q));
        let n = self
            .project_list_rows(scope, q, &sql, cap.max(0).saturating_add(1), |r| {
                super::super::super::driver::get::<i64>(r, "n")
            })
            .await?;
        Ok(n.first().copied().unwrap_or(0))
    }
}
