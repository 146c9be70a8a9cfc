use async_trait::async_trait;
use roster_core::{InvitePolicy, MembershipStatus, RoleKind};
use time::OffsetDateTime;
use uuid::Uuid;

use super::super::driver::{SqlTx, get, to_db};
use super::super::{DbRow, catalogued, opt_time, time, uuid};
use crate::{AccountCursor, AccountRepo, AccountRow, MemberPerson, MembershipRow, Result};

pub(crate) fn account_from_row(r: &DbRow<'_>) -> Result<AccountRow> {
    Ok(AccountRow {
        id: uuid(r, "a_id")?,
        name: get(r, "a_name")?,
        slug: get(r, "a_slug")?,
        owner_id: uuid(r, "a_owner_id")?,
        invite_policy: catalogued(r, "a_invite_policy", InvitePolicy::parse)?,
        invitation_ttl_days: get(r, "a_invitation_ttl_days")?,
        public_signup: get(r, "a_public_signup")?,
        allow_impersonation: get(r, "a_allow_impersonation")?,
        created_at: time(r, "a_created_at")?,
        updated_at: time(r, "a_updated_at")?,
    })
}

pub(crate) fn person_from_row(r: &DbRow<'_>) -> Result<MemberPerson> {
    Ok(MemberPerson {
        id: uuid(r, "u_id")?,
        email: get(r, "u_email")?,
        username: get(r, "u_username")?,
        first_name: get(r, "u_first_name")?,
        last_name: get(r, "u_last_name")?,
        phone: get(r, "u_phone")?,
        company: get(r, "u_company")?,
    })
}

