//! The projects list: filters by member ("all projects of this person", one range of
//! `project_members_by_user`), tag, status, client contact and name text; sorted by name or
//! creation, keyset pages; a count capped like the team list's.
//!
//! Values are bound in fixed places: `$1..$3` the scope, `$4` member, `$5` tag, `$6` status,
//! `$7` contact, `$8` text, `$9` name key, `$10` time key, `$11` id key, `$12` limit.
use roster_core::Scope;

use super::super::super::driver::{IN_JSON_UUIDS, POSITION_FN, SqlTx, get, to_db};
use super::super::super::ids_json;
use super::super::scope_args;
use super::{COLS, IN_SCOPE, project_from_row};
use crate::{ProjectKey, ProjectQuery, ProjectRow, ProjectSort, Result};

/// How a member filter ("all projects of this person") finds its projects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Member {
    /// No member filter.
    Any,
    /// The person belongs to fewer than [`MANY`] projects: their memberships are read first
    /// (one range of `project_members_by_user`) and kept apart (`MATERIALIZED`), so that neither
    /// planner walks every project of the account in name order hoping to meet them (a hundred
    /// of 100,000 took 30 ms; decision 0094). The few are then checked and sorted.
    Few,
    /// The person belongs to many (an admin joins every project): the projects are walked in
    /// the page's order and each membership checked, which fills a page at once; sorting
    /// 100,000 memberships first took 70 ms a statement (decision 0095).
    Many,
}

/// From this many memberships on, a member filter walks the projects instead ([`Member`]).
const MANY: i64 = 2_000;

/// The `WITH` before the statement.
fn with(m: Member) -> &'static str {
    if m == Member::Few {
        "WITH f AS MATERIALIZED (SELECT project_id FROM project_members WHERE account_id = $1 AND user_id = $4) "
    } else {
        ""
    }
}

/// `FROM … WHERE …` of the list (no order, no cursor), after [`with`].
fn from_where(q: &ProjectQuery, m: Member) -> String {
    let mut sql = match m {
        Member::Few => format!("FROM f CROSS JOIN projects p WHERE p.id = f.project_id AND {IN_SCOPE}"),
        Member::Many => format!(
            "FROM projects p WHERE {IN_SCOPE} AND EXISTS (SELECT 1 FROM project_members f \
             WHERE f.project_id = p.id AND f.user_id = $4)"
        ),
        Member::Any => format!("FROM projects p WHERE {IN_SCOPE}"),
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
fn page_rest(q: &ProjectQuery, m: Member) -> String {
    let cols = key_cols(q.sort);
    let mut sql = from_where(q, m);
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

    /// How `q`'s member filter finds its projects: counts at most [`MANY`] memberships.
    async fn member_plan(&mut self, scope: &Scope, q: &ProjectQuery) -> Result<Member> {
        if q.member.is_none() {
            return Ok(Member::Any);
        }
        let sql = "SELECT count(*) AS n FROM (SELECT 1 AS one FROM project_members \
                   WHERE account_id = $1 AND user_id = $2 LIMIT $3) c";
        let (a, _, _) = scope_args(scope);
        let n = self.all_dyn(sql, true, args![a, q.member.unwrap_or_default(), MANY], |r| get::<i64>(r, "n")).await?;
        Ok(if n.first().copied().unwrap_or(0) >= MANY { Member::Many } else { Member::Few })
    }

    pub(super) async fn project_page(
        &mut self,
        scope: &Scope,
        q: &ProjectQuery,
        limit: i64,
    ) -> Result<Vec<(ProjectRow, ProjectKey)>> {
        let m = self.member_plan(scope, q).await?;
        let sql = format!("{}SELECT {COLS} {}", with(m), page_rest(q, m));
        self.project_list_rows(scope, q, &sql, limit, |r| {
            let p = project_from_row(r)?;
            let key = ProjectKey { name: p.name.to_lowercase(), at: p.created_at, id: p.id };
            Ok((p, key))
        })
        .await
    }

    /// The members of the projects `ids` (one page's) in the scope, by project then member:
    /// one statement for the page instead of one per project, and not the page's query again
    /// (an admin in 100,000 projects paid for it three times; decision 0095).
    pub(super) async fn page_member_ids(
        &mut self,
        scope: &Scope,
        ids: &[uuid::Uuid],
    ) -> Result<Vec<(uuid::Uuid, uuid::Uuid)>> {
        let sql = format!(
            "SELECT pm.project_id, pm.user_id FROM project_members pm JOIN projects p ON p.id = pm.project_id \
             WHERE pm.project_id {} AND {IN_SCOPE} ORDER BY pm.project_id, pm.user_id",
            IN_JSON_UUIDS.replace("$J", "$4")
        );
        let (a, all, me) = scope_args(scope);
        let list = ids_json(ids);
        self.all_dyn(&sql, true, args![a, all, me, list], |r| Ok((get(r, "project_id")?, get(r, "user_id")?))).await
    }

    /// The tags of the projects `ids` in the scope, by project, then name.
    pub(super) async fn page_tags(
        &mut self,
        scope: &Scope,
        ids: &[uuid::Uuid],
    ) -> Result<Vec<(uuid::Uuid, crate::TagRow)>> {
        let sql = format!(
            "SELECT pt.project_id, t.id, t.name FROM project_tags pt JOIN tags t ON t.id = pt.tag_id \
             JOIN projects p ON p.id = pt.project_id WHERE pt.project_id {} AND {IN_SCOPE} \
             ORDER BY pt.project_id, t.sort_name",
            IN_JSON_UUIDS.replace("$J", "$4")
        );
        let (a, all, me) = scope_args(scope);
        let list = ids_json(ids);
        self.all_dyn(&sql, true, args![a, all, me, list], |r| {
            Ok((get(r, "project_id")?, crate::TagRow { id: get(r, "id")?, name: get(r, "name")? }))
        })
        .await
    }

    /// The names of the projects `ids` in the scope (those out of it are left out).
    pub(super) async fn names_of(&mut self, scope: &Scope, ids: &[uuid::Uuid]) -> Result<Vec<(uuid::Uuid, String)>> {
        let sql = format!(
            "SELECT p.id, p.name FROM projects p WHERE p.id {} AND {IN_SCOPE}",
            IN_JSON_UUIDS.replace("$J", "$4")
        );
        let (a, all, me) = scope_args(scope);
        let list = ids_json(ids);
        self.all_dyn(&sql, true, args![a, all, me, list], |r| Ok((get(r, "id")?, get(r, "name")?))).await
    }

    pub(super) async fn project_count(&mut self, scope: &Scope, q: &ProjectQuery, cap: i64) -> Result<i64> {
        let m = self.member_plan(scope, q).await?;
        let sql = format!("{}SELECT count(*) AS n FROM (SELECT 1 AS one {} LIMIT $12) c", with(m), from_where(q, m));
        let n = self.project_list_rows(scope, q, &sql, cap.max(0).saturating_add(1), |r| get::<i64>(r, "n")).await?;
        Ok(n.first().copied().unwrap_or(0))
    }
}
