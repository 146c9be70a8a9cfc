//! SQLite's side of the team list at scale: statements built at run time, and members many at a
//! time: a cached single-row `INSERT` per row (a multi-row statement needs a statement journal,
//! a copy of every page it changes: slower here, as each row touches a dozen index pages), and
//! for a batch of memberships the FTS5 rows written by one `INSERT … SELECT` instead of the
//! per-row trigger (see `bulk_insert_memberships`).
use rusqlite::{OptionalExtension, ToSql};
use uuid::Uuid;

use super::{Args, DbRow, SqlRow, SqlTx, bind, column_names, to_db};
use crate::{
    AuditRepo, AuditRow, MembershipRow, Result, SeedContact, SeedEvent, SeedProject, StoreError, TimeEntryRow, UserRow,
};

/// From this many memberships in one call, the FTS5 rows are written per batch, not per row.
const FTS_SET_MIN: usize = 500;

/// For a batch of at least [`FTS_SET_MIN`] rows: drops `trigger` (the per-row FTS5 insert of
/// `table`) inside the open transaction and returns its text and the first rowid the batch
/// will get, so the caller indexes the batch with one `INSERT … SELECT` and puts the trigger
/// back before commit. A failure in between rolls both back with the transaction.
fn set_aside_trigger(
    c: &rusqlite::Connection,
    rows: usize,
    table: &str,
    trigger: &str,
) -> Result<Option<(String, i64)>> {
    if rows < FTS_SET_MIN {
        return Ok(None);
    }
    let sql: Option<String> = c
        .prepare_cached("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1")?
        .query_row([trigger], |r| r.get(0))
        .optional()?;
    let Some(sql) = sql else { return Ok(None) };
    let first_new: i64 = c.query_row(&format!("SELECT COALESCE(max(rowid), 0) + 1 FROM {table}"), [], |r| r.get(0))?;
    c.execute_batch(&format!("DROP TRIGGER {trigger}"))?;
    Ok(Some((sql, first_new)))
}

impl SqlTx {
    /// Generated contacts, one cached single-row `INSERT` each; from [`FTS_SET_MIN`] rows the
    /// FTS5 rows are written for the batch at once, as for memberships.
    pub(super) async fn bulk_insert_contacts(&mut self, account_id: Uuid, rows: &[SeedContact]) -> Result<u64> {
        let c = self.c()?;
        let aside = set_aside_trigger(c, rows.len(), "contacts", "contact_search_insert")?;
        let mut stmt = c.prepare_cached(
            "INSERT INTO contacts (id, account_id, kind, first_name, last_name, company, email, emails, phones, \
             stage, assigned_to, sort_name, sort_company, created_at, updated_at) \
             VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?14)",
        )?;
        for r in rows {
            let emails = serde_json::json!([r.email]).to_string();
            let phones = serde_json::json!(r.phone.iter().collect::<Vec<_>>()).to_string();
            let sort_name = format!("{} {}", r.first_name, r.last_name).to_lowercase();
            let sort_company = r.company.as_deref().unwrap_or_default().to_lowercase();
            let values: [&dyn ToSql; 14] = [
                &r.id,
                &account_id,
                &r.kind.as_str(),
                &r.first_name,
                &r.last_name,
                &r.company,
                &r.email,
                &emails,
                &phones,
                &r.stage.as_str(),
                &r.assigned_to,
                &sort_name,
                &sort_company,
                &to_db(r.created_at),
            ];
            for (i, v) in values.into_iter().enumerate() {
                stmt.raw_bind_parameter(i + 1, v)?;
            }
            stmt.raw_execute()?;
        }
        drop(stmt);
        if let Some((sql, first_new)) = aside {
            c.execute(
                "INSERT INTO contact_search (rowid, sort_name, sort_company, email) \
                 SELECT rowid, sort_name, sort_company, email FROM contacts WHERE rowid >= ?1",
                [first_new],
            )?;
            c.execute_batch(&sql)?;
        }
        Ok(rows.len() as u64)
    }