pub(crate) fn membership_from_row(r: &DbRow<'_>) -> Result<MembershipRow> {
    Ok(MembershipRow {
        account_id: uuid(r, "m_account_id")?,
        user_id: uuid(r, "m_user_id")?,
        role: catalogued(r, "m_role", RoleKind::parse)?,
        custom_role_id: get(r, "m_custom_role_id")?,
        permissions: get(r, "m_permissions")?,
        status: catalogued(r, "m_status", MembershipStatus::parse)?,
        landing_page: get(r, "m_landing_page")?,
        contact_tab: get(r, "m_contact_tab")?,
        show_calendar: get(r, "m_show_calendar")?,
        daily_reminders: get(r, "m_daily_reminders")?,
        last_sign_in_at: opt_time(r, "m_last_sign_in_at")?,
        created_at: time(r, "m_created_at")?,
        is_owner: get(r, "m_is_owner")?,
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
#[async_trait]
impl AccountRepo for SqlTx {
    async fn insert_account(&mut self, a: &AccountRow, owner: &MembershipRow) -> Result<()> {
        self.exec(
            "INSERT INTO accounts (id, name, slug, owner_id, invite_policy, invitation_ttl_days, public_signup, \
             created_at, updated_at, allow_impersonation) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            args![
                a.id,
                a.name,
                a.slug,
                a.owner_id,
                a.invite_policy.as_str(),
                a.invitation_ttl_days,
                a.public_signup,
                to_db(a.created_at),
                to_db(a.updated_at),
                a.allow_impersonation
            ],
        )
        .await?;
        self.insert_membership(owner).await
    }

    async fn insert_membership(&mut self, m: &MembershipRow) -> Result<()> {
        self.exec(
            "INSERT INTO memberships (account_id, user_id, role, custom_role_id, permissions, status, landing_page, \
             contact_tab, show_calendar, daily_reminders, last_sign_in_at, created_at, sort_name, sort_email, sort_company) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, (SELECT sort_name FROM users WHERE id = $2), \
             (SELECT email FROM users WHERE id = $2), (SELECT lower(COALESCE(company, '')) FROM users WHERE id = $2))",
            args![
                m.account_id,
                m.user_id,
                m.role.as_str(),
                m.custom_role_id,
                m.permissions,
                m.status.as_str(),
                m.landing_page,
                m.contact_tab,
                m.show_calendar,
                m.daily_reminders,
                m.last_sign_in_at.map(to_db),
                to_db(m.created_at)
            ],
        )
        .await?;
        Ok(())
    }

    async fn account_by_id(&mut self, id: Uuid) -> Result<Option<AccountRow>> {
        self.opt(ACCOUNT_BY_ID, args![id], account_from_row).await
    }

    async fn account_by_slug(&mut self, slug: &str) -> Result<Option<AccountRow>> {
        self.opt(ACCOUNT_BY_SLUG, args![slug], account_from_row).await
    }

    async fn slug_taken(&mut self, slug: &str) -> Result<bool> {
        Ok(self.opt("SELECT 1 AS one FROM accounts WHERE slug = $1", args![slug], |_| Ok(())).await?.is_some())
    }

    async fn membership(&mut self, account_id: Uuid, user_id: Uuid) -> Result<Option<MembershipRow>> {
        self.opt(MEMBERSHIP, args![account_id, user_id], membership_from_row).await
    }

    async fn memberships_of_user(&mut self, user_id: Uuid) -> Result<Vec<(AccountRow, MembershipRow)>> {
        self.all(MEMBERSHIPS_OF_USER, args![user_id], |r| Ok((account_from_row(r)?, membership_from_row(r)?))).await
    }

    async fn all_accounts(&mut self, after: Option<&AccountCursor>, limit: i64) -> Result<Vec<AccountRow>> {
        let (name, id) = after.map_or((String::new(), Uuid::nil()), |c| (c.name.clone(), c.id));
        self.all(ALL_ACCOUNTS, args![name, id, limit], account_from_row).await
    }

    async fn set_membership_status(
        &mut self,
        account_id: Uuid,
        user_id: Uuid,
        status: MembershipStatus,
    ) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE memberships SET status = $3 WHERE account_id = $1 AND user_id = $2",
                args![account_id, user_id, status.as_str()],
            )
            .await?;
        Ok(n == 1)
    }

    async fn delete_membership(&mut self, account_id: Uuid, user_id: Uuid) -> Result<bool> {
        let n = self
            .exec("DELETE FROM memberships WHERE account_id = $1 AND user_id = $2", args![account_id, user_id])
            .await?;
        Ok(n == 1)
    }

    async fn update_account_settings(&mut self, a: &AccountRow) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE accounts SET name = $2, invite_policy = $3, invitation_ttl_days = $4, public_signup = $5, \
                 updated_at = $6, allow_impersonation = $7 WHERE id = $1",
                args![
                    a.id,
                    a.name,
                    a.invite_policy.as_str(),
                    a.invitation_ttl_days,
                    a.public_signup,
                    to_db(a.updated_at),
                    a.allow_impersonation
                ],
            )
            .await?;
        Ok(n == 1)
    }

    async fn set_owner(&mut self, account_id: Uuid, user_id: Uuid) -> Result<bool> {
        Ok(self.exec("UPDATE accounts SET owner_id = $2 WHERE id = $1", args![account_id, user_id]).await? == 1)
    }

    async fn move_owner(&mut self, account_id: Uuid, from: Uuid, to: Uuid) -> Result<bool> {
        let n = self
            .exec("UPDATE accounts SET owner_id = $3 WHERE id = $1 AND owner_id = $2", args![account_id, from, to])
            .await?;
        Ok(n == 1)
    }

    async fn update_membership(&mut self, m: &MembershipRow) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE memberships SET role = $3, permissions = $4, landing_page = $5, contact_tab = $6, \
                 show_calendar = $7, daily_reminders = $8, custom_role_id = $9 WHERE account_id = $1 AND user_id = $2",
                args![
                    m.account_id,
                    m.user_id,
                    m.role.as_str(),
                    m.permissions,
                    m.landing_page,
                    m.contact_tab,
                    m.show_calendar,
                    m.daily_reminders,
                    m.custom_role_id
                ],
            )
            .await?;
        Ok(n == 1)
    }

    async fn set_membership_role(&mut self, account_id: Uuid, user_id: Uuid, role: &str) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE memberships SET role = $3 WHERE account_id = $1 AND user_id = $2",
                args![account_id, user_id, role],
            )
            .await?;
        Ok(n == 1)
    }

    async fn touch_last_sign_in(&mut self, account_id: Uuid, user_id: Uuid, at: OffsetDateTime) -> Result<()> {
        self.exec(
            "UPDATE memberships SET last_sign_in_at = $3 WHERE account_id = $1 AND user_id = $2",
            args![account_id, user_id, to_db(at)],
        )
        .await?;
        Ok(())
    }
}
