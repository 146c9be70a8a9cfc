//! PostgreSQL's side of the team list at scale: statements built at run time, and members many
//! at a time with one `INSERT … SELECT FROM UNNEST(arrays)` per batch (one round trip for a
//! thousand rows instead of a thousand).
use sqlx::postgres::PgRow;
use sqlx::{Arguments, AssertSqlSafe};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Args, SqlTx, bound, to_db};
use crate::{AuditRow, MembershipRow, Result, SeedContact, SeedEvent, SeedProject, StoreError, TimeEntryRow, UserRow};

impl SqlTx {
    /// As `all`, for SQL built at run time (a bounded set of shapes). `persistent: false` sends
    /// an unnamed statement, planned with the values bound (for text search, where the value
    /// decides the plan); persistent statements are prepared once per connection.
    pub(super) async fn all_dyn<T>(
        &mut self,
        sql: &str,
        persistent: bool,
        args: Args,
        f: impl Fn(&PgRow) -> Result<T> + Send,
    ) -> Result<Vec<T>> {
        let args = bound(args)?;
        let rows = match sqlx::query_with(AssertSqlSafe(sql.to_owned()), args.clone())
            .persistent(persistent)
            .fetch_all(self.c())
            .await
        {
            Err(e) if self.reconnected(&e).await => {
                sqlx::query_with(AssertSqlSafe(sql.to_owned()), args).persistent(persistent).fetch_all(self.c()).await?
            }
            other => other?,
        };
        rows.iter().map(f).collect()
    }

    async fn exec_arrays(&mut self, sql: &'static str, args: sqlx::postgres::PgArguments) -> Result<u64> {
        Ok(sqlx::query_with(sql, args).execute(self.c()).await?.rows_affected())
    }

