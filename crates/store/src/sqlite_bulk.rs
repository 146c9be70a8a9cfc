//! SQLite's side of the team list at scale: statements built at run time, and members many at a
//! time. On SQLite a cached statement runs inline in microseconds, so "many at a time" is a
//! loop of cached single-row statements inside the caller's transaction.
use uuid::Uuid;

use super::{Args, DbRow, SqlRow, SqlTx, bind, column_names};
use crate::{AccountRepo, AuditRepo, AuditRow, MembershipRow, Result, UserRepo, UserRow};

impl SqlTx {
    /// As `all`, for SQL built at run time (a bounded set of shapes; the statement cache keeps
    /// the ones in use). `persistent` is PostgreSQL's concern.
    pub(super) async fn all_dyn<T>(
        &mut self,
        sql: &str,
        _persistent: bool,
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

    pub(super) async fn bulk_insert_users(&mut self, users: &[UserRow]) -> Result<()> {
        for u in users {
            self.insert_user(u).await?;
        }
        Ok(())
    }

    pub(super) async fn bulk_insert_memberships(&mut self, ms: &[MembershipRow]) -> Result<()> {
        for m in ms {
            self.insert_membership(m).await?;
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
                    args![account_id, m.user_id, m.role, m.custom_role_id, m.permissions],
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