    /// Generated projects, then their members and tags: three cached single-row `INSERT`s.
    pub(super) async fn bulk_insert_projects(&mut self, account_id: Uuid, rows: &[SeedProject]) -> Result<u64> {
        let c = self.c()?;
        let mut project = c.prepare_cached(
            "INSERT INTO projects (id, account_id, name, sort_name, contact_id, status, owner_id, created_at, \
             updated_at) VALUES (?,?,?,?,?,?,?,?,?8)",
        )?;
        for r in rows {
            let sort_name = r.name.to_lowercase();
            let values: [&dyn ToSql; 8] = [
                &r.id,
                &account_id,
                &r.name,
                &sort_name,
                &r.contact_id,
                &r.status.as_str(),
                &r.owner_id,
                &to_db(r.created_at),
            ];
            for (i, v) in values.into_iter().enumerate() {
                project.raw_bind_parameter(i + 1, v)?;
            }
            project.raw_execute()?;
        }
        drop(project);
        let mut member =
            c.prepare_cached("INSERT INTO project_members (account_id, project_id, user_id) VALUES (?,?,?)")?;
        for r in rows {
            for u in &r.members {
                let values: [&dyn ToSql; 3] = [&account_id, &r.id, u];
                for (i, v) in values.into_iter().enumerate() {
                    member.raw_bind_parameter(i + 1, v)?;
                }
                member.raw_execute()?;
            }
        }
        drop(member);
        let mut tag = c.prepare_cached("INSERT INTO project_tags (account_id, project_id, tag_id) VALUES (?,?,?)")?;
        for r in rows {
            for t in &r.tag_ids {
                let values: [&dyn ToSql; 3] = [&account_id, &r.id, t];
                for (i, v) in values.into_iter().enumerate() {
                    tag.raw_bind_parameter(i + 1, v)?;
                }
                tag.raw_execute()?;
            }
        }
        Ok(rows.len() as u64)
    }

    /// Generated events, one cached single-row `INSERT` each.
    pub(super) async fn bulk_insert_events(&mut self, account_id: Uuid, rows: &[SeedEvent]) -> Result<u64> {
        let c = self.c()?;
        let mut stmt = c.prepare_cached(
            "INSERT INTO events (id, account_id, calendar_id, title, starts_at, ends_at, all_day, contact_id, \
             project_id, created_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?11)",
        )?;
        for r in rows {
            let values: [&dyn ToSql; 11] = [
                &r.id,
                &account_id,
                &r.calendar_id,
                &r.title,
                &to_db(r.starts_at),
                &to_db(r.ends_at),
                &r.all_day,
                &r.contact_id,
                &r.project_id,
                &r.created_by,
                &to_db(r.created_at),
            ];
            for (i, v) in values.into_iter().enumerate() {
                stmt.raw_bind_parameter(i + 1, v)?;
            }
            stmt.raw_execute()?;
        }
        Ok(rows.len() as u64)
    }

    /// Generated time entries, one cached single-row `INSERT` each.
    pub(super) async fn bulk_insert_time_entries(&mut self, account_id: Uuid, rows: &[TimeEntryRow]) -> Result<u64> {
        let c = self.c()?;
        let mut stmt = c.prepare_cached(
            "INSERT INTO time_entries (id, account_id, user_id, project_id, contact_id, note, source, started_at, \
             ended_at, seconds, week, created_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?14)",
        )?;
        for r in rows {
            let values: [&dyn ToSql; 14] = [
                &r.id,
                &account_id,
                &r.user_id,
                &r.project_id,
                &r.contact_id,
                &r.note,
                &r.source.as_str(),
                &to_db(r.started_at),
                &r.ended_at.map(to_db),
                &r.seconds,
                &r.week,
                &r.created_by,
                &to_db(r.created_at),
                &to_db(r.updated_at),
            ];
            for (i, v) in values.into_iter().enumerate() {
                stmt.raw_bind_parameter(i + 1, v)?;
            }
            stmt.raw_execute()?;
        }
        Ok(rows.len() as u64)
    }