    /// Generated contacts: one `INSERT … SELECT FROM UNNEST(arrays)` for the batch.
    pub(super) async fn bulk_insert_contacts(&mut self, account_id: Uuid, rows: &[SeedContact]) -> Result<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        let mut a = sqlx::postgres::PgArguments::default();
        let text = |f: &dyn Fn(&SeedContact) -> Option<String>| rows.iter().map(f).collect::<Vec<_>>();
        add(&mut a, account_id)?;
        add(&mut a, rows.iter().map(|r| r.id).collect::<Vec<Uuid>>())?;
        add(&mut a, text(&|r| Some(r.kind.as_str().to_owned())))?;
        add(&mut a, text(&|r| Some(r.first_name.clone())))?;
        add(&mut a, text(&|r| Some(r.last_name.clone())))?;
        add(&mut a, text(&|r| r.company.clone()))?;
        add(&mut a, text(&|r| Some(r.email.clone())))?;
        add(&mut a, text(&|r| Some(serde_json::json!([r.email]).to_string())))?;
        add(&mut a, text(&|r| Some(serde_json::json!(r.phone.iter().collect::<Vec<_>>()).to_string())))?;
        add(&mut a, text(&|r| Some(r.stage.as_str().to_owned())))?;
        add(&mut a, rows.iter().map(|r| r.assigned_to).collect::<Vec<Option<Uuid>>>())?;
        add(&mut a, text(&|r| Some(format!("{} {}", r.first_name, r.last_name).to_lowercase())))?;
        add(&mut a, text(&|r| Some(r.company.as_deref().unwrap_or_default().to_lowercase())))?;
        add(&mut a, rows.iter().map(|r| to_db(r.created_at)).collect::<Vec<OffsetDateTime>>())?;
        self.exec_arrays(
            "INSERT INTO contacts (id, account_id, kind, first_name, last_name, company, email, emails, phones, \
             stage, assigned_to, sort_name, sort_company, created_at, updated_at) \
             SELECT t.id, $1, t.kind, t.first_name, t.last_name, t.company, t.email, t.emails, t.phones, t.stage, \
             t.assigned_to, t.sort_name, t.sort_company, t.created_at, t.created_at \
             FROM UNNEST($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], \
             $9::text[], $10::text[], $11::uuid[], $12::text[], $13::text[], $14::timestamptz[]) \
             AS t(id, kind, first_name, last_name, company, email, emails, phones, stage, assigned_to, sort_name, \
             sort_company, created_at)",
            a,
        )
        .await
    }

    /// Generated projects, then their members and tags: one `UNNEST` insert each.
    pub(super) async fn bulk_insert_projects(&mut self, account_id: Uuid, rows: &[SeedProject]) -> Result<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        let mut a = sqlx::postgres::PgArguments::default();
        add(&mut a, account_id)?;
        add(&mut a, rows.iter().map(|r| r.id).collect::<Vec<Uuid>>())?;
        add(&mut a, rows.iter().map(|r| r.name.clone()).collect::<Vec<String>>())?;
        add(&mut a, rows.iter().map(|r| r.name.to_lowercase()).collect::<Vec<String>>())?;
        add(&mut a, rows.iter().map(|r| r.contact_id).collect::<Vec<Option<Uuid>>>())?;
        add(&mut a, rows.iter().map(|r| r.status.as_str().to_owned()).collect::<Vec<String>>())?;
        add(&mut a, rows.iter().map(|r| r.owner_id).collect::<Vec<Uuid>>())?;
        add(&mut a, rows.iter().map(|r| to_db(r.created_at)).collect::<Vec<OffsetDateTime>>())?;
        let n = self
            .exec_arrays(
                "INSERT INTO projects (id, account_id, name, sort_name, contact_id, status, owner_id, created_at, \
                 updated_at) \
                 SELECT t.id, $1, t.name, t.sort_name, t.contact_id, t.status, t.owner_id, t.created_at, t.created_at \
                 FROM UNNEST($2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::uuid[], \
                 $8::timestamptz[]) AS t(id, name, sort_name, contact_id, status, owner_id, created_at)",
                a,
            )
            .await?;
        let pairs = |f: &dyn Fn(&SeedProject) -> &[Uuid]| {
            rows.iter().flat_map(|r| f(r).iter().map(|x| (r.id, *x))).unzip::<Uuid, Uuid, Vec<_>, Vec<_>>()
        };
        let (projects, users) = pairs(&|r| &r.members);
        if !projects.is_empty() {
            let mut a = sqlx::postgres::PgArguments::default();
            add(&mut a, account_id)?;
            add(&mut a, projects)?;
            add(&mut a, users)?;
            self.exec_arrays(
                "INSERT INTO project_members (account_id, project_id, user_id) \
                 SELECT $1, t.project_id, t.user_id FROM UNNEST($2::uuid[], $3::uuid[]) AS t(project_id, user_id)",
                a,
            )
            .await?;
        }
        let (projects, tags) = pairs(&|r| &r.tag_ids);
        if !projects.is_empty() {
            let mut a = sqlx::postgres::PgArguments::default();
            add(&mut a, account_id)?;
            add(&mut a, projects)?;
            add(&mut a, tags)?;
            self.exec_arrays(
                "INSERT INTO project_tags (account_id, project_id, tag_id) \
                 SELECT $1, t.project_id, t.tag_id FROM UNNEST($2::uuid[], $3::uuid[]) AS t(project_id, tag_id)",
                a,
            )
            .await?;
        }
        Ok(n)
    }

    /// Generated events: one `INSERT … SELECT FROM UNNEST(arrays)` for the batch.
    pub(super) async fn bulk_insert_events(&mut self, account_id: Uuid, rows: &[SeedEvent]) -> Result<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        let mut a = sqlx::postgres::PgArguments::default();
        let ids = |f: &dyn Fn(&SeedEvent) -> Option<Uuid>| rows.iter().map(f).collect::<Vec<_>>();
        let times = |f: &dyn Fn(&SeedEvent) -> OffsetDateTime| rows.iter().map(f).collect::<Vec<_>>();
        add(&mut a, account_id)?;
        add(&mut a, rows.iter().map(|r| r.id).collect::<Vec<Uuid>>())?;
        add(&mut a, rows.iter().map(|r| r.calendar_id).collect::<Vec<Uuid>>())?;
        add(&mut a, rows.iter().map(|r| r.title.clone()).collect::<Vec<String>>())?;
        add(&mut a, times(&|r| to_db(r.starts_at)))?;
        add(&mut a, times(&|r| to_db(r.ends_at)))?;
        add(&mut a, rows.iter().map(|r| r.all_day).collect::<Vec<bool>>())?;
        add(&mut a, ids(&|r| r.contact_id))?;
        add(&mut a, ids(&|r| r.project_id))?;
        add(&mut a, rows.iter().map(|r| r.created_by).collect::<Vec<Uuid>>())?;
        add(&mut a, times(&|r| to_db(r.created_at)))?;
        self.exec_arrays(
            "INSERT INTO events (id, account_id, calendar_id, title, starts_at, ends_at, all_day, contact_id, \
             project_id, created_by, created_at, updated_at) \
             SELECT t.id, $1, t.calendar_id, t.title, t.starts_at, t.ends_at, t.all_day, t.contact_id, t.project_id, \
             t.created_by, t.created_at, t.created_at \
             FROM UNNEST($2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::bool[], \
             $8::uuid[], $9::uuid[], $10::uuid[], $11::timestamptz[]) \
             AS t(id, calendar_id, title, starts_at, ends_at, all_day, contact_id, project_id, created_by, created_at)",
            a,
        )
        .await
    }

    /// Generated time entries: one `INSERT … SELECT FROM UNNEST(arrays)` for the batch.
    pub(super) async fn bulk_insert_time_entries(&mut self, account_id: Uuid, rows: &[TimeEntryRow]) -> Result<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        let mut a = sqlx::postgres::PgArguments::default();
        let ids = |f: &dyn Fn(&TimeEntryRow) -> Option<Uuid>| rows.iter().map(f).collect::<Vec<_>>();
        add(&mut a, account_id)?;
        add(&mut a, rows.iter().map(|r| r.id).collect::<Vec<Uuid>>())?;
        add(&mut a, rows.iter().map(|r| r.user_id).collect::<Vec<Uuid>>())?;
        add(&mut a, ids(&|r| r.project_id))?;
        add(&mut a, ids(&|r| r.contact_id))?;
        add(&mut a, rows.iter().map(|r| r.note.clone()).collect::<Vec<String>>())?;
        add(&mut a, rows.iter().map(|r| r.source.as_str().to_owned()).collect::<Vec<String>>())?;
        add(&mut a, rows.iter().map(|r| to_db(r.started_at)).collect::<Vec<OffsetDateTime>>())?;
        add(&mut a, rows.iter().map(|r| r.ended_at.map(to_db)).collect::<Vec<Option<OffsetDateTime>>>())?;
        add(&mut a, rows.iter().map(|r| r.seconds).collect::<Vec<Option<i64>>>())?;
        add(&mut a, rows.iter().map(|r| r.week.clone()).collect::<Vec<String>>())?;
        add(&mut a, rows.iter().map(|r| r.created_by).collect::<Vec<Uuid>>())?;
        add(&mut a, rows.iter().map(|r| to_db(r.created_at)).collect::<Vec<OffsetDateTime>>())?;
        self.exec_arrays(
            "INSERT INTO time_entries (id, account_id, user_id, project_id, contact_id, note, source, started_at, \
             ended_at, seconds, week, created_by, created_at, updated_at) \
             SELECT t.id, $1, t.user_id, t.project_id, t.contact_id, t.note, t.source, t.started_at, t.ended_at, \
             t.seconds, t.week, t.created_by, t.created_at, t.created_at \
             FROM UNNEST($2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], \
             $8::timestamptz[], $9::timestamptz[], $10::int8[], $11::text[], $12::uuid[], $13::timestamptz[]) \
             AS t(id, user_id, project_id, contact_id, note, source, started_at, ended_at, seconds, week, \
             created_by, created_at)",
            a,
        )
        .await
    }

    pub(super) async fn bulk_insert_users(&mut self, users: &[UserRow]) -> Result<()> {
        if users.is_empty() {
            return Ok(());
        }
        let mut a = sqlx::postgres::PgArguments::default();
        let col = |f: &dyn Fn(&UserRow) -> Option<String>| users.iter().map(f).collect::<Vec<_>>();
        add(&mut a, users.iter().map(|u| u.id).collect::<Vec<Uuid>>())?;
        add(&mut a, col(&|u| Some(u.email.clone())))?;
        add(&mut a, col(&|u| u.username.clone()))?;
        add(&mut a, col(&|u| Some(u.first_name.clone())))?;
        add(&mut a, col(&|u| Some(u.last_name.clone())))?;
        add(&mut a, col(&|u| Some(u.sort_name())))?;
        add(&mut a, col(&|u| u.phone.clone()))?;
        add(&mut a, col(&|u| u.company.clone()))?;
        add(&mut a, col(&|u| u.password_hash.clone()))?;
        add(&mut a, col(&|u| Some(u.time_zone.clone())))?;
        add(&mut a, users.iter().map(|u| u.is_operator).collect::<Vec<bool>>())?;
        add(&mut a, users.iter().map(|u| to_db(u.created_at)).collect::<Vec<OffsetDateTime>>())?;
        add(&mut a, users.iter().map(|u| to_db(u.updated_at)).collect::<Vec<OffsetDateTime>>())?;
        self.exec_arrays(
            "INSERT INTO users (id, email, username, first_name, last_name, sort_name, phone, company, \
             password_hash, time_zone, is_operator, created_at, updated_at) \
             SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], \
             $7::text[], $8::text[], $9::text[], $10::text[], $11::bool[], $12::timestamptz[], $13::timestamptz[])",
            a,
        )
        .await?;
        Ok(())
    }

    pub(super) async fn bulk_insert_memberships(&mut self, ms: &[MembershipRow]) -> Result<()> {
        if ms.is_empty() {
            return Ok(());
        }
        let mut a = sqlx::postgres::PgArguments::default();
        let text = |f: &dyn Fn(&MembershipRow) -> Option<String>| ms.iter().map(f).collect::<Vec<_>>();
        add(&mut a, ms.iter().map(|m| m.account_id).collect::<Vec<Uuid>>())?;
        add(&mut a, ms.iter().map(|m| m.user_id).collect::<Vec<Uuid>>())?;
        add(&mut a, text(&|m| Some(m.role.as_str().to_owned())))?;
        add(&mut a, ms.iter().map(|m| m.custom_role_id).collect::<Vec<Option<Uuid>>>())?;
        add(&mut a, text(&|m| m.permissions.clone()))?;
        add(&mut a, text(&|m| Some(m.status.as_str().to_owned())))?;
        add(&mut a, text(&|m| Some(m.landing_page.clone())))?;
        add(&mut a, text(&|m| Some(m.contact_tab.clone())))?;
        add(&mut a, ms.iter().map(|m| m.show_calendar).collect::<Vec<bool>>())?;
        add(&mut a, ms.iter().map(|m| m.daily_reminders).collect::<Vec<bool>>())?;
        add(&mut a, ms.iter().map(|m| m.last_sign_in_at.map(to_db)).collect::<Vec<Option<OffsetDateTime>>>())?;
        add(&mut a, ms.iter().map(|m| to_db(m.created_at)).collect::<Vec<OffsetDateTime>>())?;
        let n = self
            .exec_arrays(
                "INSERT INTO memberships (account_id, user_id, role, custom_role_id, permissions, status, landing_page, \
                 contact_tab, show_calendar, daily_reminders, last_sign_in_at, created_at, sort_name, sort_email, \
                 sort_company) \
                 SELECT t.account_id, t.user_id, t.role, t.custom_role_id, t.permissions, t.status, t.landing_page, \
                 t.contact_tab, t.show_calendar, t.daily_reminders, t.last_sign_in_at, t.created_at, u.sort_name, \
                 u.email, lower(COALESCE(u.company, '')) \
                 FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[], \
                 $8::text[], $9::bool[], $10::bool[], $11::timestamptz[], $12::timestamptz[]) \
                 AS t(account_id, user_id, role, custom_role_id, permissions, status, landing_page, contact_tab, \
                 show_calendar, daily_reminders, last_sign_in_at, created_at) \
                 JOIN users u ON u.id = t.user_id",
                a,
            )
            .await?;
        if n != ms.len() as u64 {
            return Err(StoreError::Database(format!(
                "{} of {} memberships name no user",
                ms.len() as u64 - n,
                ms.len()
            )));
        }
        Ok(())
    }

    pub(super) async fn bulk_set_roles(&mut self, account_id: Uuid, changes: &[MembershipRow]) -> Result<u64> {
        if changes.is_empty() {
            return Ok(0);
        }
        let mut a = sqlx::postgres::PgArguments::default();
        add(&mut a, account_id)?;
        add(&mut a, changes.iter().map(|c| c.user_id).collect::<Vec<Uuid>>())?;
        add(&mut a, changes.iter().map(|c| c.role.as_str().to_owned()).collect::<Vec<String>>())?;
        add(&mut a, changes.iter().map(|c| c.custom_role_id).collect::<Vec<Option<Uuid>>>())?;
        add(&mut a, changes.iter().map(|c| c.permissions.clone()).collect::<Vec<Option<String>>>())?;
        self.exec_arrays(
            "UPDATE memberships m SET role = t.role, custom_role_id = t.custom_role_id, permissions = t.permissions \
             FROM UNNEST($2::uuid[], $3::text[], $4::uuid[], $5::text[]) AS t(user_id, role, custom_role_id, permissions) \
             WHERE m.account_id = $1 AND m.user_id = t.user_id",
            a,
        )
        .await
    }

    pub(super) async fn bulk_insert_audit(&mut self, rows: &[AuditRow]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut a = sqlx::postgres::PgArguments::default();
        let ids = |f: &dyn Fn(&AuditRow) -> Option<Uuid>| rows.iter().map(f).collect::<Vec<_>>();
        let text = |f: &dyn Fn(&AuditRow) -> Option<String>| rows.iter().map(f).collect::<Vec<_>>();
        add(&mut a, rows.iter().map(|r| r.id).collect::<Vec<Uuid>>())?;
        add(&mut a, ids(&|r| r.account_id))?;
        add(&mut a, ids(&|r| r.actor_id))?;
        add(&mut a, ids(&|r| r.impersonator_id))?;
        add(&mut a, text(&|r| Some(r.action.as_str().to_owned())))?;
        add(&mut a, text(&|r| r.target_type.clone()))?;
        add(&mut a, text(&|r| r.target_id.clone()))?;
        add(&mut a, text(&|r| r.ip.clone()))?;
        add(&mut a, text(&|r| r.details.clone()))?;
        add(&mut a, rows.iter().map(|r| to_db(r.at)).collect::<Vec<OffsetDateTime>>())?;
        self.exec_arrays(
            "INSERT INTO audit_events (id, account_id, actor_id, impersonator_id, action, target_type, target_id, \
             ip, details, at) SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], \
             $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])",
            a,
        )
        .await?;
        Ok(())
    }
}

fn add<T>(a: &mut sqlx::postgres::PgArguments, v: T) -> Result<()>
where
    T: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + 'static,
{
    a.add(v).map_err(|e| StoreError::Database(format!("cannot encode a value: {e}")))
}
