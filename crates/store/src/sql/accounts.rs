use async_trait::async_trait;
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{DbRow, SqlTx, opt_time, time, to_db, uuid};
use crate::{AccountCursor, AccountRepo, AccountRow, MemberCursor, MemberPerson, MemberRow, MembershipRow, Result};

fn account_from_row(r: &DbRow) -> Result<AccountRow> {
    Ok(AccountRow {
        id: uuid(r, "a_id")?,
        name: r.try_get("a_name")?,
        slug: r.try_get("a_slug")?,
        owner_id: uuid(r, "a_owner_id")?,
        invite_policy: r.try_get("a_invite_policy")?,
        invitation_ttl_days: r.try_get("a_invitation_ttl_days")?,
        public_signup: r.try_get("a_public_signup")?,
        created_at: time(r, "a_created_at")?,
        updated_at: time(r, "a_updated_at")?,
    })
}

fn person_from_row(r: &DbRow) -> Result<MemberPerson> {
    Ok(MemberPerson {
        id: uuid(r, "u_id")?,
        email: r.try_get("u_email")?,
        username: r.try_get("u_username")?,
        first_name: r.try_get("u_first_name")?,
        last_name: r.try_get("u_last_name")?,
        phone: r.try_get("u_phone")?,
        company: r.try_get("u_company")?,
    })
}

fn membership_from_row(r: &DbRow) -> Result<MembershipRow> {
    Ok(MembershipRow {
        account_id: uuid(r, "m_account_id")?,
        user_id: uuid(r, "m_user_id")?,
        role: r.try_get("m_role")?,
        custom_role_id: r.try_get("m_custom_role_id")?,
        permissions: r.try_get("m_permissions")?,
        status: r.try_get("m_status")?,
        landing_page: r.try_get("m_landing_page")?,
        contact_tab: r.try_get("m_contact_tab")?,
        show_calendar: r.try_get("m_show_calendar")?,
        daily_reminders: r.try_get("m_daily_reminders")?,
        last_sign_in_at: opt_time(r, "m_last_sign_in_at")?,
        created_at: time(r, "m_created_at")?,
        is_owner: r.try_get("m_is_owner")?,
    })
}

const ACCOUNT_BY_ID: &str = concat!("SELECT ", account_cols!(), " FROM accounts a WHERE a.id = $1");
const ACCOUNT_BY_SLUG: &str = concat!("SELECT ", account_cols!(), " FROM accounts a WHERE a.slug = $1");
const MEMBERSHIP: &str = concat!(
    "SELECT ",
    member_cols!(),
    " FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE m.account_id = $1 AND m.user_id = $2"
);
const MEMBERSHIPS_OF_USER: &str = concat!(
    "SELECT ",
    account_cols!(),
    ", ",
    member_cols!(),
    " FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE m.user_id = $1 ORDER BY a.name, a.id"
);
const ALL_ACCOUNTS: &str = concat!(
    "SELECT ",
    account_cols!(),
    " FROM accounts a WHERE (a.name, a.id) > ($1, $2) ORDER BY a.name, a.id LIMIT $3"
);
/// Keyset paging on `(sort_name, user id)`: page 1,000 costs what page 1 costs.
const LIST_MEMBERS: &str = concat!(
    "SELECT u.id AS u_id, u.email AS u_email, u.username AS u_username, u.first_name AS u_first_name, \
     u.last_name AS u_last_name, u.phone AS u_phone, u.company AS u_company",
    ", ",
    member_cols!(),
    " FROM memberships m JOIN users u ON u.id = m.user_id JOIN accounts a ON a.id = m.account_id \
     WHERE m.account_id = $1 AND m.status <> 'archived' AND (m.sort_name, m.user_id) > ($2, $3) \
     ORDER BY m.sort_name, m.user_id LIMIT $4"
);

