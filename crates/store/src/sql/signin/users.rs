use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::super::driver::{SqlTx, get, to_db};
use super::super::{DbRow, opt_time, time, uuid};
use crate::{Result, UserDetails, UserRepo, UserRow};

pub(crate) fn user_from_row(r: &DbRow<'_>) -> Result<UserRow> {
    Ok(UserRow {
        id: uuid(r, "u_id")?,
        email: get(r, "u_email")?,
        username: get(r, "u_username")?,
        first_name: get(r, "u_first_name")?,
        last_name: get(r, "u_last_name")?,
        phone: get(r, "u_phone")?,
        company: get(r, "u_company")?,
        password_hash: get(r, "u_password_hash")?,
        time_zone: get(r, "u_time_zone")?,
        is_operator: get(r, "u_is_operator")?,
        email_verified_at: opt_time(r, "u_email_verified_at")?,
        created_at: time(r, "u_created_at")?,
        updated_at: time(r, "u_updated_at")?,
    })
}

const USER_BY_ID: &str = concat!("SELECT ", user_cols!(), " FROM users u WHERE u.id = $1");
const USER_BY_EMAIL: &str = concat!("SELECT ", user_cols!(), " FROM users u WHERE u.email = $1");
const USER_BY_USERNAME: &str = concat!("SELECT ", user_cols!(), " FROM users u WHERE u.username = $1");

#[async_trait]
impl UserRepo for SqlTx {
    async fn update_user_profile(
        &mut self,
        user_id: Uuid,
        first_name: &str,
        last_name: &str,
        time_zone: &str,
        at: OffsetDateTime,
    ) -> Result<bool> {
        let sort_name = format!("{first_name} {last_name}").to_lowercase();
        let n = self
            .exec(
                "UPDATE users SET first_name = $2, last_name = $3, sort_name = $4, time_zone = $5, updated_at = $6 \
                 WHERE id = $1",
                args![user_id, first_name, last_name, sort_name, time_zone, to_db(at)],
            )
            .await?;
        self.exec("UPDATE memberships SET sort_name = $2 WHERE user_id = $1", args![user_id, sort_name]).await?;
        Ok(n == 1)
    }

    async fn update_user_details(&mut self, user_id: Uuid, d: &UserDetails, at: OffsetDateTime) -> Result<bool> {
        let sort_name = format!("{} {}", d.first_name, d.last_name).to_lowercase();
        let sort_company = d.company.as_deref().unwrap_or_default().to_lowercase();
        let n = self
            .exec(
                "UPDATE users SET first_name = $2, last_name = $3, sort_name = $4, phone = $5, company = $6, \
                 username = $7, updated_at = $8 WHERE id = $1",
                args![user_id, d.first_name, d.last_name, sort_name, d.phone, d.company, d.username, to_db(at)],
            )
            .await?;
        self.exec(
            "UPDATE memberships SET sort_name = $2, sort_company = $3 WHERE user_id = $1",
            args![user_id, sort_name, sort_company],
        )
        .await?;
        Ok(n == 1)
    }

    async fn insert_user(&mut self, u: &UserRow) -> Result<()> {
        self.exec(
            "INSERT INTO users (id, email, username, first_name, last_name, sort_name, phone, company, \
             password_hash, time_zone, is_operator, created_at, updated_at, email_verified_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            args![
                u.id,
                u.email,
                u.username,
                u.first_name,
                u.last_name,
                u.sort_name(),
                u.phone,
                u.company,
                u.password_hash,
                u.time_zone,
                u.is_operator,
                to_db(u.created_at),
                to_db(u.updated_at),
                u.email_verified_at.map(to_db)
            ],
        )
        .await?;
        Ok(())
    }

    async fn user_by_id(&mut self, id: Uuid) -> Result<Option<UserRow>> {
        self.opt(USER_BY_ID, args![id], user_from_row).await
    }

    async fn user_by_email(&mut self, email: &str) -> Result<Option<UserRow>> {
        self.opt(USER_BY_EMAIL, args![email], user_from_row).await
    }

    async fn user_by_username(&mut self, username: &str) -> Result<Option<UserRow>> {
        self.opt(USER_BY_USERNAME, args![username], user_from_row).await
    }

    async fn mark_email_verified(&mut self, user_id: Uuid, at: OffsetDateTime) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE users SET email_verified_at = $2 WHERE id = $1 AND email_verified_at IS NULL",
                args![user_id, to_db(at)],
            )
            .await?;
        Ok(n == 1)
    }

    async fn all_users(&mut self, search: Option<&str>, after_email: Option<&str>, limit: i64) -> Result<Vec<UserRow>> {
        // `LIKE` with `\` escaping the pattern's own `%` and `_`; names and emails are compared
        // lower-case (`sort_name` and `email` are stored so).
        let pattern = search.map(|s| {
            let escaped: String = s
                .to_lowercase()
                .chars()
                .flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] })
                .collect();
            format!("%{escaped}%")
        });
        self.all(
            concat!(
                "SELECT ",
                user_cols!(),
                " FROM users u WHERE ($1 IS NULL OR u.email > $1) \
                 AND ($2 IS NULL OR u.sort_name LIKE $2 ESCAPE '\\' OR u.email LIKE $2 ESCAPE '\\') \
                 ORDER BY u.email LIMIT $3"
            ),
            args![after_email, pattern, limit],
            user_from_row,
        )
        .await
    }

    async fn operator_exists(&mut self) -> Result<bool> {
        let found =
            self.opt("SELECT 1 AS one FROM users WHERE is_operator = TRUE LIMIT 1", args![], |_| Ok(())).await?;
        Ok(found.is_some())
    }

    async fn replace_setup_token(&mut self, token_hash: &[u8], expires_at: OffsetDateTime) -> Result<()> {
        self.exec("DELETE FROM setup_tokens", args![]).await?;
        self.exec(
            "INSERT INTO setup_tokens (token_hash, expires_at) VALUES ($1, $2)",
            args![token_hash, to_db(expires_at)],
        )
        .await?;
        Ok(())
    }

    async fn take_setup_token(&mut self, token_hash: &[u8], now: OffsetDateTime) -> Result<bool> {
        let n = self
            .exec("DELETE FROM setup_tokens WHERE token_hash = $1 AND expires_at > $2", args![token_hash, to_db(now)])
            .await?;
        Ok(n == 1)
    }

    async fn setup_token_valid(&mut self, token_hash: &[u8], now: OffsetDateTime) -> Result<bool> {
        let found = self
            .opt(
                "SELECT 1 AS one FROM setup_tokens WHERE token_hash = $1 AND expires_at > $2",
                args![token_hash, to_db(now)],
                |_| Ok(()),
            )
            .await?;
        Ok(found.is_some())
    }
}