    /// As `all`, for SQL built at run time (a bounded set of shapes; the statement cache keeps
    /// the ones in use). `persistent` is PostgreSQL's concern.
    pub(super) async fn all_dyn<T>(
        &mut self,
        sql: &str,
        _persistent: bool,
        args: Args<'_>,
        f: impl Fn(&DbRow<'_>) -> Result<T> + Send,
    ) -> Result<Vec<T>> {
        let r = self.all_dyn_raw(sql, args, f).await;
        self.noted(r)
    }

    async fn all_dyn_raw<T>(
        &mut self,
        sql: &str,
        args: Args<'_>,
        f: impl Fn(&DbRow<'_>) -> Result<T> + Send,
    ) -> Result<Vec<T>> {
        let mut stmt = self.c()?.prepare_cached(sql)?;
        bind(&mut stmt, args)?;
        let names = column_names(&stmt);
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(f(&SqlRow { row, names: &names, next: std::cell::Cell::new(0) })?);
        }
        Ok(out)
    }

    /// One cached statement, `?` parameters bound in order (no `$N` name parsing per row).
    pub(super) async fn bulk_insert_users(&mut self, users: &[UserRow]) -> Result<()> {
        const COLS: &str = "INSERT INTO users (id, email, username, first_name, last_name, sort_name, phone, \
             company, password_hash, time_zone, is_operator, created_at, updated_at) VALUES ";
        let c = self.c()?;
        let mut stmt = c.prepare_cached(&format!("{COLS}(?,?,?,?,?,?,?,?,?,?,?,?,?)"))?;
        for u in users {
            let sort_name = u.sort_name();
            let values: [&dyn ToSql; 13] = [
                &u.id,
                &u.email,
                &u.username,
                &u.first_name,
                &u.last_name,
                &sort_name,
                &u.phone,
                &u.company,
                &u.password_hash,
                &u.time_zone,
                &u.is_operator,
                &to_db(u.created_at),
                &to_db(u.updated_at),
            ];
            for (i, v) in values.into_iter().enumerate() {
                stmt.raw_bind_parameter(i + 1, v)?;
            }
            stmt.raw_execute()?;
        }
        Ok(())
    }

    /// As `insert_membership` (the sort copies read from `users`). From
    /// [`FTS_SET_MIN`] rows on, the FTS5 trigger is set aside inside this transaction and the
    /// batch's rows are indexed by one `INSERT … SELECT` (a tenth of the per-row trigger's cost);
    /// the trigger is put back, with its own text, before the transaction can commit, and a
    /// failure rolls the whole unit back, trigger included.
    pub(super) async fn bulk_insert_memberships(&mut self, ms: &[MembershipRow]) -> Result<()> {
        const COLS: &str = "INSERT INTO memberships (account_id, user_id, role, custom_role_id, permissions, status, \
             landing_page, contact_tab, show_calendar, daily_reminders, last_sign_in_at, created_at, sort_name, \
             sort_email, sort_company) ";
        const ROW: &str = "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,(SELECT sort_name FROM users WHERE id = ?2), \
             (SELECT email FROM users WHERE id = ?2), (SELECT lower(COALESCE(company, '')) FROM users WHERE id = ?2))";
        let c = self.c()?;
        let aside = set_aside_trigger(c, ms.len(), "memberships", "member_search_insert")?;
        // The team version's per-row trigger too: with any trigger left, every row's INSERT
        // writes two tables and SQLite journals each page it touches for the statement (+22 %
        // for 20,000 members, decision 0110). The batch bumps each of its accounts once below.
        let versions_aside = set_aside_trigger(c, ms.len(), "memberships", "team_version_member_insert")?;
        let mut stmt = c.prepare_cached(&format!("{COLS}{ROW}"))?;
        for m in ms {
            let values: [&dyn ToSql; 12] = [
                &m.account_id,
                &m.user_id,
                &m.role.as_str(),
                &m.custom_role_id,
                &m.permissions,
                &m.status.as_str(),
                &m.landing_page,
                &m.contact_tab,
                &m.show_calendar,
                &m.daily_reminders,
                &m.last_sign_in_at.map(to_db),
                &to_db(m.created_at),
            ];
            for (i, v) in values.into_iter().enumerate() {
                stmt.raw_bind_parameter(i + 1, v)?;
            }
            if stmt.raw_execute()? != 1 {
                return Err(StoreError::Database("a membership names no user".into()));
            }
        }
        drop(stmt);
        if let Some((sql, first_new)) = aside {
            c.execute(
                "INSERT INTO member_search (rowid, sort_name, sort_email, sort_company) \
                 SELECT rowid, sort_name, sort_email, sort_company FROM memberships WHERE rowid >= ?1",
                [first_new],
            )?;
            c.execute_batch(&sql)?;
        }
        if let Some((sql, _)) = versions_aside {
            let mut accounts: Vec<Uuid> = ms.iter().map(|m| m.account_id).collect();
            accounts.sort_unstable();
            accounts.dedup();
            let mut bump = c.prepare_cached(
                "INSERT INTO team_versions (account_id, version) VALUES (?1, 1) \
                 ON CONFLICT (account_id) DO UPDATE SET version = version + 1",
            )?;
            for account in accounts {
                bump.execute([account])?;
            }
            drop(bump);
            c.execute_batch(&sql)?;
        }
        Ok(())
    }

    pub(super) async fn bulk_set_roles(&mut self, account_id: Uuid, changes: &[MembershipRow]) -> Result<u64> {
        let mut n = 0;
        for m in changes {
            n += self
                .exec(
                    "UPDATE memberships SET role = $3, custom_role_id = $4, permissions = $5 \
                     WHERE account_id = $1 AND user_id = $2",
                    args![account_id, m.user_id, m.role.as_str(), m.custom_role_id, m.permissions],
                )
                .await?;
        }
        Ok(n)
    }

    pub(super) async fn bulk_insert_audit(&mut self, rows: &[AuditRow]) -> Result<()> {
        for r in rows {
            self.insert_audit(r).await?;
        }
        Ok(())
    }
}