#[async_trait]
impl AccountRepo for SqlTx {
    async fn insert_account(&mut self, a: &AccountRow, owner: &MembershipRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO accounts (id, name, slug, owner_id, invite_policy, invitation_ttl_days, public_signup, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(a.id)
        .bind(&a.name)
        .bind(&a.slug)
        .bind(a.owner_id)
        .bind(&a.invite_policy)
        .bind(a.invitation_ttl_days)
        .bind(a.public_signup)
        .bind(to_db(a.created_at))
        .bind(to_db(a.updated_at))
        .execute(self.c())
        .await?;
        self.insert_membership(owner).await
    }

    async fn insert_membership(&mut self, m: &MembershipRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO memberships (account_id, user_id, role, custom_role_id, permissions, status, landing_page, \
             contact_tab, show_calendar, daily_reminders, last_sign_in_at, created_at, sort_name) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, (SELECT sort_name FROM users WHERE id = $2))",
        )
        .bind(m.account_id)
        .bind(m.user_id)
        .bind(&m.role)
        .bind(m.custom_role_id)
        .bind(&m.permissions)
        .bind(&m.status)
        .bind(&m.landing_page)
        .bind(&m.contact_tab)
        .bind(m.show_calendar)
        .bind(m.daily_reminders)
        .bind(m.last_sign_in_at.map(to_db))
        .bind(to_db(m.created_at))
        .execute(self.c())
        .await?;
        Ok(())
    }

    async fn account_by_id(&mut self, id: Uuid) -> Result<Option<AccountRow>> {
        let row = sqlx::query(ACCOUNT_BY_ID).bind(id).fetch_optional(self.c()).await?;
        row.as_ref().map(account_from_row).transpose()
    }

    async fn account_by_slug(&mut self, slug: &str) -> Result<Option<AccountRow>> {
        let row = sqlx::query(ACCOUNT_BY_SLUG).bind(slug).fetch_optional(self.c()).await?;
        row.as_ref().map(account_from_row).transpose()
    }

    async fn slug_taken(&mut self, slug: &str) -> Result<bool> {
        let row = sqlx::query("SELECT 1 FROM accounts WHERE slug = $1").bind(slug).fetch_optional(self.c()).await?;
        Ok(row.is_some())
    }

    async fn membership(&mut self, account_id: Uuid, user_id: Uuid) -> Result<Option<MembershipRow>> {
        let row = sqlx::query(MEMBERSHIP).bind(account_id).bind(user_id).fetch_optional(self.c()).await?;
        row.as_ref().map(membership_from_row).transpose()
    }

    async fn memberships_of_user(&mut self, user_id: Uuid) -> Result<Vec<(AccountRow, MembershipRow)>> {
        let rows = sqlx::query(MEMBERSHIPS_OF_USER).bind(user_id).fetch_all(self.c()).await?;
        rows.iter().map(|r| Ok((account_from_row(r)?, membership_from_row(r)?))).collect()
    }

    async fn all_accounts(&mut self, after: Option<&AccountCursor>, limit: i64) -> Result<Vec<AccountRow>> {
        let (name, id) = after.map_or((String::new(), Uuid::nil()), |c| (c.name.clone(), c.id));
        let rows = sqlx::query(ALL_ACCOUNTS).bind(name).bind(id).bind(limit).fetch_all(self.c()).await?;
        rows.iter().map(account_from_row).collect()
    }

    async fn list_members(
        &mut self,
        account_id: Uuid,
        after: Option<&MemberCursor>,
        limit: i64,
    ) -> Result<Vec<MemberRow>> {
        let (sort_name, id) = after.map_or((String::new(), Uuid::nil()), |c| (c.sort_name.clone(), c.user_id));
        let rows =
            sqlx::query(LIST_MEMBERS).bind(account_id).bind(sort_name).bind(id).bind(limit).fetch_all(self.c()).await?;
        rows.iter().map(|r| Ok(MemberRow { user: person_from_row(r)?, membership: membership_from_row(r)? })).collect()
    }

    async fn set_membership_status(&mut self, account_id: Uuid, user_id: Uuid, status: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE memberships SET status = $3 WHERE account_id = $1 AND user_id = $2")
            .bind(account_id)
            .bind(user_id)
            .bind(status)
            .execute(self.c())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_membership(&mut self, account_id: Uuid, user_id: Uuid) -> Result<bool> {
        let done = sqlx::query("DELETE FROM memberships WHERE account_id = $1 AND user_id = $2")
            .bind(account_id)
            .bind(user_id)
            .execute(self.c())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_owner(&mut self, account_id: Uuid, user_id: Uuid) -> Result<bool> {
        let done = sqlx::query("UPDATE accounts SET owner_id = $2 WHERE id = $1")
            .bind(account_id)
            .bind(user_id)
            .execute(self.c())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_membership_role(&mut self, account_id: Uuid, user_id: Uuid, role: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE memberships SET role = $3 WHERE account_id = $1 AND user_id = $2")
            .bind(account_id)
            .bind(user_id)
            .bind(role)
            .execute(self.c())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn touch_last_sign_in(&mut self, account_id: Uuid, user_id: Uuid, at: OffsetDateTime) -> Result<()> {
        sqlx::query("UPDATE memberships SET last_sign_in_at = $3 WHERE account_id = $1 AND user_id = $2")
            .bind(account_id)
            .bind(user_id)
            .bind(to_db(at))
            .execute(self.c())
            .await?;
        Ok(())
    }
}
